//! Presence around on-call: the rotations' presence and on-call status settings, what the presence job
//! last saw of each person it polls, and the absence episodes the owners were told about.

use std::collections::HashMap;

use chrono::{DateTime, TimeDelta, Utc};

use super::dialect::portable;
use super::{Conn, Result, from_ts, ts};
use crate::lottery::{RotationId, TaskId, UserId};

/// `rotation set presence`: owners hear when someone on a started task is offline this long.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PresenceSettings {
    pub absent_after: TimeDelta,
    /// Also post in this channel (id, name as the owner typed it).
    pub channel: Option<(String, String)>,
}

/// `rotation set oncall-status`: the custom status of the people on a started task.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OncallStatus {
    pub emoji: String,
    /// `{rotation}` becomes the rotation's name.
    pub text: String,
}

pub async fn presence(conn: &mut Conn, id: RotationId) -> Result<Option<PresenceSettings>> {
    let row: Option<(i64, Option<String>, Option<String>)> = sqlx::query_as(
        "SELECT absent_after, channel_id, channel_name FROM rotation_presence WHERE rotation_id = $1",
    )
    .bind(id.0)
    .fetch_optional(&mut *conn)
    .await?;
    Ok(row.map(|(secs, id, name)| PresenceSettings {
        absent_after: TimeDelta::seconds(secs),
        channel: id.zip(name),
    }))
}

pub async fn set_presence(
    conn: &mut Conn,
    id: RotationId,
    s: &PresenceSettings,
    by: &UserId,
    now: DateTime<Utc>,
) -> Result<()> {
    let (channel_id, channel_name) = s.channel.clone().unzip();
    sqlx::query(
        "INSERT INTO rotation_presence (rotation_id, absent_after, channel_id, channel_name, updated_by, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT(rotation_id) DO UPDATE SET absent_after = excluded.absent_after,
           channel_id = excluded.channel_id, channel_name = excluded.channel_name,
           updated_by = excluded.updated_by, updated_at = excluded.updated_at",
    )
    .bind(id.0)
    .bind(s.absent_after.num_seconds())
    .bind(channel_id)
    .bind(channel_name)
    .bind(by.as_str())
    .bind(ts(now))
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Turns presence alerts off; false when they were not on.
pub async fn clear_presence(conn: &mut Conn, id: RotationId) -> Result<bool> {
    let r = sqlx::query("DELETE FROM rotation_presence WHERE rotation_id = $1")
        .bind(id.0)
        .execute(&mut *conn)
        .await?;
    Ok(r.rows_affected() > 0)
}

pub async fn oncall_status(conn: &mut Conn, id: RotationId) -> Result<Option<OncallStatus>> {
    let row: Option<(String, String)> =
        sqlx::query_as("SELECT emoji, text FROM rotation_oncall_status WHERE rotation_id = $1")
            .bind(id.0)
            .fetch_optional(&mut *conn)
            .await?;
    Ok(row.map(|(emoji, text)| OncallStatus { emoji, text }))
}

pub async fn set_oncall_status(
    conn: &mut Conn,
    id: RotationId,
    s: &OncallStatus,
    by: &UserId,
    now: DateTime<Utc>,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO rotation_oncall_status (rotation_id, emoji, text, updated_by, updated_at)
         VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT(rotation_id) DO UPDATE SET emoji = excluded.emoji, text = excluded.text,
           updated_by = excluded.updated_by, updated_at = excluded.updated_at",
    )
    .bind(id.0)
    .bind(&s.emoji)
    .bind(&s.text)
    .bind(by.as_str())
    .bind(ts(now))
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Turns the on-call status off; false when it was not on.
pub async fn clear_oncall_status(conn: &mut Conn, id: RotationId) -> Result<bool> {
    let r = sqlx::query("DELETE FROM rotation_oncall_status WHERE rotation_id = $1")
        .bind(id.0)
        .execute(&mut *conn)
        .await?;
    Ok(r.rows_affected() > 0)
}

/// One person on one started task, with the task's rotation's presence settings (if on).
#[derive(Debug, Clone)]
pub struct OnCall {
    pub rotation_id: RotationId,
    pub rotation: String,
    pub task_id: TaskId,
    pub task_number: i64,
    pub user_id: UserId,
    pub absent_after: Option<TimeDelta>,
    pub channel_id: Option<String>,
}

/// Who the presence job polls: everyone on a started task of an active rotation, and the owners
/// of active rotations with presence alerts on. Two one-row JSON reads, however many people.
pub async fn watch_list(conn: &mut Conn) -> Result<(Vec<OnCall>, Vec<UserId>)> {
    type Tuple = (i64, String, i64, i64, String, Option<i64>, Option<String>);
    let (json,): (String,) = sqlx::query_as(portable!(
        conn,
        "SELECT json_group_array(json_array(r.id, r.name, t.id, t.number, tu.user_id, p.absent_after, p.channel_id))
         FROM tasks t JOIN rotations r ON r.id = t.rotation_id
         JOIN task_users tu ON tu.task_id = t.id
         LEFT JOIN rotation_presence p ON p.rotation_id = r.id
         WHERE t.state = 'started' AND r.archived_at IS NULL"
    ))
    .fetch_one(&mut *conn)
    .await?;
    let on_call = super::json_rows::<Tuple>(&json)?
        .into_iter()
        .map(|(r, name, t, number, user, after, channel)| OnCall {
            rotation_id: RotationId(r),
            rotation: name,
            task_id: TaskId(t),
            task_number: number,
            user_id: UserId(user),
            absent_after: after.map(TimeDelta::seconds),
            channel_id: channel,
        })
        .collect();
    let owners: Vec<(String,)> = sqlx::query_as(
        "SELECT DISTINCT o.user_id FROM rotation_owners o
         JOIN rotation_presence p ON p.rotation_id = o.rotation_id
         JOIN rotations r ON r.id = o.rotation_id WHERE r.archived_at IS NULL",
    )
    .fetch_all(&mut *conn)
    .await?;
    Ok((on_call, owners.into_iter().map(|(u,)| UserId(u)).collect()))
}

/// What the presence job last saw of a person.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Seen {
    pub user_id: UserId,
    pub status: String,
    pub offline_since: Option<DateTime<Utc>>,
    pub changed_at: DateTime<Utc>,
}

/// The last statuses seen of `ids` (those ever polled).
pub async fn seen(conn: &mut Conn, ids: &[UserId]) -> Result<HashMap<UserId, Seen>> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let (json,): (String,) = sqlx::query_as(portable!(
        conn,
        "SELECT json_group_array(json_array(user_id, status, offline_since, changed_at))
         FROM presence_seen WHERE user_id IN (SELECT value FROM json_each($1))"
    ))
    .bind(super::json_ids(ids.iter().map(UserId::as_str)))
    .fetch_one(&mut *conn)
    .await?;
    let mut out = HashMap::new();
    for (user, status, since, changed) in
        super::json_rows::<(String, String, Option<i64>, i64)>(&json)?
    {
        let seen = Seen {
            user_id: UserId(user),
            status,
            offline_since: since.map(from_ts).transpose()?,
            changed_at: from_ts(changed)?,
        };
        out.insert(seen.user_id.clone(), seen);
    }
    Ok(out)
}

/// Records changed statuses (the job writes only what changed since its last write).
pub async fn record_seen(conn: &mut Conn, changes: &[Seen]) -> Result<()> {
    for s in changes {
        sqlx::query(
            "INSERT INTO presence_seen (user_id, status, offline_since, changed_at) VALUES ($1, $2, $3, $4)
             ON CONFLICT(user_id) DO UPDATE SET status = excluded.status,
               offline_since = excluded.offline_since, changed_at = excluded.changed_at",
        )
        .bind(s.user_id.as_str())
        .bind(&s.status)
        .bind(s.offline_since.map(ts))
        .bind(ts(s.changed_at))
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

/// An absence the owners were told about and whose "back" note is still due.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Episode {
    pub task_id: TaskId,
    pub user_id: UserId,
    pub offline_since: DateTime<Utc>,
}

pub async fn open_episodes(conn: &mut Conn) -> Result<Vec<Episode>> {
    let rows: Vec<(i64, String, i64)> = sqlx::query_as(
        "SELECT task_id, user_id, offline_since FROM presence_episodes WHERE back_at IS NULL",
    )
    .fetch_all(&mut *conn)
    .await?;
    rows.into_iter()
        .map(|(t, u, since)| {
            Ok(Episode {
                task_id: TaskId(t),
                user_id: UserId(u),
                offline_since: from_ts(since)?,
            })
        })
        .collect()
}

/// Records that the owners were told; false when this episode was already told.
pub async fn open_episode(conn: &mut Conn, e: &Episode, now: DateTime<Utc>) -> Result<bool> {
    let r = sqlx::query(
        "INSERT INTO presence_episodes (task_id, user_id, offline_since, alerted_at)
         VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING",
    )
    .bind(e.task_id.0)
    .bind(e.user_id.as_str())
    .bind(ts(e.offline_since))
    .bind(ts(now))
    .execute(&mut *conn)
    .await?;
    Ok(r.rows_affected() == 1)
}

/// Closes an episode (the person is back, or the task is no longer started); false when it was
/// already closed.
pub async fn close_episode(conn: &mut Conn, e: &Episode, now: DateTime<Utc>) -> Result<bool> {
    let r = sqlx::query(
        "UPDATE presence_episodes SET back_at = $4
         WHERE task_id = $1 AND user_id = $2 AND offline_since = $3 AND back_at IS NULL",
    )
    .bind(e.task_id.0)
    .bind(e.user_id.as_str())
    .bind(ts(e.offline_since))
    .bind(ts(now))
    .execute(&mut *conn)
    .await?;
    Ok(r.rows_affected() == 1)
}
