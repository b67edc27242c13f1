//! The answer to a slash command (`model.CommandResponse`), sent as the HTTP reply to `/slash` or
//! later to the command's `response_url`.

use serde::{Deserialize, Deserializer, Serialize};

use super::lenient::null_as_default;

/// Who sees the reply. Mattermost treats anything but `in_channel` (including empty) as ephemeral.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ResponseType {
    /// Only the user who typed the command sees it.
    #[default]
    Ephemeral,
    /// A real post in the channel, visible to everyone.
    InChannel,
}

impl<'de> Deserialize<'de> for ResponseType {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let value = Option::<serde_json::Value>::deserialize(deserializer)?;
        Ok(match value.as_ref().and_then(serde_json::Value::as_str) {
            Some("in_channel") => Self::InChannel,
            _ => Self::Ephemeral,
        })
    }
}

/// Every field is optional on the wire; empty ones are not sent.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct CommandResponse {
    #[serde(default)]
    pub response_type: ResponseType,
    #[serde(
        default,
        skip_serializing_if = "String::is_empty",
        deserialize_with = "null_as_default"
    )]
    pub text: String,
    /// Honoured only if the server allows username overrides.
    #[serde(
        default,
        skip_serializing_if = "String::is_empty",
        deserialize_with = "null_as_default"
    )]
    pub username: String,
    #[serde(
        default,
        skip_serializing_if = "String::is_empty",
        deserialize_with = "null_as_default"
    )]
    pub icon_url: String,
    /// Post into another channel (the invoking user must be a member).
    #[serde(
        default,
        skip_serializing_if = "String::is_empty",
        deserialize_with = "null_as_default"
    )]
    pub channel_id: String,
    #[serde(
        default,
        rename = "type",
        skip_serializing_if = "String::is_empty",
        deserialize_with = "null_as_default"
    )]
    pub post_type: String,
    #[serde(
        default,
        skip_serializing_if = "serde_json::Map::is_empty",
        deserialize_with = "null_as_default"
    )]
    pub props: serde_json::Map<String, serde_json::Value>,
    #[serde(
        default,
        skip_serializing_if = "String::is_empty",
        deserialize_with = "null_as_default"
    )]
    pub goto_location: String,
    #[serde(
        default,
        skip_serializing_if = "std::ops::Not::not",
        deserialize_with = "null_as_default"
    )]
    pub skip_slack_parsing: bool,
    /// Slack-style message attachments, passed through as JSON.
    #[serde(
        default,
        skip_serializing_if = "Vec::is_empty",
        deserialize_with = "null_as_default"
    )]
    pub attachments: Vec<serde_json::Value>,
    /// Further replies, each processed like this one.
    #[serde(
        default,
        skip_serializing_if = "Vec::is_empty",
        deserialize_with = "null_as_default"
    )]
    pub extra_responses: Vec<CommandResponse>,
}

impl CommandResponse {
    /// A reply only the invoking user sees.
    pub fn ephemeral(text: impl Into<String>) -> Self {
        Self {
            text: text.into(),
            ..Self::default()
        }
    }

    /// A reply only the invoking user sees, split into several posts (`extra_responses`) when it
    /// is longer than one post may be.
    pub fn ephemeral_long(text: &str) -> Self {
        let mut parts = super::long_text::split(text, super::MAX_POST_MESSAGE_CHARS).into_iter();
        let mut first = Self::ephemeral(parts.next().unwrap_or_default());
        first.extra_responses = parts.map(Self::ephemeral).collect();
        first
    }

    /// A reply posted to the channel for everyone.
    pub fn in_channel(text: impl Into<String>) -> Self {
        Self {
            response_type: ResponseType::InChannel,
            text: text.into(),
            ..Self::default()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_fields_are_not_sent() {
        let json = serde_json::to_value(CommandResponse::ephemeral("hi")).unwrap();
        assert_eq!(
            json,
            serde_json::json!({"response_type":"ephemeral","text":"hi"})
        );
        let json = serde_json::to_value(CommandResponse::in_channel("all")).unwrap();
        assert_eq!(json["response_type"], "in_channel");
    }

    #[test]
    fn a_long_reply_goes_out_as_several_posts_within_the_limit() {
        let text: String = (0..3000)
            .map(|i| format!("- @member{i:04} (no skills)\n"))
            .collect();
        let r = CommandResponse::ephemeral_long(&text);
        assert!(!r.extra_responses.is_empty());
        let all: Vec<&CommandResponse> = std::iter::once(&r).chain(&r.extra_responses).collect();
        for part in &all {
            assert!(part.text.chars().count() <= super::super::MAX_POST_MESSAGE_CHARS);
            assert_eq!(part.response_type, ResponseType::Ephemeral);
        }
        assert!(r.text.starts_with("- @member0000"));
        let last = all.last().map(|p| p.text.as_str()).unwrap_or_default();
        assert!(last.ends_with("- @member2999 (no skills)"));
        assert_eq!(
            CommandResponse::ephemeral_long("hi"),
            CommandResponse::ephemeral("hi")
        );
    }

    #[test]
    fn anything_but_in_channel_reads_as_ephemeral() {
        for body in [
            r#"{}"#,
            r#"{"response_type":""}"#,
            r#"{"response_type":"loud"}"#,
        ] {
            let r: CommandResponse = serde_json::from_str(body).unwrap();
            assert_eq!(r.response_type, ResponseType::Ephemeral, "{body}");
        }
        let r: CommandResponse = serde_json::from_str(
            r#"{"response_type":"in_channel","text":"x","extra_responses":[{"text":"y"}]}"#,
        )
        .unwrap();
        assert_eq!(r.response_type, ResponseType::InChannel);
        assert_eq!(r.extra_responses[0].text, "y");
    }
}
