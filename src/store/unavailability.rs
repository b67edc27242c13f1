//! Stored unavailability: personal time off and calendar out-of-office. (Time on tasks and the grace
//! after them are derived from tasks: see `store::tasks::busy_of_members`.)

use chrono::{DateTime, Utc};

use super::{Conn, Result, StoreError, from_ts, ts};
use crate::lottery::{Interval, Reason, RotationId, Unavailability, UserId};

#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    pub id: i64,
    pub user_id: UserId,
    pub unavailability: Unavailability,
}

/// Only personal and calendar entries are stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stored {
    Personal,
    Calendar,
}

impl Stored {
    fn as_str(self) -> &'static str {
        match self {
            Stored::Personal => "personal",
            Stored::Calendar => "calendar",
        }
    }
}

pub async fn add(
    conn: &mut Conn,
    user: &UserId,
    kind: Stored,
    interval: Interval,
    now: DateTime<Utc>,
) -> Result<i64> {
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO unavailability (user_id, start, finish, reason, created_at) VALUES ($1, $2, $3, $4, $5) RETURNING id",
    )
    .bind(user.as_str())
    .bind(ts(interval.start))
    .bind(ts(interval.finish))
    .bind(kind.as_str())
    .bind(ts(now))
    .fetch_one(&mut *conn)
    .await?;
    Ok(id)
}

type Row = (i64, String, i64, i64, String);

fn to_entry((id, user, start, finish, reason): Row) -> Result<Entry> {
    let reason = match reason.as_str() {
        "personal" => Reason::Personal,
        "calendar" => Reason::Calendar,
        other => {
            return Err(StoreError::Corrupt(format!(
                "unavailability {id}: bad reason {other}"
            )));
        }
    };
    Ok(Entry {
        id,
        user_id: UserId(user),
        unavailability: Unavailability {
            interval: Interval {
                start: from_ts(start)?,
                finish: from_ts(finish)?,
            },
            reason,
        },
    })
}

/// A user's entries that end after `from`, by start.
pub async fn of_user_from(
    conn: &mut Conn,
    user: &UserId,
    from: DateTime<Utc>,
) -> Result<Vec<Entry>> {
    let rows: Vec<Row> = sqlx::query_as(
        "SELECT id, user_id, start, finish, reason FROM unavailability WHERE user_id = $1 AND finish > $2 ORDER BY start",
    )
    .bind(user.as_str())
    .bind(ts(from))
    .fetch_all(&mut *conn)
    .await?;
    rows.into_iter().map(to_entry).collect()
}

/// Entries of the members of a rotation that end after `from`.
pub async fn of_members_from(
    conn: &mut Conn,
    rotation: RotationId,
    from: DateTime<Utc>,
) -> Result<Vec<Entry>> {
    let rows: Vec<Row> = sqlx::query_as(
        "SELECT u.id, u.user_id, u.start, u.finish, u.reason FROM unavailability u
         JOIN rotation_members m ON m.user_id = u.user_id AND m.rotation_id = $1
         WHERE u.finish > $2 ORDER BY u.start",
    )
    .bind(rotation.0)
    .bind(ts(from))
    .fetch_all(&mut *conn)
    .await?;
    rows.into_iter().map(to_entry).collect()
}

/// Removes a user's entries of one kind overlapping [start, finish) (all of that kind without a window);
/// returns the spans removed, earliest first (the history names them).
pub async fn clear(
    conn: &mut Conn,
    user: &UserId,
    kind: Stored,
    window: Option<Interval>,
) -> Result<Vec<Interval>> {
    // Without a window, a window spanning every representable time.
    let (from, to) = window.map_or((i64::MIN, i64::MAX), |w| (ts(w.start), ts(w.finish)));
    let mut spans: Vec<(i64, i64)> = sqlx::query_as(
        "DELETE FROM unavailability WHERE user_id = $1 AND reason = $2 AND start < $4 AND finish > $3
         RETURNING start, finish",
    )
    .bind(user.as_str())
    .bind(kind.as_str())
    .bind(from)
    .bind(to)
    .fetch_all(&mut *conn)
    .await?;
    spans.sort_unstable();
    spans
        .into_iter()
        .map(|(s, f)| Ok(Interval::new(from_ts(s)?, from_ts(f)?)))
        .collect()
}

/// Removes the entries of one kind with exactly this span: how the calendar job, which identifies its
/// entries by their span, takes back one out-of-office stretch without touching others.
pub async fn remove_exact(
    conn: &mut Conn,
    user: &UserId,
    kind: Stored,
    interval: Interval,
) -> Result<u64> {
    let r = sqlx::query(
        "DELETE FROM unavailability WHERE user_id = $1 AND reason = $2 AND start = $3 AND finish = $4",
    )
    .bind(user.as_str())
    .bind(kind.as_str())
    .bind(ts(interval.start))
    .bind(ts(interval.finish))
    .execute(&mut *conn)
    .await?;
    Ok(r.rows_affected())
}

/// Adds an entry unless one of the same kind and span exists (so a repeated run adds nothing).
/// Returns whether it added one.
pub async fn add_once(
    conn: &mut Conn,
    user: &UserId,
    kind: Stored,
    interval: Interval,
    now: DateTime<Utc>,
) -> Result<bool> {
    let exists: Option<(i64,)> = sqlx::query_as(
        "SELECT id FROM unavailability WHERE user_id = $1 AND reason = $2 AND start = $3 AND finish = $4",
    )
    .bind(user.as_str())
    .bind(kind.as_str())
    .bind(ts(interval.start))
    .bind(ts(interval.finish))
    .fetch_optional(&mut *conn)
    .await?;
    if exists.is_some() {
        return Ok(false);
    }
    add(conn, user, kind, interval, now).await?;
    Ok(true)
}
