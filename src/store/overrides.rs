//! Overrides: an owner has someone serve instead of someone else on a task, for all of it or part;
//! and the moment whose serving people wear a started task's on-call status (`tasks.oncall_at`).

use chrono::{DateTime, Utc};

use super::dialect::portable;
use super::{Conn, Result, from_ts, ts};
use crate::lottery::{TaskId, UserId};

#[derive(Debug, Clone, PartialEq)]
pub struct Override {
    pub id: i64,
    pub task_id: TaskId,
    pub from: UserId,
    pub to: UserId,
    pub start: DateTime<Utc>,
    pub finish: DateTime<Utc>,
}

impl Override {
    /// Whether it is in force at `t`.
    pub fn covers(&self, t: DateTime<Utc>) -> bool {
        self.start <= t && t < self.finish
    }
}

#[derive(Debug, Clone)]
pub struct NewOverride {
    pub task_id: TaskId,
    pub from: UserId,
    pub to: UserId,
    pub start: DateTime<Utc>,
    pub finish: DateTime<Utc>,
    pub created_by: UserId,
}

pub async fn insert(conn: &mut Conn, o: &NewOverride, now: DateTime<Utc>) -> Result<i64> {
    Ok(sqlx::query_scalar(
        "INSERT INTO task_overrides (task_id, from_user, to_user, start_at, finish_at, created_by, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
    )
    .bind(o.task_id.0)
    .bind(o.from.as_str())
    .bind(o.to.as_str())
    .bind(ts(o.start))
    .bind(ts(o.finish))
    .bind(o.created_by.as_str())
    .bind(ts(now))
    .fetch_one(&mut *conn)
    .await?)
}

type Row = (i64, i64, String, String, i64, i64);

fn from_row(r: Row) -> Result<Override> {
    Ok(Override {
        id: r.0,
        task_id: TaskId(r.1),
        from: UserId(r.2),
        to: UserId(r.3),
        start: from_ts(r.4)?,
        finish: from_ts(r.5)?,
    })
}

/// A task's overrides in start order.
pub async fn of_task(conn: &mut Conn, task: TaskId) -> Result<Vec<Override>> {
    sqlx::query_as::<_, Row>(
        "SELECT id, task_id, from_user, to_user, start_at, finish_at FROM task_overrides
         WHERE task_id = $1 ORDER BY start_at, id",
    )
    .bind(task.0)
    .fetch_all(&mut *conn)
    .await?
    .into_iter()
    .map(from_row)
    .collect()
}

/// The overrides of several tasks, in start order, in one statement.
pub async fn of_tasks(conn: &mut Conn, tasks: &[TaskId]) -> Result<Vec<Override>> {
    if tasks.is_empty() {
        return Ok(Vec::new());
    }
    let ids = serde_json::to_string(&tasks.iter().map(|t| t.0).collect::<Vec<_>>())
        .unwrap_or_else(|_| "[]".into());
    sqlx::query_as::<_, Row>(portable!(
        conn,
        "SELECT id, task_id, from_user, to_user, start_at, finish_at FROM task_overrides
         WHERE task_id IN (SELECT CAST(value AS BIGINT) FROM json_each($1))
         ORDER BY start_at, id"
    ))
    .bind(ids)
    .fetch_all(&mut *conn)
    .await?
    .into_iter()
    .map(from_row)
    .collect()
}

/// The moment whose serving people wear the started task's on-call status now; `None` for a task
/// started before that was recorded (the people serving all of it wear it).
pub async fn oncall_at(conn: &mut Conn, task: TaskId) -> Result<Option<DateTime<Utc>>> {
    let at: Option<Option<i64>> = sqlx::query_scalar("SELECT oncall_at FROM tasks WHERE id = $1")
        .bind(task.0)
        .fetch_optional(&mut *conn)
        .await?;
    at.flatten().map(from_ts).transpose()
}

pub async fn set_oncall_at(conn: &mut Conn, task: TaskId, at: DateTime<Utc>) -> Result<()> {
    sqlx::query("UPDATE tasks SET oncall_at = $2 WHERE id = $1")
        .bind(task.0)
        .bind(ts(at))
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// The started tasks whose on-call status may change hands: those with overrides, in active
/// rotations that have an on-call status.
pub async fn started_with_oncall_overrides(conn: &mut Conn) -> Result<Vec<TaskId>> {
    let ids: Vec<i64> = sqlx::query_scalar(
        "SELECT DISTINCT t.id FROM tasks t
         JOIN task_overrides o ON o.task_id = t.id
         JOIN rotations r ON r.id = t.rotation_id
         JOIN rotation_oncall_status s ON s.rotation_id = r.id
         WHERE t.state = 'started' AND r.archived_at IS NULL
         ORDER BY t.id",
    )
    .fetch_all(&mut *conn)
    .await?;
    Ok(ids.into_iter().map(TaskId).collect())
}
