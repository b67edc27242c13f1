//! Overrides: an owner has someone serve instead of someone else on a task, for all of it or part.

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
