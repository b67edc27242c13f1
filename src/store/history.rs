//! The audit log: [`record`] one change inside the transaction that makes it, read a rotation's or
//! a task's changes back, and [`prune`] what is older than the retention.
//!
//! Rows keep the typed event as JSON and a one-line summary (times in UTC) written with it; the
//! summary is what a row shows if a later version can no longer read its event.

use chrono::{DateTime, Utc};
use chrono_tz::Tz;

use super::{Conn, Result, StoreError, from_ts, ts};
use crate::lottery::{
    HistoryActor, HistoryEntry, HistoryEvent, Person, RotationId, TaskId, UserId,
};

/// Records one change. Call it with the connection of the transaction that makes the change, so
/// the change and its record are committed (or rolled back) together.
pub async fn record(conn: &mut Conn, entry: &HistoryEntry) -> Result<()> {
    let event = serde_json::to_string(&entry.event)
        .map_err(|e| StoreError::Corrupt(format!("history event: {e}")))?;
    let (kind, user_id, name) = match &entry.actor {
        HistoryActor::Person(p) => ("person", Some(p.id.as_str()), Some(p.username.as_str())),
        HistoryActor::Autopilot => ("autopilot", None, None),
    };
    sqlx::query(
        "INSERT INTO history (rotation_id, task_id, at, actor_kind, actor_user_id, actor_name, event, summary)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(entry.rotation.map(|r| r.0))
    .bind(entry.task.map(|t| t.0))
    .bind(ts(entry.at))
    .bind(kind)
    .bind(user_id)
    .bind(name)
    .bind(event)
    .bind(entry.event.describe(Tz::UTC))
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Records several changes (one per entry), in order.
pub async fn record_all(conn: &mut Conn, entries: &[HistoryEntry]) -> Result<()> {
    for e in entries {
        record(conn, e).await?;
    }
    Ok(())
}

/// Whose changes to read.
#[derive(Debug, Clone, Copy)]
pub enum Scope {
    /// A rotation's, its tasks' and the ones for every rotation (holidays).
    Rotation(RotationId),
    Task(TaskId),
}

/// One recorded change as read back.
#[derive(Debug, Clone)]
pub struct Record {
    pub id: i64,
    pub at: DateTime<Utc>,
    pub rotation: Option<RotationId>,
    /// The task and its number.
    pub task: Option<(TaskId, i64)>,
    pub actor: HistoryActor,
    /// `None`: the stored event is not one this version knows; `summary` says what it was.
    pub event: Option<HistoryEvent>,
    pub summary: String,
}

/// The newest changes of a scope, at most `limit`, oldest first; and how many there are in all.
pub struct Page {
    pub records: Vec<Record>,
    pub total: i64,
}

#[derive(sqlx::FromRow)]
struct Row {
    id: i64,
    rotation_id: Option<i64>,
    task_id: Option<i64>,
    number: Option<i64>,
    at: i64,
    actor_kind: String,
    actor_user_id: Option<String>,
    actor_name: Option<String>,
    event: String,
    summary: String,
}

impl TryFrom<Row> for Record {
    type Error = StoreError;
    fn try_from(r: Row) -> Result<Self> {
        let actor = match r.actor_kind.as_str() {
            "autopilot" => HistoryActor::Autopilot,
            _ => HistoryActor::Person(Person::new(
                UserId(r.actor_user_id.unwrap_or_default()),
                r.actor_name.unwrap_or_default(),
            )),
        };
        Ok(Record {
            id: r.id,
            at: from_ts(r.at)?,
            rotation: r.rotation_id.map(RotationId),
            task: r.task_id.map(|t| (TaskId(t), r.number.unwrap_or_default())),
            actor,
            event: serde_json::from_str(&r.event).ok(),
            summary: r.summary,
        })
    }
}

/// The newest `limit` changes of `scope` at or after `since`, oldest first, and their total count.
pub async fn list(
    conn: &mut Conn,
    scope: Scope,
    since: Option<DateTime<Utc>>,
    limit: i64,
) -> Result<Page> {
    let since = since.map(ts).unwrap_or(i64::MIN);
    let (rows, total): (Vec<Row>, i64) = match scope {
        Scope::Rotation(r) => {
            let rows = sqlx::query_as(
                "SELECT h.id, h.rotation_id, h.task_id, t.number, h.at, h.actor_kind,
                        h.actor_user_id, h.actor_name, h.event, h.summary
                 FROM history h LEFT JOIN tasks t ON t.id = h.task_id
                 WHERE (h.rotation_id = $1 OR h.rotation_id IS NULL) AND h.at >= $2
                 ORDER BY h.at DESC, h.id DESC LIMIT $3",
            )
            .bind(r.0)
            .bind(since)
            .bind(limit)
            .fetch_all(&mut *conn)
            .await?;
            let total = sqlx::query_scalar(
                "SELECT COUNT(*) FROM history
                 WHERE (rotation_id = $1 OR rotation_id IS NULL) AND at >= $2",
            )
            .bind(r.0)
            .bind(since)
            .fetch_one(&mut *conn)
            .await?;
            (rows, total)
        }
        Scope::Task(t) => {
            let rows = sqlx::query_as(
                "SELECT h.id, h.rotation_id, h.task_id, t.number, h.at, h.actor_kind,
                        h.actor_user_id, h.actor_name, h.event, h.summary
                 FROM history h LEFT JOIN tasks t ON t.id = h.task_id
                 WHERE h.task_id = $1 AND h.at >= $2
                 ORDER BY h.at DESC, h.id DESC LIMIT $3",
            )
            .bind(t.0)
            .bind(since)
            .bind(limit)
            .fetch_all(&mut *conn)
            .await?;
            let total =
                sqlx::query_scalar("SELECT COUNT(*) FROM history WHERE task_id = $1 AND at >= $2")
                    .bind(t.0)
                    .bind(since)
                    .fetch_one(&mut *conn)
                    .await?;
            (rows, total)
        }
    };
    let mut records = rows
        .into_iter()
        .map(Record::try_from)
        .collect::<Result<Vec<_>>>()?;
    records.reverse();
    Ok(Page { records, total })
}

/// Deletes the changes recorded before `before`; how many.
pub async fn prune(conn: &mut Conn, before: DateTime<Utc>) -> Result<u64> {
    let done = sqlx::query("DELETE FROM history WHERE at < $1")
        .bind(ts(before))
        .execute(&mut *conn)
        .await?;
    Ok(done.rows_affected())
}
