//! The on-call custom status, changed through the outbox: a [`StatusOp`] is queued in the transaction
//! of its cause (a task started or finished, someone added or taken off) and carried out by the sender
//! with the outbox's guarantees: retried on timeouts, 5xx and 429, done at most once per key, in order
//! per person, and a refusal (403: the bot may not change others' statuses) reported to the owners.
//!
//! Both operations are safe to repeat after an unknown outcome: setting the same status twice is the
//! same status, and clearing checks first that the status is still exactly the bot's.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::lottery::{RotationId, TaskId, UserId};
use crate::mattermost::{CustomStatus, MattermostClient, MattermostError};
use crate::store::outbox::{self, NewMessage};
use crate::store::{Conn, Result};

/// The outbox `kind` of a custom-status change.
pub const KIND: &str = "oncall_status";

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case")]
pub enum StatusOp {
    /// Set this custom status until the task's end.
    Set {
        emoji: String,
        text: String,
        expires_at: DateTime<Utc>,
    },
    /// Clear the custom status, but only if it is still exactly this one (someone who set their
    /// own keeps theirs).
    Clear { emoji: String, text: String },
}

impl StatusOp {
    fn name(&self) -> &'static str {
        match self {
            StatusOp::Set { .. } => "set",
            StatusOp::Clear { .. } => "clear",
        }
    }
}

/// Queues `op` for `user` about `task`. `repeat_at`: when the same change may rightly happen again
/// (taken off and put back on a running task), the time, which makes it a new operation; `None`
/// for a task's start and finish, which happen once.
pub async fn queue(
    conn: &mut Conn,
    user: &UserId,
    rotation: RotationId,
    task: TaskId,
    op: &StatusOp,
    repeat_at: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> Result<bool> {
    let mut key = format!("oncall:{}:{}:{user}", op.name(), task.0);
    if let Some(at) = repeat_at {
        key.push_str(&format!(":{}", at.timestamp()));
    }
    let row = NewMessage {
        key,
        user_id: user.clone(),
        kind: KIND,
        // Serialising a plain struct of strings and a time cannot fail.
        message: serde_json::to_string(op).unwrap_or_default(),
        rotation_id: Some(rotation),
        channel_id: None,
    };
    outbox::enqueue(conn, &row, now).await
}

/// Carries out one operation for `user` as of `now`.
pub(super) async fn apply(
    mm: &MattermostClient,
    user: &UserId,
    op: &StatusOp,
    now: DateTime<Utc>,
) -> Result<(), MattermostError> {
    match op {
        // Delivered after the task ended (a long outage): Mattermost refuses a past expiry, and
        // the status would be wrong anyway.
        StatusOp::Set { expires_at, .. } if *expires_at <= now => Ok(()),
        StatusOp::Set {
            emoji,
            text,
            expires_at,
        } => {
            mm.update_custom_status(user, &CustomStatus::until(emoji, text, *expires_at))
                .await
        }
        StatusOp::Clear { emoji, text } => {
            let current = mm.get_user(user).await?.custom_status();
            match current {
                Some(cs) if cs.emoji == *emoji && cs.text == *text => {
                    mm.clear_custom_status(user).await
                }
                // Someone set their own (or cleared it): theirs stays.
                _ => Ok(()),
            }
        }
    }
}

/// Reads a queued operation back; `None` for a row that is not one (never retried).
pub fn parse(message: &str) -> Option<StatusOp> {
    serde_json::from_str(message).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn operations_round_trip_through_the_outbox_text() {
        let op = StatusOp::Set {
            emoji: "pager".into(),
            text: "On call: ICE".into(),
            expires_at: Utc.with_ymd_and_hms(2030, 3, 4, 9, 0, 0).unwrap(),
        };
        let text = serde_json::to_string(&op).unwrap();
        assert_eq!(parse(&text), Some(op));
        assert_eq!(parse("You're on ICE#3"), None);
    }
}
