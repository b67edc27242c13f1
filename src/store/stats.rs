//! What the support packet reports about the stored data: counts, the installation's id, the
//! schema's migration, the job leases. Counting queries only, so a packet stays quick on large
//! databases (each `COUNT` is one index or table scan).

use serde::Serialize;

use super::{Conn, Result};

/// Counts of what the bot stores (`stats.yaml`). Field order is the file's key order.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Stats {
    pub rotations: Rotations,
    pub members: i64,
    /// People the bot knows (anyone who typed a command or was mentioned in one).
    pub users: i64,
    pub skills: i64,
    pub tasks: Tasks,
    pub unavailability: Unavailability,
    pub calendar_connections: CalendarConnections,
    pub outbox: Outbox,
    pub profile_presets: ProfilePresets,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ProfilePresets {
    /// People with at least one preset.
    pub people: i64,
    pub presets: i64,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Rotations {
    pub active: i64,
    pub archived: i64,
    pub with_autopilot: i64,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Tasks {
    pub pending: i64,
    pub scheduled: i64,
    pub started: i64,
    pub finished: i64,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Unavailability {
    pub personal: i64,
    pub calendar: i64,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct CalendarConnections {
    pub graph: i64,
    pub ics: i64,
    /// Connections whose calendar or status writes currently fail.
    pub with_problem: i64,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Outbox {
    pub pending: i64,
    pub sent: i64,
    pub failed: i64,
}

/// Every count in one statement (one round trip, one consistent snapshot).
pub async fn counts(conn: &mut Conn) -> Result<Stats> {
    type Row = (
        i64,
        i64,
        i64,
        i64,
        i64,
        i64,
        i64,
        i64,
        i64,
        i64,
        i64,
        i64,
        i64,
        i64,
        i64,
        i64,
    );
    let row: Row = sqlx::query_as(
        "SELECT
           (SELECT COUNT(*) FROM rotations WHERE archived_at IS NULL),
           (SELECT COUNT(*) FROM rotations WHERE archived_at IS NOT NULL),
           (SELECT COUNT(*) FROM rotations WHERE archived_at IS NULL
              AND (ap_create <> 0 OR ap_schedule <> 0 OR ap_start_finish <> 0
                   OR ap_remind_start <> 0 OR ap_remind_finish <> 0)),
           (SELECT COUNT(*) FROM rotation_members),
           (SELECT COUNT(*) FROM users),
           (SELECT COUNT(*) FROM skills),
           (SELECT COUNT(CASE WHEN state = 'pending' THEN 1 END) FROM tasks),
           (SELECT COUNT(CASE WHEN state = 'scheduled' THEN 1 END) FROM tasks),
           (SELECT COUNT(CASE WHEN state = 'started' THEN 1 END) FROM tasks),
           (SELECT COUNT(CASE WHEN state = 'finished' THEN 1 END) FROM tasks),
           (SELECT COUNT(CASE WHEN reason = 'personal' THEN 1 END) FROM unavailability),
           (SELECT COUNT(CASE WHEN reason = 'calendar' THEN 1 END) FROM unavailability),
           (SELECT COUNT(CASE WHEN source_kind = 'graph' THEN 1 END) FROM calendar_connections),
           (SELECT COUNT(CASE WHEN source_kind = 'ics' THEN 1 END) FROM calendar_connections),
           (SELECT COUNT(problem_kind) FROM calendar_connections),
           (SELECT COUNT(CASE WHEN sent_at IS NULL AND failed_at IS NULL THEN 1 END) FROM outbox)",
    )
    .fetch_one(&mut *conn)
    .await?;
    let (active, archived, with_autopilot, members, users, skills, pending, scheduled) =
        (row.0, row.1, row.2, row.3, row.4, row.5, row.6, row.7);
    let (started, finished, personal, calendar, graph, ics, with_problem, outbox_pending) =
        (row.8, row.9, row.10, row.11, row.12, row.13, row.14, row.15);
    let (sent, failed): (i64, i64) =
        sqlx::query_as("SELECT COUNT(sent_at), COUNT(failed_at) FROM outbox")
            .fetch_one(&mut *conn)
            .await?;
    let (people, presets): (i64, i64) =
        sqlx::query_as("SELECT COUNT(DISTINCT user_id), COUNT(*) FROM profile_presets")
            .fetch_one(&mut *conn)
            .await?;
    Ok(Stats {
        rotations: Rotations {
            active,
            archived,
            with_autopilot,
        },
        members,
        users,
        skills,
        tasks: Tasks {
            pending,
            scheduled,
            started,
            finished,
        },
        unavailability: Unavailability { personal, calendar },
        calendar_connections: CalendarConnections {
            graph,
            ics,
            with_problem,
        },
        outbox: Outbox {
            pending: outbox_pending,
            sent,
            failed,
        },
        profile_presets: ProfilePresets { people, presets },
    })
}

/// The installation's id (made by migration 0003).
pub async fn install_id(conn: &mut Conn) -> Result<String> {
    Ok(
        sqlx::query_scalar("SELECT id FROM installation ORDER BY created_at LIMIT 1")
            .fetch_one(&mut *conn)
            .await?,
    )
}

/// The newest migration applied to this database.
pub async fn migration_version(conn: &mut Conn) -> Result<i64> {
    let v: Option<i64> = sqlx::query_scalar("SELECT MAX(version) FROM _sqlx_migrations")
        .fetch_one(&mut *conn)
        .await?;
    Ok(v.unwrap_or(0))
}

/// One job lease row: who holds it and until when (Unix milliseconds).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LeaseRow {
    pub name: String,
    pub holder: String,
    pub expires_at_ms: i64,
}

pub async fn leases(conn: &mut Conn) -> Result<Vec<LeaseRow>> {
    let rows: Vec<(String, String, i64)> =
        sqlx::query_as("SELECT name, holder, expires_at FROM leases ORDER BY name")
            .fetch_all(&mut *conn)
            .await?;
    Ok(rows
        .into_iter()
        .map(|(name, holder, expires_at_ms)| LeaseRow {
            name,
            holder,
            expires_at_ms,
        })
        .collect())
}

/// An ICS connection's feed link (a secret: callers keep only its host) and its current problem.
#[derive(Debug, Clone)]
pub struct IcsFeed {
    pub url: String,
    pub problem: Option<String>,
}

pub async fn ics_feeds(conn: &mut Conn) -> Result<Vec<IcsFeed>> {
    let rows: Vec<(String, Option<String>, Option<String>)> = sqlx::query_as(
        "SELECT source, problem_kind, problem FROM calendar_connections WHERE source_kind = 'ics'",
    )
    .fetch_all(&mut *conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(url, kind, problem)| IcsFeed {
            url,
            problem: kind
                .filter(|k| k == "source")
                .map(|_| problem.unwrap_or_default()),
        })
        .collect())
}

/// The holiday feeds (`holiday feed`), with why the last read failed.
pub async fn holiday_feeds(conn: &mut Conn) -> Result<Vec<IcsFeed>> {
    // `error` is set only while the feed fails (a read that works clears it).
    let rows: Vec<(String, Option<String>)> =
        sqlx::query_as("SELECT url, error FROM holiday_feeds")
            .fetch_all(&mut *conn)
            .await?;
    Ok(rows
        .into_iter()
        .map(|(url, problem)| IcsFeed { url, problem })
        .collect())
}
