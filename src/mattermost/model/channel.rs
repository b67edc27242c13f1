//! Channels (`model.Channel`): the bot only creates and reads direct-message channels.

use serde::{Deserialize, Serialize};

use super::ids::ChannelId;
use super::lenient::null_as_default;
use crate::lottery::UserId;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ChannelType {
    #[serde(rename = "O")]
    Open,
    #[serde(rename = "P")]
    Private,
    #[serde(rename = "D")]
    Direct,
    #[serde(rename = "G")]
    Group,
    /// A type this client does not know (a newer server).
    #[serde(other)]
    Unknown,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Channel {
    pub id: ChannelId,
    #[serde(rename = "type")]
    pub channel_type: ChannelType,
    /// For a DM: `<userIdA>__<userIdB>`, ids sorted.
    #[serde(default, deserialize_with = "null_as_default")]
    pub name: String,
    #[serde(default, deserialize_with = "null_as_default")]
    pub display_name: String,
    /// Empty for DMs and group messages.
    #[serde(default, deserialize_with = "null_as_default")]
    pub team_id: String,
    #[serde(default, deserialize_with = "null_as_default")]
    pub creator_id: String,
    #[serde(default, deserialize_with = "null_as_default")]
    pub header: String,
    #[serde(default, deserialize_with = "null_as_default")]
    pub purpose: String,
    #[serde(default, deserialize_with = "null_as_default")]
    pub create_at: i64,
    #[serde(default, deserialize_with = "null_as_default")]
    pub update_at: i64,
    #[serde(default, deserialize_with = "null_as_default")]
    pub delete_at: i64,
}

/// Mattermost's DM channel name for two users (`model.GetDMNameFromIds`): the sorted ids joined by `__`.
pub fn direct_channel_name(a: &UserId, b: &UserId) -> String {
    let (first, second) = if a.as_str() <= b.as_str() {
        (a, b)
    } else {
        (b, a)
    };
    format!("{first}__{second}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dm_names_sort_the_ids() {
        let a = UserId::new("bbbb");
        let b = UserId::new("aaaa");
        assert_eq!(direct_channel_name(&a, &b), "aaaa__bbbb");
        assert_eq!(direct_channel_name(&b, &a), "aaaa__bbbb");
    }

    #[test]
    fn unknown_channel_types_are_tolerated() {
        let c: Channel = serde_json::from_str(r#"{"id":"c1","type":"X","name":"n"}"#).unwrap();
        assert_eq!(c.channel_type, ChannelType::Unknown);
    }
}
