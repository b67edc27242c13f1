//! What the autopilot reads in bulk (the tasks a tick may act on, the shifts already created) and
//! the alerts that keep owners from hearing about the same unfillable task twice.

use chrono::{DateTime, Utc};

use super::tasks::{Row, Task, prefixed_columns};
use super::{Conn, Result, ts};
use crate::lottery::{RotationId, TaskId};

/// Autopilot alerts: returns true when `reason` differs from what the owners were last told.
pub async fn alert_is_new(conn: &mut Conn, id: TaskId, reason: &str) -> Result<bool> {
    let row: Option<(String,)> =
        sqlx::query_as("SELECT reason FROM autopilot_alerts WHERE task_id = $1")
            .bind(id.0)
            .fetch_optional(&mut *conn)
            .await?;
    Ok(row.map(|r| r.0 != reason).unwrap_or(true))
}

pub async fn record_alert(
    conn: &mut Conn,
    id: TaskId,
    reason: &str,
    now: DateTime<Utc>,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO autopilot_alerts (task_id, reason, notified_at) VALUES ($1, $2, $3)
         ON CONFLICT(task_id) DO UPDATE SET reason = excluded.reason, notified_at = excluded.notified_at",
    )
    .bind(id.0)
    .bind(reason)
    .bind(ts(now))
    .execute(&mut *conn)
    .await?;
    Ok(())
}

pub async fn clear_alert(conn: &mut Conn, id: TaskId) -> Result<()> {
    sqlx::query("DELETE FROM autopilot_alerts WHERE task_id = $1")
        .bind(id.0)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// When a task ends, as `TaskTimes::finish` computes it (actual times when known, else expected),
/// never before it starts. (A `CASE`, as the two-argument `MAX` is SQLite's and `GREATEST` Postgres's.)
const FINISH_SQL: &str = "(CASE WHEN COALESCE(t.actual_finish, COALESCE(t.actual_start, t.expected_start) \
    + t.expected_duration) >= COALESCE(t.actual_start, t.expected_start) \
    THEN COALESCE(t.actual_finish, COALESCE(t.actual_start, t.expected_start) + t.expected_duration) \
    ELSE COALESCE(t.actual_start, t.expected_start) END)";

/// Tasks some autopilot step may act on at `now`, in start order per rotation: of one rotation, or of
/// every active one. It mirrors the steps' own checks in SQL so a tick over many rotations with
/// nothing due reads no rows; the autopilot checks each task again before acting on it.
pub async fn autopilot_candidates(
    conn: &mut Conn,
    rotation: Option<RotationId>,
    now: DateTime<Utc>,
) -> Result<Vec<Task>> {
    // One rotation: `t.rotation_id = $2` lets SQLite use the index instead of scanning every task.
    let one = if rotation.is_some() {
        "AND t.rotation_id = $2"
    } else {
        ""
    };
    let sql = format!(
        "SELECT {cols} FROM tasks t JOIN rotations r ON r.id = t.rotation_id
         WHERE r.archived_at IS NULL {one} AND (
            (t.state = 'started' AND (
                (r.ap_remind_finish <> 0 AND t.reminded_finish = 0
                    AND $1 >= {fin} - r.ap_remind_finish_prior AND $1 < {fin})
                OR (r.ap_start_finish <> 0 AND {fin} <= $1)))
            OR (t.state = 'pending' AND r.ap_schedule <> 0 AND $1 >= t.expected_start - r.ap_schedule_prior)
            OR (t.state = 'scheduled' AND (
                (r.ap_remind_start <> 0 AND t.reminded_start = 0
                    AND $1 >= t.expected_start - r.ap_remind_start_prior AND $1 < t.expected_start)
                OR (r.ap_start_finish <> 0 AND t.expected_start <= $1))))
         ORDER BY t.rotation_id, t.expected_start, t.number",
        cols = prefixed_columns(),
        fin = FINISH_SQL,
    );
    let mut query = sqlx::query_as::<_, Row>(sqlx::AssertSqlSafe(sql)).bind(ts(now));
    if let Some(r) = rotation {
        query = query.bind(r.0);
    }
    query
        .fetch_all(&mut *conn)
        .await?
        .into_iter()
        .map(Task::try_from)
        .collect()
}

/// Which task numbers exist among the given ranges `[from, to)` of each rotation, in one query.
pub async fn existing_numbers(
    conn: &mut Conn,
    ranges: &[(RotationId, i64, i64)],
) -> Result<std::collections::HashSet<(RotationId, i64)>> {
    if ranges.is_empty() {
        return Ok(Default::default());
    }
    let json = serde_json::Value::Array(
        ranges
            .iter()
            .map(|(r, from, to)| serde_json::json!([r.0, from, to]))
            .collect(),
    )
    .to_string();
    // The ranges travel as one JSON array of `[rotation, from, to]`; each engine unpacks it its way.
    let sql = match super::Backend::of(conn) {
        super::Backend::Sqlite => {
            "SELECT t.rotation_id, t.number FROM json_each($1) j JOIN tasks t
               ON t.rotation_id = json_extract(j.value, '$[0]')
              AND t.number >= json_extract(j.value, '$[1]') AND t.number < json_extract(j.value, '$[2]')"
        }
        super::Backend::Postgres => {
            "SELECT t.rotation_id, t.number FROM json_array_elements($1::json) j JOIN tasks t
               ON t.rotation_id = (j.value->>0)::bigint
              AND t.number >= (j.value->>1)::bigint AND t.number < (j.value->>2)::bigint"
        }
    };
    let rows: Vec<(i64, i64)> = sqlx::query_as(sql).bind(json).fetch_all(&mut *conn).await?;
    Ok(rows.into_iter().map(|(r, n)| (RotationId(r), n)).collect())
}
