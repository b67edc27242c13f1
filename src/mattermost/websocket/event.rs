//! What arrives on Mattermost's WebSocket, typed (docs/mattermost-contract.md §4).
//!
//! The envelope is `{"event": "<type>", "data": {…}, "broadcast": {…}, "seq": n}`; answers to our own
//! requests are `{"status": …, "seq_reply": n}`. Everything is untrusted: an event we can't read is
//! an error for that message only, never a panic.

use serde::Deserialize;
use serde_json::Value;

use crate::mattermost::model::User;

/// One message from the server.
#[derive(Debug, Clone, PartialEq)]
pub enum ServerMessage {
    /// An event, with the server's sequence number for this connection.
    Event { seq: Option<i64>, event: WsEvent },
    /// The answer to a request we sent (`seq_reply`), e.g. the authentication challenge.
    Reply { seq_reply: i64, ok: bool },
}

/// The events the bot acts on; every other event type is `Other` with its name.
#[derive(Debug, Clone, PartialEq)]
pub enum WsEvent {
    /// The first event of a new (not resumed) connection.
    Hello {
        connection_id: String,
        server_version: String,
    },
    /// A user's profile changed: `data.user`, props (and so `customStatus`) included.
    UserUpdated(Box<User>),
    Other(String),
}

#[derive(Debug, thiserror::Error, PartialEq)]
#[error("unreadable WebSocket message: {0}")]
pub struct EventError(String);

#[derive(Deserialize)]
struct Envelope {
    #[serde(default)]
    event: Option<String>,
    #[serde(default)]
    data: Value,
    #[serde(default)]
    seq: Option<i64>,
    #[serde(default)]
    seq_reply: Option<i64>,
    #[serde(default)]
    status: Option<String>,
}

impl ServerMessage {
    pub fn parse(text: &str) -> Result<ServerMessage, EventError> {
        let envelope: Envelope =
            serde_json::from_str(text).map_err(|e| EventError(e.to_string()))?;
        let Some(name) = envelope.event else {
            let seq_reply = envelope
                .seq_reply
                .ok_or_else(|| EventError("neither an event nor a reply".into()))?;
            return Ok(ServerMessage::Reply {
                seq_reply,
                ok: envelope.status.as_deref() == Some("OK"),
            });
        };
        let event = match name.as_str() {
            "hello" => {
                let field = |key: &str| {
                    envelope
                        .data
                        .get(key)
                        .and_then(Value::as_str)
                        .unwrap_or_default()
                        .to_string()
                };
                let connection_id = field("connection_id");
                if connection_id.is_empty() {
                    return Err(EventError("a hello without connection_id".into()));
                }
                WsEvent::Hello {
                    connection_id,
                    server_version: field("server_version"),
                }
            }
            "user_updated" => {
                let user = envelope
                    .data
                    .get("user")
                    .ok_or_else(|| EventError("a user_updated without data.user".into()))?;
                let user: User = serde_json::from_value(user.clone())
                    .map_err(|e| EventError(format!("user_updated: {e}")))?;
                WsEvent::UserUpdated(Box::new(user))
            }
            _ => WsEvent::Other(name),
        };
        Ok(ServerMessage::Event {
            seq: envelope.seq,
            event,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hello_carries_the_connection_id() {
        let m = ServerMessage::parse(
            r#"{"event":"hello","data":{"connection_id":"abc","server_version":"10.11.0","server_hostname":"h"},"broadcast":{"omit_users":null,"user_id":"u","channel_id":"","team_id":""},"seq":0}"#,
        )
        .unwrap();
        assert_eq!(
            m,
            ServerMessage::Event {
                seq: Some(0),
                event: WsEvent::Hello {
                    connection_id: "abc".into(),
                    server_version: "10.11.0".into()
                }
            }
        );
    }

    #[test]
    fn user_updated_keeps_the_custom_status_prop() {
        let m = ServerMessage::parse(
            r#"{"event":"user_updated","data":{"user":{"id":"u1","username":"ann","props":{"customStatus":"{\"emoji\":\"palm_tree\",\"text\":\"\"}"}}},"seq":7}"#,
        )
        .unwrap();
        let ServerMessage::Event {
            seq: Some(7),
            event: WsEvent::UserUpdated(user),
        } = m
        else {
            panic!("{m:?}")
        };
        assert_eq!(user.custom_status().unwrap().emoji, "palm_tree");
    }

    #[test]
    fn other_events_and_replies_are_told_apart() {
        assert_eq!(
            ServerMessage::parse(r#"{"event":"posted","data":{"post":"{}"},"seq":3}"#).unwrap(),
            ServerMessage::Event {
                seq: Some(3),
                event: WsEvent::Other("posted".into())
            }
        );
        assert_eq!(
            ServerMessage::parse(r#"{"status":"OK","seq_reply":1}"#).unwrap(),
            ServerMessage::Reply {
                seq_reply: 1,
                ok: true
            }
        );
    }

    #[test]
    fn garbage_is_an_error_not_a_panic() {
        for text in [
            "",
            "[]",
            "{}",
            r#"{"event":"hello","data":{}}"#,
            r#"{"event":"user_updated","data":{"user":{"id":1}}}"#,
        ] {
            assert!(ServerMessage::parse(text).is_err(), "{text}");
        }
    }
}
