//! The outbox: DMs waiting for delivery, written in the same transaction as the change that causes them.

use chrono::{DateTime, Utc};

use super::{Conn, Result, ts};
use crate::lottery::{RotationId, UserId};

/// Longest message we queue: Mattermost's post limit is 16383 runes; we stay well below it.
pub const MAX_MESSAGE_CHARS: usize = 16_000;

#[derive(Debug, Clone)]
pub struct NewMessage {
    /// Idempotency key: the same key is queued (and posted) at most once.
    pub key: String,
    pub user_id: UserId,
    pub kind: &'static str,
    pub message: String,
    /// Whose owners are told if this can never be delivered.
    pub rotation_id: Option<RotationId>,
    /// A post in this channel instead of a DM (`user_id` then names the channel, for ordering).
    pub channel_id: Option<String>,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Pending {
    pub id: i64,
    pub key: String,
    pub user_id: String,
    pub kind: String,
    pub message: String,
    pub rotation_id: Option<i64>,
    /// Attempts begun so far. Non-zero means an earlier attempt may have reached Mattermost.
    pub attempts: i64,
    pub created_at: i64,
    /// A channel post rather than a DM.
    pub channel_id: Option<String>,
}

/// Queues a message; a key already queued is left as it is (returns false). `now` is when the change
/// happened (a bot admin's `--now` may be in the future); the message is due at once all the same,
/// so a time-travelled command's DMs are not held back until that date.
pub async fn enqueue(conn: &mut Conn, msg: &NewMessage, now: DateTime<Utc>) -> Result<bool> {
    let due = now.min(Utc::now());
    let message: String = if msg.message.chars().count() > MAX_MESSAGE_CHARS {
        let mut m: String = msg.message.chars().take(MAX_MESSAGE_CHARS - 1).collect();
        m.push('…');
        m
    } else {
        msg.message.clone()
    };
    let res = sqlx::query(
        "INSERT INTO outbox (key, user_id, kind, message, rotation_id, next_attempt_at, created_at, channel_id)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT(key) DO NOTHING",
    )
    .bind(&msg.key)
    .bind(msg.user_id.as_str())
    .bind(msg.kind)
    .bind(message)
    .bind(msg.rotation_id.map(|r| r.0))
    .bind(ts(due))
    // Real time, not `--now`: the sender's read-back looks for earlier attempts from here on.
    .bind(ts(due))
    .bind(msg.channel_id.as_deref())
    .execute(&mut *conn)
    .await?;
    Ok(res.rows_affected() == 1)
}

/// Messages due for an attempt, oldest first. A message waits while an earlier one to the same person
/// is backing off after a failure, so nobody reads "ICE#0 has started" before "You're on ICE#0".
pub async fn due(conn: &mut Conn, now: DateTime<Utc>, limit: i64) -> Result<Vec<Pending>> {
    Ok(sqlx::query_as::<_, Pending>(
        "SELECT o.id, o.key, o.user_id, o.kind, o.message, o.rotation_id, o.attempts, o.created_at, o.channel_id FROM outbox o
         WHERE o.sent_at IS NULL AND o.failed_at IS NULL AND o.next_attempt_at <= $1
           AND NOT EXISTS (SELECT 1 FROM outbox p
               WHERE p.sent_at IS NULL AND p.failed_at IS NULL AND p.next_attempt_at > $1
                 AND p.user_id = o.user_id AND p.id < o.id)
         ORDER BY o.id LIMIT $2",
    )
    .bind(ts(now))
    .bind(limit)
    .fetch_all(&mut *conn)
    .await?)
}

/// When the next undelivered message falls due, if any.
pub async fn next_due_at(conn: &mut Conn) -> Result<Option<i64>> {
    let row: (Option<i64>,) = sqlx::query_as(
        "SELECT MIN(next_attempt_at) FROM outbox WHERE sent_at IS NULL AND failed_at IS NULL",
    )
    .fetch_one(&mut *conn)
    .await?;
    Ok(row.0)
}

/// Claims a due message for one attempt: counts the attempt and pushes its due time to `until`, so
/// no other sender (this process's loop, or another process on the same database) takes it meanwhile.
/// `attempts` is the count the caller read: if another sender claimed the message since, this claim
/// fails (returns false) instead of stacking on theirs, and the claimed attempt's number is exactly
/// `attempts + 1`, the token that `renew_claim`, `mark_retry` and `mark_failed` check. Counting before
/// posting also means that if the process dies after Mattermost accepted the post, the next attempt
/// knows to check before posting.
pub async fn claim(
    conn: &mut Conn,
    id: i64,
    attempts: i64,
    now: DateTime<Utc>,
    until: DateTime<Utc>,
) -> Result<bool> {
    let r = sqlx::query(
        "UPDATE outbox SET attempts = attempts + 1, next_attempt_at = $4
         WHERE id = $1 AND attempts = $2 AND next_attempt_at <= $3
           AND sent_at IS NULL AND failed_at IS NULL",
    )
    .bind(id)
    .bind(attempts)
    .bind(ts(now))
    .bind(ts(until))
    .execute(&mut *conn)
    .await?;
    Ok(r.rows_affected() == 1)
}

/// Extends attempt `attempt`'s claim to `until`. False when the message was taken over (another
/// claim counted a later attempt) or finished: the caller must not act on it any more. A claim that
/// lapsed but was not taken over may be renewed: a takeover would have changed `attempts`.
pub async fn renew_claim(
    conn: &mut Conn,
    id: i64,
    attempt: i64,
    until: DateTime<Utc>,
) -> Result<bool> {
    let r = sqlx::query(
        "UPDATE outbox SET next_attempt_at = $3
         WHERE id = $1 AND attempts = $2 AND sent_at IS NULL AND failed_at IS NULL",
    )
    .bind(id)
    .bind(attempt)
    .bind(ts(until))
    .execute(&mut *conn)
    .await?;
    Ok(r.rows_affected() == 1)
}

/// Recorded whoever holds the message: the post exists, so it must not be posted again.
pub async fn mark_sent(conn: &mut Conn, id: i64, now: DateTime<Utc>) -> Result<()> {
    sqlx::query("UPDATE outbox SET sent_at = $2, last_error = NULL WHERE id = $1")
        .bind(id)
        .bind(ts(now))
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Schedules the next attempt after attempt `attempt` failed. False (nothing changed) when another
/// sender has taken the message over since: its claim is not ours to move.
pub async fn mark_retry(
    conn: &mut Conn,
    id: i64,
    attempt: i64,
    next: DateTime<Utc>,
    error: &str,
) -> Result<bool> {
    let r = sqlx::query(
        "UPDATE outbox SET next_attempt_at = $3, last_error = $4
         WHERE id = $1 AND attempts = $2 AND sent_at IS NULL AND failed_at IS NULL",
    )
    .bind(id)
    .bind(attempt)
    .bind(ts(next))
    .bind(truncate(error))
    .execute(&mut *conn)
    .await?;
    Ok(r.rows_affected() == 1)
}

/// Gives the message up after attempt `attempt`. False (nothing changed) when another sender has
/// taken it over since, or it was delivered meanwhile.
pub async fn mark_failed(
    conn: &mut Conn,
    id: i64,
    attempt: i64,
    now: DateTime<Utc>,
    error: &str,
) -> Result<bool> {
    let r = sqlx::query(
        "UPDATE outbox SET failed_at = $3, last_error = $4
         WHERE id = $1 AND attempts = $2 AND sent_at IS NULL AND failed_at IS NULL",
    )
    .bind(id)
    .bind(attempt)
    .bind(ts(now))
    .bind(truncate(error))
    .execute(&mut *conn)
    .await?;
    Ok(r.rows_affected() == 1)
}

/// Counts of queued, sent and failed messages (for `info` and health).
pub async fn counts(conn: &mut Conn) -> Result<(i64, i64, i64)> {
    Ok(sqlx::query_as(
        "SELECT COUNT(CASE WHEN sent_at IS NULL AND failed_at IS NULL THEN 1 END),
                COUNT(sent_at), COUNT(failed_at)
         FROM outbox",
    )
    .fetch_one(&mut *conn)
    .await?)
}

fn truncate(s: &str) -> String {
    s.chars().take(500).collect()
}

/// Remembers the post a delivered message became, so a later update (an invitation that was taken)
/// can find it.
pub async fn record_post_id(conn: &mut Conn, id: i64, post_id: &str) -> Result<()> {
    sqlx::query("UPDATE outbox SET post_id = $2 WHERE id = $1")
        .bind(id)
        .bind(post_id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// What became of the message queued under `key`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Delivery {
    /// Not queued at all.
    Unknown,
    /// Still waiting (or being retried).
    Pending,
    /// Given up: it will never be a post.
    Failed,
    /// Posted; the post's id when it was recorded.
    Posted(Option<String>),
}

pub async fn delivery(conn: &mut Conn, key: &str) -> Result<Delivery> {
    let row: Option<(Option<i64>, Option<i64>, Option<String>)> =
        sqlx::query_as("SELECT sent_at, failed_at, post_id FROM outbox WHERE key = $1")
            .bind(key)
            .fetch_optional(&mut *conn)
            .await?;
    Ok(match row {
        None => Delivery::Unknown,
        Some((_, Some(_), _)) => Delivery::Failed,
        Some((Some(_), None, post)) => Delivery::Posted(post),
        Some((None, None, _)) => Delivery::Pending,
    })
}
