//! Tasks (shifts and tickets): timing, state, their own copy of needs, and the people on them.

use std::collections::HashMap;

use chrono::{DateTime, TimeDelta, Utc};

use super::dialect::portable;
use super::rotations::{NeedKind, parse_needs};
use super::{Conn, Result, StoreError, from_ts, ts};
use crate::lottery::{RotationId, SkillLevel, TaskId, TaskState, TaskTimes, TaskType, UserId};

#[derive(Debug, Clone, PartialEq)]
pub struct Task {
    pub id: TaskId,
    pub rotation_id: RotationId,
    pub number: i64,
    pub kind: TaskType,
    pub state: TaskState,
    pub times: TaskTimes,
    pub grace: TimeDelta,
    pub summary: Option<String>,
    pub reminded_start: bool,
    pub reminded_finish: bool,
    pub created_at: DateTime<Utc>,
}

const COLUMNS: &str = "id, rotation_id, number, kind, state, expected_start, expected_duration, \
    actual_start, actual_finish, grace, summary, reminded_start, reminded_finish, created_at";

#[derive(sqlx::FromRow)]
pub(crate) struct Row {
    id: i64,
    rotation_id: i64,
    number: i64,
    kind: String,
    state: String,
    expected_start: i64,
    expected_duration: i64,
    actual_start: Option<i64>,
    actual_finish: Option<i64>,
    grace: i64,
    summary: Option<String>,
    reminded_start: i64,
    reminded_finish: i64,
    created_at: i64,
}

impl TryFrom<Row> for Task {
    type Error = StoreError;
    fn try_from(r: Row) -> Result<Self> {
        let corrupt = |what: &str| StoreError::Corrupt(format!("task {}: bad {what}", r.id));
        Ok(Task {
            id: TaskId(r.id),
            rotation_id: RotationId(r.rotation_id),
            number: r.number,
            kind: r.kind.parse().map_err(|_| corrupt("kind"))?,
            state: r.state.parse().map_err(|_| corrupt("state"))?,
            times: TaskTimes {
                expected_start: from_ts(r.expected_start)?,
                expected_duration: TimeDelta::seconds(r.expected_duration),
                actual_start: r.actual_start.map(from_ts).transpose()?,
                actual_finish: r.actual_finish.map(from_ts).transpose()?,
            },
            grace: TimeDelta::seconds(r.grace),
            summary: r.summary,
            reminded_start: r.reminded_start != 0,
            reminded_finish: r.reminded_finish != 0,
            created_at: from_ts(r.created_at)?,
        })
    }
}

/// A task row as a JSON tuple, in `COLUMNS` order (for one-row JSON reads).
pub(crate) type TaskTuple = (
    i64,
    i64,
    i64,
    String,
    String,
    i64,
    i64,
    Option<i64>,
    Option<i64>,
    i64,
    Option<String>,
    i64,
    i64,
    i64,
);

/// `json_array(…)` of the task columns, in `COLUMNS` order, for a table aliased `t`.
pub(crate) const JSON_COLUMNS: &str = "json_array(t.id, t.rotation_id, t.number, t.kind, t.state, \
    t.expected_start, t.expected_duration, t.actual_start, t.actual_finish, t.grace, t.summary, \
    t.reminded_start, t.reminded_finish, t.created_at)";

pub(crate) fn task_from_tuple(t: TaskTuple) -> Result<Task> {
    Task::try_from(Row {
        id: t.0,
        rotation_id: t.1,
        number: t.2,
        kind: t.3,
        state: t.4,
        expected_start: t.5,
        expected_duration: t.6,
        actual_start: t.7,
        actual_finish: t.8,
        grace: t.9,
        summary: t.10,
        reminded_start: t.11,
        reminded_finish: t.12,
        created_at: t.13,
    })
}

#[derive(Debug, Clone)]
pub struct NewTask {
    pub rotation_id: RotationId,
    pub number: i64,
    pub kind: TaskType,
    pub expected_start: DateTime<Utc>,
    pub expected_duration: TimeDelta,
    pub grace: TimeDelta,
    pub summary: Option<String>,
    pub require: Vec<(SkillLevel, u32)>,
    pub limit: Vec<(SkillLevel, u32)>,
}

/// Inserts a pending task with its own copy of the needs. A duplicate number is `StoreError::Conflict`.
pub async fn insert(conn: &mut Conn, t: &NewTask, now: DateTime<Utc>) -> Result<TaskId> {
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO tasks (rotation_id, number, kind, state, expected_start, expected_duration, grace,
           summary, created_at) VALUES ($1, $2, $3, 'pending', $4, $5, $6, $7, $8) RETURNING id",
    )
    .bind(t.rotation_id.0)
    .bind(t.number)
    .bind(t.kind.as_str())
    .bind(ts(t.expected_start))
    .bind(t.expected_duration.num_seconds())
    .bind(t.grace.num_seconds())
    .bind(&t.summary)
    .bind(ts(now))
    .fetch_one(&mut *conn)
    .await?;
    let id = TaskId(id);
    for (kind, needs) in [(NeedKind::Require, &t.require), (NeedKind::Limit, &t.limit)] {
        for (sl, count) in needs {
            sqlx::query("INSERT INTO task_needs (task_id, kind, skill_level, count) VALUES ($1, $2, $3, $4)")
                .bind(id.0)
                .bind(kind.as_str())
                .bind(sl.to_input())
                .bind(i64::from(*count))
                .execute(&mut *conn)
                .await?;
        }
    }
    Ok(id)
}

pub async fn get(conn: &mut Conn, id: TaskId) -> Result<Task> {
    let sql = format!("SELECT {COLUMNS} FROM tasks WHERE id = $1");
    sqlx::query_as::<_, Row>(sqlx::AssertSqlSafe(sql))
        .bind(id.0)
        .fetch_one(&mut *conn)
        .await?
        .try_into()
}

pub async fn by_number(conn: &mut Conn, rotation: RotationId, number: i64) -> Result<Option<Task>> {
    let sql = format!("SELECT {COLUMNS} FROM tasks WHERE rotation_id = $1 AND number = $2");
    sqlx::query_as::<_, Row>(sqlx::AssertSqlSafe(sql))
        .bind(rotation.0)
        .bind(number)
        .fetch_optional(&mut *conn)
        .await?
        .map(Task::try_from)
        .transpose()
}

/// Tasks of a rotation in start order; finished ones only when `include_finished`.
pub async fn of_rotation(
    conn: &mut Conn,
    rotation: RotationId,
    include_finished: bool,
) -> Result<Vec<Task>> {
    let sql = format!(
        "SELECT {COLUMNS} FROM tasks WHERE rotation_id = $1 AND ($2 OR state != 'finished')
         ORDER BY expected_start, number"
    );
    sqlx::query_as::<_, Row>(sqlx::AssertSqlSafe(sql))
        .bind(rotation.0)
        .bind(include_finished)
        .fetch_all(&mut *conn)
        .await?
        .into_iter()
        .map(Task::try_from)
        .collect()
}

/// The highest shift number created so far.
pub async fn max_number(conn: &mut Conn, rotation: RotationId) -> Result<Option<i64>> {
    let (n,): (Option<i64>,) =
        sqlx::query_as("SELECT MAX(number) FROM tasks WHERE rotation_id = $1")
            .bind(rotation.0)
            .fetch_one(&mut *conn)
            .await?;
    Ok(n)
}

pub async fn needs(conn: &mut Conn, id: TaskId, kind: NeedKind) -> Result<Vec<(SkillLevel, u32)>> {
    let rows: Vec<(String, i64)> = sqlx::query_as(
        "SELECT skill_level, count FROM task_needs WHERE task_id = $1 AND kind = $2 ORDER BY skill_level",
    )
    .bind(id.0)
    .bind(kind.as_str())
    .fetch_all(&mut *conn)
    .await?;
    parse_needs(rows)
}

/// Both lists of needs of a task, (require, limit), in one query.
pub async fn all_needs(
    conn: &mut Conn,
    id: TaskId,
) -> Result<(Vec<(SkillLevel, u32)>, Vec<(SkillLevel, u32)>)> {
    let rows: Vec<(String, String, i64)> = sqlx::query_as(
        "SELECT kind, skill_level, count FROM task_needs WHERE task_id = $1 ORDER BY skill_level",
    )
    .bind(id.0)
    .fetch_all(&mut *conn)
    .await?;
    let (require, limit): (Vec<_>, Vec<_>) = rows
        .into_iter()
        .partition(|(kind, _, _)| kind == NeedKind::Require.as_str());
    let strip = |v: Vec<(String, String, i64)>| v.into_iter().map(|(_, sl, c)| (sl, c)).collect();
    Ok((parse_needs(strip(require))?, parse_needs(strip(limit))?))
}

/// Writes state, actual times and reminder flags back.
pub async fn update(conn: &mut Conn, t: &Task) -> Result<()> {
    sqlx::query(
        "UPDATE tasks SET state = $2, actual_start = $3, actual_finish = $4, reminded_start = $5,
           reminded_finish = $6 WHERE id = $1",
    )
    .bind(t.id.0)
    .bind(t.state.to_string())
    .bind(t.times.actual_start.map(ts))
    .bind(t.times.actual_finish.map(ts))
    .bind(i64::from(t.reminded_start))
    .bind(i64::from(t.reminded_finish))
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// `(task_id, position, user_id)` rows into each task's people in assignment order.
pub(crate) fn group_task_users(mut rows: Vec<(i64, i64, String)>) -> HashMap<TaskId, Vec<UserId>> {
    rows.sort_by_key(|r| (r.0, r.1));
    let mut out: HashMap<TaskId, Vec<UserId>> = HashMap::new();
    for (t, _, u) in rows {
        out.entry(TaskId(t)).or_default().push(UserId(u));
    }
    out
}

/// `(task_id, kind, skill_level, count)` rows into each task's needs (every id gets an entry).
pub(crate) fn group_task_needs(
    mut rows: Vec<(i64, String, String, i64)>,
    ids: &[TaskId],
) -> Result<HashMap<TaskId, TaskNeeds>> {
    rows.sort_by(|a, b| a.2.cmp(&b.2));
    let mut rows_by: HashMap<(TaskId, NeedKind), Vec<(String, i64)>> = HashMap::new();
    for (t, kind, sl, c) in rows {
        let kind = if kind == NeedKind::Limit.as_str() {
            NeedKind::Limit
        } else {
            NeedKind::Require
        };
        rows_by.entry((TaskId(t), kind)).or_default().push((sl, c));
    }
    let mut out = HashMap::new();
    for id in ids {
        let require = parse_needs(
            rows_by
                .remove(&(*id, NeedKind::Require))
                .unwrap_or_default(),
        )?;
        let limit = parse_needs(rows_by.remove(&(*id, NeedKind::Limit)).unwrap_or_default())?;
        out.insert(*id, TaskNeeds { require, limit });
    }
    Ok(out)
}

/// A task's own copy of the rotation's needs.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TaskNeeds {
    pub require: Vec<(SkillLevel, u32)>,
    pub limit: Vec<(SkillLevel, u32)>,
}

/// People on the task, in assignment order.
pub async fn users(conn: &mut Conn, id: TaskId) -> Result<Vec<UserId>> {
    let rows: Vec<(String,)> =
        sqlx::query_as("SELECT user_id FROM task_users WHERE task_id = $1 ORDER BY position")
            .bind(id.0)
            .fetch_all(&mut *conn)
            .await?;
    Ok(rows.into_iter().map(|r| UserId(r.0)).collect())
}

pub async fn add_user(conn: &mut Conn, id: TaskId, user: &UserId) -> Result<bool> {
    let r = sqlx::query(
        "INSERT INTO task_users (task_id, user_id, position)
         VALUES ($1, $2, (SELECT COALESCE(MAX(position), 0) + 1 FROM task_users WHERE task_id = $1))
         ON CONFLICT DO NOTHING",
    )
    .bind(id.0)
    .bind(user.as_str())
    .execute(&mut *conn)
    .await?;
    Ok(r.rows_affected() == 1)
}

pub async fn remove_user(conn: &mut Conn, id: TaskId, user: &UserId) -> Result<bool> {
    let r = sqlx::query("DELETE FROM task_users WHERE task_id = $1 AND user_id = $2")
        .bind(id.0)
        .bind(user.as_str())
        .execute(&mut *conn)
        .await?;
    Ok(r.rows_affected() == 1)
}

/// Open (not finished) tasks a user is on, across rotations: (rotation name, task).
pub async fn open_tasks_of_user(conn: &mut Conn, user: &UserId) -> Result<Vec<(String, Task)>> {
    let sql = format!(
        "SELECT r.name AS rotation_name, {} FROM task_users tu JOIN tasks t ON t.id = tu.task_id
         JOIN rotations r ON r.id = t.rotation_id
         WHERE tu.user_id = $1 AND t.state != 'finished' ORDER BY t.expected_start",
        prefixed_columns()
    );
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(user.as_str())
        .fetch_all(&mut *conn)
        .await?;
    rows.into_iter()
        .map(|row| {
            use sqlx::{FromRow, Row as _};
            let name: String = row.try_get("rotation_name")?;
            Ok((name, Task::try_from(Row::from_row(&row)?)?))
        })
        .collect()
}

/// Tasks that members of `rotation` are on (in any rotation) and that may still occupy them after
/// `from`, counting grace: what makes a member busy or in grace for a fill. (user, task.)
pub async fn busy_of_members(
    conn: &mut Conn,
    rotation: RotationId,
    from: DateTime<Utc>,
) -> Result<Vec<(UserId, Task)>> {
    let sql = format!(
        "SELECT tu.user_id AS busy_user, {} FROM task_users tu
         JOIN rotation_members m ON m.user_id = tu.user_id AND m.rotation_id = $1
         JOIN tasks t ON t.id = tu.task_id
         WHERE t.actual_start IS NOT NULL AND t.actual_finish IS NULL
            OR COALESCE(t.actual_finish, COALESCE(t.actual_start, t.expected_start) + t.expected_duration) + t.grace > $2",
        prefixed_columns()
    );
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(rotation.0)
        .bind(ts(from))
        .fetch_all(&mut *conn)
        .await?;
    rows.into_iter()
        .map(|row| {
            use sqlx::{FromRow, Row as _};
            let user: String = row.try_get("busy_user")?;
            Ok((UserId(user), Task::try_from(Row::from_row(&row)?)?))
        })
        .collect()
}

pub(crate) fn prefixed_columns() -> String {
    COLUMNS
        .split(", ")
        .map(|c| format!("t.{c}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// `ROTATION#N` for each task id (unknown ids are left out), in one query.
pub async fn names(
    conn: &mut Conn,
    ids: &[TaskId],
) -> Result<std::collections::HashMap<TaskId, String>> {
    if ids.is_empty() {
        return Ok(Default::default());
    }
    let json = serde_json::to_string(&ids.iter().map(|t| t.0).collect::<Vec<_>>())
        .unwrap_or_else(|_| "[]".into());
    let rows: Vec<(i64, String, i64)> = sqlx::query_as(portable!(
        conn,
        "SELECT t.id, r.name, t.number FROM tasks t JOIN rotations r ON r.id = t.rotation_id
         WHERE t.id IN (SELECT CAST(value AS BIGINT) FROM json_each($1))"
    ))
    .bind(json)
    .fetch_all(&mut *conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(id, name, n)| (TaskId(id), format!("{name}#{n}")))
        .collect())
}
