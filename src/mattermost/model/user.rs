//! A Mattermost user (`model.User`), with the helpers the bot needs: admin check, time zone,
//! custom status.

use std::collections::BTreeMap;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use super::custom_status::CustomStatus;
use super::lenient::{bool_or_string, null_as_default};
use crate::lottery::UserId;

/// Only `id` and `username` are required; everything else may be missing, `null`, or sanitised away
/// by the server's privacy settings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct User {
    pub id: UserId,
    pub username: String,
    #[serde(default, deserialize_with = "null_as_default")]
    pub email: String,
    #[serde(default, deserialize_with = "null_as_default")]
    pub first_name: String,
    #[serde(default, deserialize_with = "null_as_default")]
    pub last_name: String,
    #[serde(default, deserialize_with = "null_as_default")]
    pub nickname: String,
    /// Space-separated role names, e.g. `system_user system_admin`.
    #[serde(default, deserialize_with = "null_as_default")]
    pub roles: String,
    #[serde(default, deserialize_with = "null_as_default")]
    pub timezone: Timezone,
    /// Free-form string map; `customStatus` holds a JSON document as a string.
    #[serde(default, deserialize_with = "null_as_default")]
    pub props: BTreeMap<String, serde_json::Value>,
    #[serde(default, deserialize_with = "null_as_default")]
    pub locale: String,
    #[serde(default, deserialize_with = "null_as_default")]
    pub is_bot: bool,
    /// Milliseconds since the epoch; non-zero means the account is deactivated.
    #[serde(default, deserialize_with = "null_as_default")]
    pub delete_at: i64,
    #[serde(default, deserialize_with = "null_as_default")]
    pub create_at: i64,
    #[serde(default, deserialize_with = "null_as_default")]
    pub update_at: i64,
    /// Milliseconds; absent, 0 or negative (after a reset) while the picture is the generated default.
    #[serde(default, deserialize_with = "null_as_default")]
    pub last_picture_update: i64,
}

/// `user.timezone`. On the wire `useAutomaticTimezone` is the *string* `"true"` or `"false"`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Timezone {
    #[serde(
        default,
        deserialize_with = "bool_or_string",
        serialize_with = "write_flag"
    )]
    pub use_automatic_timezone: bool,
    #[serde(default, deserialize_with = "null_as_default")]
    pub automatic_timezone: String,
    #[serde(default, deserialize_with = "null_as_default")]
    pub manual_timezone: String,
}

fn write_flag<S: serde::Serializer>(value: &bool, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_str(if *value { "true" } else { "false" })
}

impl User {
    /// Mattermost's `IsSystemAdmin`: the `system_admin` role is among the user's roles.
    pub fn is_system_admin(&self) -> bool {
        self.roles.split_whitespace().any(|r| r == "system_admin")
    }

    pub fn is_deactivated(&self) -> bool {
        self.delete_at > 0
    }

    /// The zone the user chose in their settings: the automatic one when `useAutomaticTimezone`,
    /// else the manual one (Mattermost's `GetPreferredTimezone`). Empty or unknown names give `None`;
    /// the caller decides the fallback.
    pub fn time_zone(&self) -> Option<chrono_tz::Tz> {
        let tz = &self.timezone;
        let name = if tz.use_automatic_timezone {
            &tz.automatic_timezone
        } else {
            &tz.manual_timezone
        };
        chrono_tz::Tz::from_str(name.trim()).ok()
    }

    /// The user's custom status, if any. Expired statuses are returned too: check `is_expired`.
    /// A malformed `customStatus` prop reads as none.
    pub fn custom_status(&self) -> Option<CustomStatus> {
        let status: CustomStatus = match self.props.get("customStatus")? {
            serde_json::Value::String(text) if text.trim().is_empty() => return None,
            serde_json::Value::String(text) => serde_json::from_str(text).ok()?,
            value @ serde_json::Value::Object(_) => serde_json::from_value(value.clone()).ok()?,
            _ => return None,
        };
        (!status.emoji.is_empty() || !status.text.is_empty()).then_some(status)
    }

    /// "First Last" if the user set a name, else the username.
    pub fn display_name(&self) -> String {
        let full = format!("{} {}", self.first_name.trim(), self.last_name.trim());
        let full = full.trim();
        if full.is_empty() {
            self.username.clone()
        } else {
            full.to_string()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user(json: &str) -> User {
        serde_json::from_str(json).unwrap()
    }

    #[test]
    fn reads_a_real_shaped_user_with_string_flags() {
        let u = user(
            r#"{"id":"abcdefghijklmnopqrstuvwxyz","username":"alice","roles":"system_user system_admin",
                "timezone":{"useAutomaticTimezone":"false","automaticTimezone":"","manualTimezone":"Europe/Berlin"},
                "props":{"customStatus":"{\"emoji\":\"calendar\",\"text\":\"In a meeting\",\"duration\":\"date_and_time\",\"expires_at\":\"2030-01-01T10:00:00Z\"}"},
                "create_at":1732300000000,"update_at":1732300000000,"delete_at":0,"last_password_update":1732300000000,
                "notify_props":{"desktop":"all"},"is_bot":false,"locale":"en"}"#,
        );
        assert!(u.is_system_admin());
        assert_eq!(u.time_zone(), Some(chrono_tz::Europe::Berlin));
        let cs = u.custom_status().unwrap();
        assert_eq!(cs.text, "In a meeting");
        assert_eq!(u.create_at, 1_732_300_000_000);
    }

    #[test]
    fn automatic_zone_is_used_when_the_flag_says_so_as_bool_or_string() {
        for flag in ["true", "\"true\""] {
            let u = user(&format!(
                r#"{{"id":"x","username":"bob","timezone":{{"useAutomaticTimezone":{flag},"automaticTimezone":"Asia/Tokyo","manualTimezone":"Europe/Paris"}}}}"#
            ));
            assert_eq!(u.time_zone(), Some(chrono_tz::Asia::Tokyo), "{flag}");
        }
    }

    #[test]
    fn empty_or_unknown_zones_give_none() {
        let u = user(
            r#"{"id":"x","username":"bob","timezone":{"useAutomaticTimezone":"false","manualTimezone":"Mars/Olympus"}}"#,
        );
        assert_eq!(u.time_zone(), None);
        let u = user(r#"{"id":"x","username":"bob","timezone":null,"props":null,"roles":null}"#);
        assert_eq!(u.time_zone(), None);
        assert!(!u.is_system_admin());
        assert_eq!(u.custom_status(), None);
    }

    #[test]
    fn system_admin_is_a_whole_role_name() {
        let u = user(r#"{"id":"x","username":"bob","roles":"system_user system_admin_lookalike"}"#);
        assert!(!u.is_system_admin());
    }

    #[test]
    fn malformed_custom_status_reads_as_none() {
        let u = user(r#"{"id":"x","username":"bob","props":{"customStatus":"{not json"}}"#);
        assert_eq!(u.custom_status(), None);
        let u = user(r#"{"id":"x","username":"bob","props":{"customStatus":""}}"#);
        assert_eq!(u.custom_status(), None);
    }

    #[test]
    fn timezone_flag_is_written_back_as_a_string() {
        let json = serde_json::to_value(Timezone {
            use_automatic_timezone: true,
            ..Timezone::default()
        })
        .unwrap();
        assert_eq!(json["useAutomaticTimezone"], "true");
    }
}
