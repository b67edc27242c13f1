//! A user's custom status (emoji + text + expiry), as stored in `user.props.customStatus`.
//!
//! The server does not enforce expiry (clients hide expired statuses), so readers must check
//! `is_expired` themselves.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CustomStatus {
    #[serde(default, deserialize_with = "super::lenient::null_as_default")]
    pub emoji: String,
    #[serde(default, deserialize_with = "super::lenient::null_as_default")]
    pub text: String,
    /// `None` is the wire's empty string: no preset duration.
    #[serde(
        default,
        serialize_with = "write_duration",
        deserialize_with = "read_duration"
    )]
    pub duration: Option<CustomStatusDuration>,
    /// `None` is Go's zero time (`0001-01-01T00:00:00Z`): never expires.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "read_expiry"
    )]
    pub expires_at: Option<DateTime<Utc>>,
}

/// The presets Mattermost accepts for `duration`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CustomStatusDuration {
    ThirtyMinutes,
    OneHour,
    FourHours,
    Today,
    ThisWeek,
    /// Until `expires_at`.
    DateAndTime,
}

impl CustomStatusDuration {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::ThirtyMinutes => "thirty_minutes",
            Self::OneHour => "one_hour",
            Self::FourHours => "four_hours",
            Self::Today => "today",
            Self::ThisWeek => "this_week",
            Self::DateAndTime => "date_and_time",
        }
    }

    fn parse(text: &str) -> Option<Self> {
        [
            Self::ThirtyMinutes,
            Self::OneHour,
            Self::FourHours,
            Self::Today,
            Self::ThisWeek,
            Self::DateAndTime,
        ]
        .into_iter()
        .find(|d| d.as_str() == text)
    }
}

impl CustomStatus {
    /// A status until a given time, the way a calendar sync sets "In a meeting".
    pub fn until(emoji: &str, text: &str, expires_at: DateTime<Utc>) -> Self {
        Self {
            emoji: emoji.to_string(),
            text: text.to_string(),
            duration: Some(CustomStatusDuration::DateAndTime),
            expires_at: Some(expires_at),
        }
    }

    /// True when the status has an expiry at or before `now`: clients no longer show it.
    pub fn is_expired(&self, now: DateTime<Utc>) -> bool {
        self.expires_at.is_some_and(|at| at <= now)
    }
}

fn write_duration<S: Serializer>(
    value: &Option<CustomStatusDuration>,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    serializer.serialize_str(value.map_or("", CustomStatusDuration::as_str))
}

/// Unknown presets (from a newer server) read as "no preset" rather than failing the whole user.
fn read_duration<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<CustomStatusDuration>, D::Error> {
    let value = Option::<serde_json::Value>::deserialize(deserializer)?;
    Ok(value
        .as_ref()
        .and_then(serde_json::Value::as_str)
        .and_then(CustomStatusDuration::parse))
}

/// Go's zero time and unparsable values both mean "no expiry".
fn read_expiry<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<DateTime<Utc>>, D::Error> {
    let value = Option::<serde_json::Value>::deserialize(deserializer)?;
    Ok(value
        .as_ref()
        .and_then(serde_json::Value::as_str)
        .and_then(|t| DateTime::parse_from_rfc3339(t).ok())
        .map(|t| t.with_timezone(&Utc))
        .filter(|t| t.timestamp() > 0))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn reads_the_wire_shape_with_go_zero_time_as_no_expiry() {
        let cs: CustomStatus = serde_json::from_str(
            r#"{"emoji":"palm_tree","text":"Off","duration":"","expires_at":"0001-01-01T00:00:00Z"}"#,
        )
        .unwrap();
        assert_eq!(cs.emoji, "palm_tree");
        assert_eq!(cs.duration, None);
        assert_eq!(cs.expires_at, None);
    }

    #[test]
    fn writes_duration_and_rfc3339_expiry() {
        let at = Utc.with_ymd_and_hms(2026, 1, 2, 15, 4, 5).unwrap();
        let json =
            serde_json::to_value(CustomStatus::until("calendar", "In a meeting", at)).unwrap();
        assert_eq!(json["duration"], "date_and_time");
        assert_eq!(json["expires_at"], "2026-01-02T15:04:05Z");
        assert_eq!(json["emoji"], "calendar");
    }

    #[test]
    fn unknown_duration_and_garbage_expiry_do_not_fail() {
        let cs: CustomStatus =
            serde_json::from_str(r#"{"text":"x","duration":"fortnight","expires_at":42}"#).unwrap();
        assert_eq!(cs.duration, None);
        assert_eq!(cs.expires_at, None);
    }

    #[test]
    fn expiry_is_checked_by_the_reader() {
        let at = Utc.with_ymd_and_hms(2026, 1, 2, 15, 0, 0).unwrap();
        let cs = CustomStatus::until("calendar", "In a meeting", at);
        assert!(!cs.is_expired(at - chrono::TimeDelta::minutes(1)));
        assert!(cs.is_expired(at));
        assert!(!CustomStatus::default().is_expired(at));
    }
}
