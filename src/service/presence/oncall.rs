//! The on-call custom status follows the task: set for its people when it starts (until its end),
//! cleared when it finishes, moved when people are added to or taken off a started task. Each change
//! is queued in the outbox in the transaction of its cause (`notify::status_op`), so it happens
//! exactly when the change commits, with retries and never twice, from commands and the autopilot
//! alike.

use chrono::{DateTime, Utc};

use super::status_text;
use crate::command::presence::MAX_STATUS_TEXT;
use crate::lottery::UserId;
use crate::notify::status_op::{self, StatusOp};
use crate::service::Result;
use crate::store::rotations::Rotation;
use crate::store::tasks::Task;
use crate::store::{self, Conn};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Change {
    Set,
    Clear,
}

/// Queues the rotation's on-call status change for `users` (nothing when the rotation has none).
/// `repeat_at`: see [`status_op::queue`].
pub async fn queue(
    conn: &mut Conn,
    r: &Rotation,
    task: &Task,
    users: &[UserId],
    change: Change,
    repeat_at: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> Result<()> {
    if users.is_empty() {
        return Ok(());
    }
    let Some(status) = store::presence::oncall_status(conn, r.id).await? else {
        return Ok(());
    };
    // What Mattermost stores: it truncates to 100 characters, and clearing compares with this.
    let text: String = status_text(&status.text, &r.name)
        .chars()
        .take(MAX_STATUS_TEXT)
        .collect();
    let op = match change {
        Change::Set => StatusOp::Set {
            emoji: status.emoji,
            text,
            expires_at: task.times.span().1,
        },
        Change::Clear => StatusOp::Clear {
            emoji: status.emoji,
            text,
        },
    };
    for user in users {
        status_op::queue(conn, user, r.id, task.id, &op, repeat_at, now).await?;
    }
    Ok(())
}
