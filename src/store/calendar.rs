//! Calendar connections (one per person: the source, the person's settings, the bot's memory of what it
//! did for them, the problem they were last told about) and the job's server-wide alerts.

use chrono::{DateTime, Utc};
use chrono_tz::Tz;

use super::dialect::portable;
use super::{Conn, Result, StoreError, from_ts, ts};
use crate::calendar::Source;
use crate::calendar::rules::{BusyStatus, Memory, Settings};
use crate::lottery::UserId;

/// What kind of trouble a person was told about, so they hear about each kind once.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProblemKind {
    /// Their calendar could not be read.
    Source,
    /// Mattermost refused to let the bot change their status.
    Forbidden,
}

impl ProblemKind {
    fn as_str(self) -> &'static str {
        match self {
            Self::Source => "source",
            Self::Forbidden => "forbidden",
        }
    }
    fn parse(s: &str) -> Option<Self> {
        match s {
            "source" => Some(Self::Source),
            "forbidden" => Some(Self::Forbidden),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub kind: ProblemKind,
    /// The sentence the person was told.
    pub message: String,
    pub since: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Connection {
    pub user_id: UserId,
    pub source: Source,
    pub settings: Settings,
    pub memory: Memory,
    pub problem: Option<Problem>,
    pub synced_at: Option<DateTime<Utc>>,
    pub connected_at: DateTime<Utc>,
}

/// A connection with the profile fields the sync job needs.
#[derive(Debug, Clone, PartialEq)]
pub struct Connected {
    pub connection: Connection,
    pub username: String,
    pub tz: Option<Tz>,
}

impl Connected {
    /// The person's zone for all-day events and notices (UTC when unknown).
    pub fn zone(&self) -> Tz {
        self.tz.unwrap_or(Tz::UTC)
    }
}

const COLUMNS: &str = "c.user_id, c.source_kind, c.source, c.busy_status, c.notices, c.custom_status, \
    c.paused_until, c.memory, c.problem_kind, c.problem, c.problem_since, c.synced_at, c.connected_at";

#[derive(sqlx::FromRow)]
struct Row {
    user_id: String,
    source_kind: String,
    source: String,
    busy_status: String,
    notices: i64,
    custom_status: i64,
    paused_until: Option<i64>,
    memory: String,
    problem_kind: Option<String>,
    problem: Option<String>,
    problem_since: Option<i64>,
    synced_at: Option<i64>,
    connected_at: i64,
}

#[derive(sqlx::FromRow)]
struct ConnectedRow {
    #[sqlx(flatten)]
    row: Row,
    username: String,
    tz: Option<String>,
}

impl TryFrom<Row> for Connection {
    type Error = StoreError;
    fn try_from(r: Row) -> Result<Self> {
        let corrupt = |what: &str| {
            StoreError::Corrupt(format!("calendar connection of {}: bad {what}", r.user_id))
        };
        let source = match r.source_kind.as_str() {
            "graph" => Source::Graph {
                email: r.source.clone(),
            },
            "ics" => Source::Ics {
                url: r.source.clone(),
            },
            _ => return Err(corrupt("source kind")),
        };
        let busy_status: BusyStatus = r.busy_status.parse().map_err(|_| corrupt("busy status"))?;
        // A memory that no longer reads (an older format) only costs the bot its recollection of
        // what it set; the person's sync must go on.
        let memory = serde_json::from_str(&r.memory).unwrap_or_else(|e| {
            tracing::warn!(user = %r.user_id, error = %e, "calendar memory unreadable; starting afresh");
            Memory::default()
        });
        let problem = match (r.problem_kind.as_deref(), r.problem, r.problem_since) {
            (Some(kind), Some(message), Some(since)) => Some(Problem {
                kind: ProblemKind::parse(kind).ok_or_else(|| corrupt("problem kind"))?,
                message,
                since: from_ts(since)?,
            }),
            _ => None,
        };
        Ok(Connection {
            user_id: UserId(r.user_id),
            source,
            settings: Settings {
                busy_status,
                notices: r.notices != 0,
                custom_status: r.custom_status != 0,
                paused_until: r.paused_until.map(from_ts).transpose()?,
            },
            memory,
            problem,
            synced_at: r.synced_at.map(from_ts).transpose()?,
            connected_at: from_ts(r.connected_at)?,
        })
    }
}

fn source_columns(source: &Source) -> (&'static str, &str) {
    match source {
        Source::Graph { email } => ("graph", email.as_str()),
        Source::Ics { url } => ("ics", url.as_str()),
    }
}

pub async fn get(conn: &mut Conn, user: &UserId) -> Result<Option<Connection>> {
    let sql = format!("SELECT {COLUMNS} FROM calendar_connections c WHERE c.user_id = $1");
    let row: Option<Row> = sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(user.as_str())
        .fetch_optional(&mut *conn)
        .await?;
    row.map(Connection::try_from).transpose()
}

/// Every connection with its person's username and zone, by user id.
pub async fn all(conn: &mut Conn) -> Result<Vec<Connected>> {
    let sql = format!(
        "SELECT {COLUMNS}, u.username, u.tz FROM calendar_connections c
         JOIN users u ON u.id = c.user_id ORDER BY c.user_id"
    );
    let rows: Vec<ConnectedRow> = sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .fetch_all(&mut *conn)
        .await?;
    rows.into_iter()
        .map(|r| {
            Ok(Connected {
                connection: Connection::try_from(r.row)?,
                username: r.username,
                tz: r.tz.and_then(|z| z.parse().ok()),
            })
        })
        .collect()
}

/// Connects (or re-points) a person's calendar. Settings and memory survive a new source: the memory
/// is about their Mattermost status, which a new calendar does not change. A pending problem is
/// forgotten, since it was about the old source. Returns the source it replaced, if any.
pub async fn connect(
    conn: &mut Conn,
    user: &UserId,
    source: &Source,
    by: &UserId,
    now: DateTime<Utc>,
) -> Result<Option<Source>> {
    let before = get(conn, user).await?.map(|c| c.source);
    let (kind, value) = source_columns(source);
    sqlx::query(
        "INSERT INTO calendar_connections (user_id, source_kind, source, connected_by, connected_at)
         VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT(user_id) DO UPDATE SET source_kind = excluded.source_kind,
           source = excluded.source, connected_by = excluded.connected_by,
           connected_at = excluded.connected_at, problem_kind = NULL, problem = NULL,
           problem_since = NULL, synced_at = NULL",
    )
    .bind(user.as_str())
    .bind(kind)
    .bind(value)
    .bind(by.as_str())
    .bind(ts(now))
    .execute(&mut *conn)
    .await?;
    Ok(before)
}

/// Returns whether there was a connection.
pub async fn disconnect(conn: &mut Conn, user: &UserId) -> Result<bool> {
    let r = sqlx::query("DELETE FROM calendar_connections WHERE user_id = $1")
        .bind(user.as_str())
        .execute(&mut *conn)
        .await?;
    Ok(r.rows_affected() > 0)
}

pub async fn set_settings(conn: &mut Conn, user: &UserId, settings: &Settings) -> Result<()> {
    let r = sqlx::query(
        "UPDATE calendar_connections SET busy_status = $2, notices = $3, custom_status = $4,
           paused_until = $5 WHERE user_id = $1",
    )
    .bind(user.as_str())
    .bind(settings.busy_status.to_string())
    .bind(i64::from(settings.notices))
    .bind(i64::from(settings.custom_status))
    .bind(settings.paused_until.map(ts))
    .execute(&mut *conn)
    .await?;
    if r.rows_affected() == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}

pub async fn save_memory(conn: &mut Conn, user: &UserId, memory: &Memory) -> Result<()> {
    let json = serde_json::to_string(memory)
        .map_err(|e| StoreError::Corrupt(format!("calendar memory does not serialize: {e}")))?;
    sqlx::query("UPDATE calendar_connections SET memory = $2 WHERE user_id = $1")
        .bind(user.as_str())
        .bind(json)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Records the problem a person was just told about, or clears it (`None`) once things work again.
pub async fn set_problem(conn: &mut Conn, user: &UserId, problem: Option<&Problem>) -> Result<()> {
    sqlx::query(
        "UPDATE calendar_connections SET problem_kind = $2, problem = $3, problem_since = $4
         WHERE user_id = $1",
    )
    .bind(user.as_str())
    .bind(problem.map(|p| p.kind.as_str()))
    .bind(problem.map(|p| p.message.as_str()))
    .bind(problem.map(|p| ts(p.since)))
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Marks these people's calendars as read at `at`, in one statement however many there are.
pub async fn mark_synced(conn: &mut Conn, users: &[UserId], at: DateTime<Utc>) -> Result<()> {
    if users.is_empty() {
        return Ok(());
    }
    let ids = serde_json::to_string(&users.iter().map(UserId::as_str).collect::<Vec<_>>())
        .map_err(|e| StoreError::Corrupt(e.to_string()))?;
    sqlx::query(portable!(
        conn,
        "UPDATE calendar_connections SET synced_at = $1
         WHERE user_id IN (SELECT value FROM json_each($2))"
    ))
    .bind(ts(at))
    .bind(ids)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Records a server-wide alert; returns true when it is new (the admins have not been told yet).
pub async fn raise_alert(
    conn: &mut Conn,
    key: &str,
    message: &str,
    now: DateTime<Utc>,
) -> Result<bool> {
    let r = sqlx::query(
        "INSERT INTO calendar_alerts (key, message, notified_at) VALUES ($1, $2, $3)
         ON CONFLICT(key) DO NOTHING",
    )
    .bind(key)
    .bind(message)
    .bind(ts(now))
    .execute(&mut *conn)
    .await?;
    Ok(r.rows_affected() == 1)
}

/// The problem is gone: the next occurrence is told again.
pub async fn clear_alert(conn: &mut Conn, key: &str) -> Result<()> {
    sqlx::query("DELETE FROM calendar_alerts WHERE key = $1")
        .bind(key)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Current server-wide alerts (key, message), for `calendar show`.
pub async fn alerts(conn: &mut Conn) -> Result<Vec<(String, String)>> {
    Ok(
        sqlx::query_as("SELECT key, message FROM calendar_alerts ORDER BY key")
            .fetch_all(&mut *conn)
            .await?,
    )
}

/// How many people have a calendar connected (for `info`-style summaries).
pub async fn count(conn: &mut Conn) -> Result<i64> {
    Ok(
        sqlx::query_scalar("SELECT COUNT(*) FROM calendar_connections")
            .fetch_one(&mut *conn)
            .await?,
    )
}

/// The bot admins the bot knows of: Mattermost system admins as last seen, and the `LOTTO_ADMINS`
/// usernames (case-insensitive), by id.
pub async fn bot_admins(conn: &mut Conn, usernames: &[String]) -> Result<Vec<UserId>> {
    let names = serde_json::to_string(usernames).map_err(|e| StoreError::Corrupt(e.to_string()))?;
    let rows: Vec<(String,)> = sqlx::query_as(portable!(
        conn,
        "SELECT id FROM users WHERE is_admin = 1
            OR lower(username) IN (SELECT lower(value) FROM json_each($1)) ORDER BY id"
    ))
    .bind(names)
    .fetch_all(&mut *conn)
    .await?;
    Ok(rows.into_iter().map(|r| UserId(r.0)).collect())
}
