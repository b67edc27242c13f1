//! What `rotation stats` counts: every (person, task) pair of a rotation whose task is settled
//! (scheduled, started or finished), with the task as `task show` reads it, so the hours add up
//! to what each task shows.

use super::tasks::{Row, Task, prefixed_columns};
use super::{Conn, Result};
use crate::lottery::{RotationId, UserId};

/// Who served on which task; pending tasks (whose people may still change) are left out.
pub async fn services(conn: &mut Conn, rotation: RotationId) -> Result<Vec<(UserId, Task)>> {
    let sql = format!(
        "SELECT tu.user_id AS served_by, {} FROM task_users tu
         JOIN tasks t ON t.id = tu.task_id
         WHERE t.rotation_id = $1 AND t.state <> 'pending'
         ORDER BY t.expected_start, t.number, tu.user_id",
        prefixed_columns()
    );
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(rotation.0)
        .fetch_all(&mut *conn)
        .await?;
    rows.into_iter()
        .map(|row| {
            use sqlx::{FromRow, Row as _};
            let user: String = row.try_get("served_by")?;
            Ok((UserId(user), Task::try_from(Row::from_row(&row)?)?))
        })
        .collect()
}
