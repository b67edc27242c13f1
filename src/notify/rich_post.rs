//! Posts with more than text, through the outbox: a DM with buttons (its props carry the message
//! attachment), and the later update of such a post (an invitation someone else took). Both keep
//! the outbox's guarantees: queued in the transaction of their cause, delivered once, retried,
//! reported when they can't be.
//!
//! The outbox row's text is a JSON envelope for these kinds. The sender records the id of a post
//! with buttons when it is delivered, and an update waits for that id: it is queued after the post
//! to the same person, so it is never attempted before the post (the outbox keeps each person's
//! messages in order), and if it is anyway (another process still delivering the post), it retries.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::message::{Message, Queued};
use crate::lottery::{RotationId, UserId};
use crate::store::outbox::{self, NewMessage};
use crate::store::{Conn, Result};

/// The outbox kind of an update of an earlier post.
pub const UPDATE_KIND: &str = "post_update";

/// Kinds whose outbox text is a [`RichPost`] envelope.
const RICH_KINDS: [&str; 1] = ["swap_invite"];

/// A post's text with its props (e.g. `attachments` with buttons).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RichPost {
    pub message: String,
    pub props: Map<String, Value>,
}

/// A new text and props for the post that the message queued as `target_key` became.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PostUpdate {
    pub target_key: String,
    pub message: String,
    pub props: Map<String, Value>,
}

/// Whether this outbox kind carries a [`RichPost`] envelope.
pub fn is_rich(kind: &str) -> bool {
    RICH_KINDS.contains(&kind)
}

/// Reads a rich post's envelope back; `None` for text that is not one.
pub fn parse_rich(text: &str) -> Option<RichPost> {
    serde_json::from_str(text).ok()
}

pub fn parse_update(text: &str) -> Option<PostUpdate> {
    serde_json::from_str(text).ok()
}

/// Queues `queued` (a kind listed as rich) with `props` in the caller's transaction.
pub async fn queue_rich(
    conn: &mut Conn,
    queued: &Queued,
    props: Map<String, Value>,
    now: DateTime<Utc>,
) -> Result<bool> {
    let mut row = queued.to_outbox();
    debug_assert!(is_rich(row.kind), "{} is not a rich kind", row.kind);
    let envelope = RichPost {
        message: row.message,
        props,
    };
    row.message = serde_json::to_string(&envelope).unwrap_or_default();
    outbox::enqueue(conn, &row, now).await
}

/// Queues the update of the post queued as `target_key` (to `to`) to `message`'s text, without
/// buttons. One update per post: the key is derived from the target's.
pub async fn queue_update(
    conn: &mut Conn,
    to: &UserId,
    rotation_id: Option<RotationId>,
    target_key: &str,
    message: &Message,
    now: DateTime<Utc>,
) -> Result<bool> {
    let update = PostUpdate {
        target_key: target_key.to_string(),
        message: message.render(),
        props: Map::new(),
    };
    let row = NewMessage {
        key: format!("update:{target_key}"),
        user_id: to.clone(),
        kind: UPDATE_KIND,
        message: serde_json::to_string(&update).unwrap_or_default(),
        rotation_id,
        channel_id: None,
    };
    outbox::enqueue(conn, &row, now).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn envelopes_round_trip_through_the_outbox_text() {
        let mut props = Map::new();
        props.insert("attachments".into(), serde_json::json!([{"text": "x"}]));
        let post = RichPost {
            message: "Can you take ICE#3?".into(),
            props,
        };
        let text = serde_json::to_string(&post).unwrap();
        assert_eq!(parse_rich(&text), Some(post));
        assert_eq!(parse_rich("You're on ICE#3"), None);
        assert!(is_rich("swap_invite") && !is_rich("scheduled"));
    }
}
