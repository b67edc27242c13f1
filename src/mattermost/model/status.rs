//! Presence (`model.Status`): what the bot reads to detect manual changes and writes for calendars.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::lenient::null_as_default;
use crate::lottery::UserId;

/// The statuses the REST API lets anyone set (`PUT /users/{id}/status`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum StatusKind {
    Online,
    Away,
    Dnd,
    Offline,
}

impl StatusKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Online => "online",
            Self::Away => "away",
            Self::Dnd => "dnd",
            Self::Offline => "offline",
        }
    }
}

impl fmt::Display for StatusKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A status as read: one of the settable kinds, or something else the server knows
/// (`ooo` for the out-of-office auto-responder, or a value from a newer server).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum StatusValue {
    Kind(StatusKind),
    Other(String),
}

impl StatusValue {
    pub fn as_str(&self) -> &str {
        match self {
            Self::Kind(kind) => kind.as_str(),
            Self::Other(text) => text,
        }
    }
}

impl Default for StatusValue {
    /// A user without a stored status is offline (the server says so too).
    fn default() -> Self {
        Self::Kind(StatusKind::Offline)
    }
}

impl From<StatusKind> for StatusValue {
    fn from(kind: StatusKind) -> Self {
        Self::Kind(kind)
    }
}

impl Serialize for StatusValue {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for StatusValue {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = Option::<String>::deserialize(deserializer)?.unwrap_or_default();
        Ok(match text.as_str() {
            "online" => Self::Kind(StatusKind::Online),
            "away" => Self::Kind(StatusKind::Away),
            "dnd" => Self::Kind(StatusKind::Dnd),
            "offline" | "" => Self::Kind(StatusKind::Offline),
            _ => Self::Other(text.chars().take(64).collect()),
        })
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Status {
    pub user_id: UserId,
    #[serde(default)]
    pub status: StatusValue,
    /// Set by the user (or by an API call), as opposed to automatic activity tracking.
    #[serde(default, deserialize_with = "null_as_default")]
    pub manual: bool,
    /// Milliseconds since the epoch.
    #[serde(default, deserialize_with = "null_as_default")]
    pub last_activity_at: i64,
    /// Seconds since the epoch (not milliseconds); 0 means DND without an end.
    #[serde(default, deserialize_with = "null_as_default")]
    pub dnd_end_time: i64,
}

impl Status {
    /// The settable kind, or `None` for statuses like `ooo` the bot cannot set.
    pub fn kind(&self) -> Option<StatusKind> {
        match self.status {
            StatusValue::Kind(kind) => Some(kind),
            StatusValue::Other(_) => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_known_and_unknown_statuses() {
        let s: Status = serde_json::from_str(
            r#"{"user_id":"u1","status":"dnd","manual":true,"last_activity_at":1732300000000,"dnd_end_time":1732303600,"active_channel":""}"#,
        )
        .unwrap();
        assert_eq!(s.kind(), Some(StatusKind::Dnd));
        assert_eq!(s.dnd_end_time, 1_732_303_600);
        let s: Status = serde_json::from_str(r#"{"user_id":"u1","status":"ooo"}"#).unwrap();
        assert_eq!(s.kind(), None);
        assert_eq!(s.status.as_str(), "ooo");
        assert!(!s.manual);
    }

    #[test]
    fn a_bare_status_is_offline() {
        let s: Status = serde_json::from_str(r#"{"user_id":"u1"}"#).unwrap();
        assert_eq!(s.kind(), Some(StatusKind::Offline));
    }
}
