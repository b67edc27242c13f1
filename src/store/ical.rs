//! iCalendar feeds: the secret token of each feed link, and the tasks a feed lists.

use std::collections::HashMap;
use std::sync::LazyLock;

use chrono::{DateTime, Utc};

use super::dialect::portable;
use super::tasks::{JSON_COLUMNS, TaskTuple, task_from_tuple};
use super::{Conn, Result, from_ts, json_rows, ts};
use crate::lottery::{RotationId, TaskId, UserId};
use crate::store::tasks::Task;

/// Whose shifts a feed lists.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FeedSubject {
    Rotation(RotationId),
    User(UserId),
}

/// A feed link as stored.
#[derive(Debug, Clone)]
pub struct FeedToken {
    pub token: String,
    pub subject: FeedSubject,
    /// The fingerprint of what the feed last served, and when that changed.
    pub fingerprint: Option<String>,
    pub changed_at: DateTime<Utc>,
    /// The feed's counter as of this read: it moves with every change to what this feed shows
    /// (a rotation's own and every rotation's changes, or for a person's feed any change; see
    /// migration 0011), so a feed rendered at the same generation is still current.
    pub generation: i64,
}

#[derive(sqlx::FromRow)]
struct TokenRow {
    token: String,
    rotation_id: Option<i64>,
    user_id: Option<String>,
    fingerprint: Option<String>,
    changed_at: i64,
    generation: i64,
}

/// The feed's token, if it has one.
pub async fn token_of(conn: &mut Conn, subject: &FeedSubject) -> Result<Option<String>> {
    let found = match subject {
        FeedSubject::Rotation(id) => {
            sqlx::query_scalar("SELECT token FROM ical_tokens WHERE rotation_id = $1")
                .bind(id.0)
                .fetch_optional(&mut *conn)
                .await?
        }
        FeedSubject::User(id) => {
            sqlx::query_scalar("SELECT token FROM ical_tokens WHERE user_id = $1")
                .bind(id.as_str())
                .fetch_optional(&mut *conn)
                .await?
        }
    };
    Ok(found)
}

/// Replaces the feed's token (if any) with `token`: the old link stops working at once.
pub async fn replace(
    conn: &mut Conn,
    subject: &FeedSubject,
    token: &str,
    now: DateTime<Utc>,
) -> Result<()> {
    let (rotation, user) = match subject {
        FeedSubject::Rotation(id) => {
            sqlx::query("DELETE FROM ical_tokens WHERE rotation_id = $1")
                .bind(id.0)
                .execute(&mut *conn)
                .await?;
            (Some(id.0), None)
        }
        FeedSubject::User(id) => {
            sqlx::query("DELETE FROM ical_tokens WHERE user_id = $1")
                .bind(id.as_str())
                .execute(&mut *conn)
                .await?;
            (None, Some(id.as_str()))
        }
    };
    sqlx::query(
        "INSERT INTO ical_tokens (token, rotation_id, user_id, changed_at, created_at)
         VALUES ($1, $2, $3, $4, $4)",
    )
    .bind(token)
    .bind(rotation)
    .bind(user)
    .bind(ts(now))
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// The feed a token opens, if it is current.
pub async fn lookup(conn: &mut Conn, token: &str) -> Result<Option<FeedToken>> {
    let row: Option<TokenRow> = sqlx::query_as(
        "SELECT t.token, t.rotation_id, t.user_id, t.fingerprint, t.changed_at,
                CAST(COALESCE((SELECT SUM(g.generation) FROM feed_generations g
                               WHERE g.scope IN (COALESCE(t.rotation_id, 0),
                                                 CASE WHEN t.rotation_id IS NULL THEN 0 ELSE -1 END)),
                              0) AS BIGINT) AS generation
         FROM ical_tokens t WHERE t.token = $1",
    )
    .bind(token)
    .fetch_optional(&mut *conn)
    .await?;
    let Some(r) = row else { return Ok(None) };
    let subject = match (r.rotation_id, r.user_id) {
        (Some(id), _) => FeedSubject::Rotation(RotationId(id)),
        (None, Some(id)) => FeedSubject::User(UserId(id)),
        (None, None) => return Ok(None),
    };
    Ok(Some(FeedToken {
        token: r.token,
        subject,
        fingerprint: r.fingerprint,
        changed_at: from_ts(r.changed_at)?,
        generation: r.generation,
    }))
}

/// Records what the feed now serves; `changed_at` moves only when the fingerprint changed.
pub async fn set_fingerprint(
    conn: &mut Conn,
    token: &str,
    fingerprint: &str,
    now: DateTime<Utc>,
) -> Result<()> {
    sqlx::query(
        "UPDATE ical_tokens SET fingerprint = $2, changed_at = $3
         WHERE token = $1 AND (fingerprint IS NULL OR fingerprint <> $2)",
    )
    .bind(token)
    .bind(fingerprint)
    .bind(ts(now))
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// A task in a feed: with its rotation's name and the people on it.
#[derive(Debug, Clone)]
pub struct FeedTask {
    pub task: Task,
    pub rotation: String,
    pub people: Vec<String>,
    /// Its requirements as (skill-level as typed, count).
    pub needs: Vec<(String, i64)>,
}

/// Most tasks one feed lists.
pub const MAX_FEED_TASKS: i64 = 5000;

/// The feed's statement for one kind of subject: its tasks (with their rotation's name), the people
/// on them and their requirements, as three JSON arrays in one row (see the module note in `store`
/// on why one row of JSON beats thousands of rows). The tasks are the first `$4` by start that
/// overlap `[$3, $2)`.
fn feed_sql(filter: &str) -> String {
    let ids = format!(
        "SELECT t.id FROM tasks t WHERE {filter}
           AND t.expected_start < $2 AND t.expected_start + t.expected_duration >= $3
         ORDER BY t.expected_start, t.id LIMIT $4"
    );
    format!(
        "SELECT
           (SELECT json_group_array(json_array({JSON_COLUMNS}, r.name))
            FROM tasks t JOIN rotations r ON r.id = t.rotation_id WHERE t.id IN ({ids})),
           (SELECT json_group_array(json_array(tu.task_id, tu.position, u.username))
            FROM task_users tu JOIN users u ON u.id = tu.user_id WHERE tu.task_id IN ({ids})),
           (SELECT json_group_array(json_array(n.task_id, n.skill_level, n.count))
            FROM task_needs n WHERE n.kind = 'require' AND n.task_id IN ({ids}))"
    )
}

const ROTATION_FILTER: &str = "t.rotation_id = CAST($1 AS BIGINT)";
/// Their own tasks, and the ones they cover for someone (`task override`).
const USER_FILTER: &str = "t.id IN (SELECT task_id FROM task_users WHERE user_id = $1
                      UNION SELECT task_id FROM task_overrides WHERE to_user = $1)";

static ROTATION_FEED: LazyLock<String> = LazyLock::new(|| feed_sql(ROTATION_FILTER));
static USER_FEED: LazyLock<String> = LazyLock::new(|| feed_sql(USER_FILTER));

fn next_start_sql(filter: &str) -> String {
    format!("SELECT MIN(t.expected_start) FROM tasks t WHERE {filter} AND t.expected_start >= $2")
}
static ROTATION_NEXT: LazyLock<String> = LazyLock::new(|| next_start_sql(ROTATION_FILTER));
static USER_NEXT: LazyLock<String> = LazyLock::new(|| next_start_sql(USER_FILTER));

/// When the first of the feed's tasks starting at or after `to` starts: the moment it enters a
/// window that ends at `to` now.
pub async fn next_start_from(
    conn: &mut Conn,
    subject: &FeedSubject,
    to: DateTime<Utc>,
) -> Result<Option<DateTime<Utc>>> {
    let (sql, key) = match subject {
        FeedSubject::Rotation(id) => (portable!(conn, ROTATION_NEXT.as_str()), id.0.to_string()),
        FeedSubject::User(id) => (portable!(conn, USER_NEXT.as_str()), id.as_str().to_string()),
    };
    let next: Option<i64> = sqlx::query_scalar(sql)
        .bind(&key)
        .bind(ts(to))
        .fetch_one(&mut *conn)
        .await?;
    next.map(from_ts).transpose()
}

/// The tasks of a feed that overlap `[from, to)`, by start.
pub async fn tasks(
    conn: &mut Conn,
    subject: &FeedSubject,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<Vec<FeedTask>> {
    // One call site per statement: `portable!` keeps one translation per call site.
    let (sql, key) = match subject {
        FeedSubject::Rotation(id) => (portable!(conn, ROTATION_FEED.as_str()), id.0.to_string()),
        FeedSubject::User(id) => (portable!(conn, USER_FEED.as_str()), id.as_str().to_string()),
    };
    let (tasks, people, needs): (String, String, String) = sqlx::query_as(sql)
        .bind(&key)
        .bind(ts(to))
        .bind(ts(from))
        .bind(MAX_FEED_TASKS)
        .fetch_one(&mut *conn)
        .await?;
    let mut people: Vec<(i64, i64, String)> = json_rows(&people)?;
    people.sort_by_key(|(task, position, _)| (*task, *position));
    let mut by_task: HashMap<TaskId, Vec<String>> = HashMap::new();
    for (id, _, name) in people {
        by_task.entry(TaskId(id)).or_default().push(name);
    }
    let mut needs: Vec<(i64, String, i64)> = json_rows(&needs)?;
    needs.sort();
    let mut needs_of: HashMap<TaskId, Vec<(String, i64)>> = HashMap::new();
    for (id, sl, count) in needs {
        needs_of.entry(TaskId(id)).or_default().push((sl, count));
    }
    let mut out = json_rows::<(TaskTuple, String)>(&tasks)?
        .into_iter()
        .map(|(t, rotation)| {
            let task = task_from_tuple(t)?;
            Ok(FeedTask {
                people: by_task.remove(&task.id).unwrap_or_default(),
                needs: needs_of.remove(&task.id).unwrap_or_default(),
                task,
                rotation,
            })
        })
        .collect::<Result<Vec<FeedTask>>>()?;
    out.sort_by_key(|f| (f.task.times.expected_start, f.task.id.0));
    Ok(out)
}
