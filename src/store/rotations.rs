//! Rotations: settings, requirements and limits, members and owners.

use chrono::{DateTime, TimeDelta, Utc};
use chrono_tz::Tz;

use super::{Conn, Result, StoreError, from_ts, ts};
use crate::lottery::{
    AutopilotSettings, HolidayPolicy, Period, RotationId, SkillLevel, TaskType, UserId,
};

#[derive(Debug, Clone, PartialEq)]
pub struct Rotation {
    pub id: RotationId,
    pub name: String,
    pub tz: Tz,
    pub task_type: TaskType,
    pub period: Period,
    pub beginning: DateTime<Utc>,
    pub seed: u64,
    pub fuzz: u32,
    /// Zero: a shift lasts its period, a ticket 30 minutes.
    pub task_duration: TimeDelta,
    pub grace: TimeDelta,
    pub ticket_seq: i64,
    pub autopilot: AutopilotSettings,
    /// What happens to a shift that starts on a holiday.
    pub holidays: HolidayPolicy,
    pub archived_at: Option<DateTime<Utc>>,
    pub created_by: UserId,
    pub created_at: DateTime<Utc>,
}

/// Which list a need belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum NeedKind {
    Require,
    Limit,
}

impl NeedKind {
    pub fn as_str(self) -> &'static str {
        match self {
            NeedKind::Require => "require",
            NeedKind::Limit => "limit",
        }
    }
}

const COLUMNS: &str = "id, name, tz, task_type, period, beginning, seed, fuzz, task_duration, grace, \
    ticket_seq, ap_create, ap_create_prior, ap_schedule, ap_schedule_prior, ap_start_finish, \
    ap_remind_start, ap_remind_start_prior, ap_remind_finish, ap_remind_finish_prior, holiday_policy, \
    archived_at, created_by, created_at";

#[derive(sqlx::FromRow)]
struct Row {
    id: i64,
    name: String,
    tz: String,
    task_type: String,
    period: String,
    beginning: i64,
    seed: i64,
    fuzz: i64,
    task_duration: i64,
    grace: i64,
    ticket_seq: i64,
    ap_create: i64,
    ap_create_prior: i64,
    ap_schedule: i64,
    ap_schedule_prior: i64,
    ap_start_finish: i64,
    ap_remind_start: i64,
    ap_remind_start_prior: i64,
    ap_remind_finish: i64,
    ap_remind_finish_prior: i64,
    holiday_policy: String,
    archived_at: Option<i64>,
    created_by: String,
    created_at: i64,
}

impl TryFrom<Row> for Rotation {
    type Error = StoreError;
    fn try_from(r: Row) -> Result<Self> {
        let corrupt = |what: &str| StoreError::Corrupt(format!("rotation {}: bad {what}", r.id));
        Ok(Rotation {
            id: RotationId(r.id),
            tz: r.tz.parse().map_err(|_| corrupt("time zone"))?,
            task_type: r.task_type.parse().map_err(|_| corrupt("task type"))?,
            period: r.period.parse().map_err(|_| corrupt("period"))?,
            beginning: from_ts(r.beginning)?,
            seed: r.seed as u64,
            fuzz: u32::try_from(r.fuzz).map_err(|_| corrupt("fuzz"))?,
            task_duration: TimeDelta::seconds(r.task_duration),
            grace: TimeDelta::seconds(r.grace),
            ticket_seq: r.ticket_seq,
            autopilot: AutopilotSettings {
                create: r.ap_create != 0,
                create_prior: TimeDelta::seconds(r.ap_create_prior),
                schedule: r.ap_schedule != 0,
                schedule_prior: TimeDelta::seconds(r.ap_schedule_prior),
                start_finish: r.ap_start_finish != 0,
                remind_start: r.ap_remind_start != 0,
                remind_start_prior: TimeDelta::seconds(r.ap_remind_start_prior),
                remind_finish: r.ap_remind_finish != 0,
                remind_finish_prior: TimeDelta::seconds(r.ap_remind_finish_prior),
            },
            holidays: r
                .holiday_policy
                .parse()
                .map_err(|_| corrupt("holiday policy"))?,
            archived_at: r.archived_at.map(from_ts).transpose()?,
            created_by: UserId(r.created_by),
            created_at: from_ts(r.created_at)?,
            name: r.name,
        })
    }
}

/// What `rotation new` stores.
#[derive(Debug, Clone)]
pub struct NewRotation {
    pub name: String,
    pub tz: Tz,
    pub task_type: TaskType,
    pub period: Period,
    pub beginning: DateTime<Utc>,
    pub seed: u64,
    pub fuzz: u32,
    pub created_by: UserId,
}

pub async fn insert(conn: &mut Conn, r: &NewRotation, now: DateTime<Utc>) -> Result<RotationId> {
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO rotations (name, tz, task_type, period, beginning, seed, fuzz, created_by, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
    )
    .bind(&r.name)
    .bind(r.tz.name())
    .bind(r.task_type.as_str())
    .bind(r.period.to_input())
    .bind(ts(r.beginning))
    .bind(r.seed as i64)
    .bind(i64::from(r.fuzz))
    .bind(r.created_by.as_str())
    .bind(ts(now))
    .fetch_one(&mut *conn)
    .await?;
    Ok(RotationId(id))
}

pub async fn get(conn: &mut Conn, id: RotationId) -> Result<Rotation> {
    let sql = format!("SELECT {COLUMNS} FROM rotations WHERE id = $1");
    sqlx::query_as::<_, Row>(sqlx::AssertSqlSafe(sql))
        .bind(id.0)
        .fetch_one(&mut *conn)
        .await?
        .try_into()
}

/// Active rotations, in creation order.
pub async fn list_active(conn: &mut Conn) -> Result<Vec<Rotation>> {
    let sql = format!("SELECT {COLUMNS} FROM rotations WHERE archived_at IS NULL ORDER BY id");
    sqlx::query_as::<_, Row>(sqlx::AssertSqlSafe(sql))
        .fetch_all(&mut *conn)
        .await?
        .into_iter()
        .map(Rotation::try_from)
        .collect()
}

/// Active rotations whose autopilot has any step on.
pub async fn list_autopilot(conn: &mut Conn) -> Result<Vec<Rotation>> {
    let sql = format!(
        "SELECT {COLUMNS} FROM rotations WHERE archived_at IS NULL AND \
         (ap_create + ap_schedule + ap_start_finish + ap_remind_start + ap_remind_finish) <> 0 ORDER BY id"
    );
    sqlx::query_as::<_, Row>(sqlx::AssertSqlSafe(sql))
        .fetch_all(&mut *conn)
        .await?
        .into_iter()
        .map(Rotation::try_from)
        .collect()
}

/// Names and ids of active rotations (for name resolution without loading everything).
pub async fn active_names(conn: &mut Conn) -> Result<Vec<(RotationId, String)>> {
    let rows: Vec<(i64, String)> =
        sqlx::query_as("SELECT id, name FROM rotations WHERE archived_at IS NULL ORDER BY id")
            .fetch_all(&mut *conn)
            .await?;
    Ok(rows.into_iter().map(|(i, n)| (RotationId(i), n)).collect())
}

pub async fn archive(conn: &mut Conn, id: RotationId, now: DateTime<Utc>) -> Result<()> {
    sqlx::query("UPDATE rotations SET archived_at = $2 WHERE id = $1")
        .bind(id.0)
        .bind(ts(now))
        .execute(&mut *conn)
        .await?;
    Ok(())
}

pub async fn set_fill(conn: &mut Conn, id: RotationId, seed: u64, fuzz: u32) -> Result<()> {
    sqlx::query("UPDATE rotations SET seed = $2, fuzz = $3 WHERE id = $1")
        .bind(id.0)
        .bind(seed as i64)
        .bind(i64::from(fuzz))
        .execute(&mut *conn)
        .await?;
    Ok(())
}

pub async fn set_task_settings(
    conn: &mut Conn,
    id: RotationId,
    duration: TimeDelta,
    grace: TimeDelta,
) -> Result<()> {
    sqlx::query("UPDATE rotations SET task_duration = $2, grace = $3 WHERE id = $1")
        .bind(id.0)
        .bind(duration.num_seconds())
        .bind(grace.num_seconds())
        .execute(&mut *conn)
        .await?;
    Ok(())
}

pub async fn set_holiday_policy(conn: &mut Conn, id: RotationId, p: HolidayPolicy) -> Result<()> {
    sqlx::query("UPDATE rotations SET holiday_policy = $2 WHERE id = $1")
        .bind(id.0)
        .bind(p.as_str())
        .execute(&mut *conn)
        .await?;
    Ok(())
}

pub async fn set_autopilot(conn: &mut Conn, id: RotationId, a: &AutopilotSettings) -> Result<()> {
    sqlx::query(
        "UPDATE rotations SET ap_create = $2, ap_create_prior = $3, ap_schedule = $4,
           ap_schedule_prior = $5, ap_start_finish = $6, ap_remind_start = $7,
           ap_remind_start_prior = $8, ap_remind_finish = $9, ap_remind_finish_prior = $10
         WHERE id = $1",
    )
    .bind(id.0)
    .bind(i64::from(a.create))
    .bind(a.create_prior.num_seconds())
    .bind(i64::from(a.schedule))
    .bind(a.schedule_prior.num_seconds())
    .bind(i64::from(a.start_finish))
    .bind(i64::from(a.remind_start))
    .bind(a.remind_start_prior.num_seconds())
    .bind(i64::from(a.remind_finish))
    .bind(a.remind_finish_prior.num_seconds())
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Takes the next ticket number.
pub async fn next_ticket_seq(conn: &mut Conn, id: RotationId) -> Result<i64> {
    let (seq,): (i64,) = sqlx::query_as(
        "UPDATE rotations SET ticket_seq = ticket_seq + 1 WHERE id = $1 RETURNING ticket_seq",
    )
    .bind(id.0)
    .fetch_one(&mut *conn)
    .await?;
    Ok(seq)
}

// --- requirements and limits -------------------------------------------------------------------

pub async fn needs(
    conn: &mut Conn,
    id: RotationId,
    kind: NeedKind,
) -> Result<Vec<(SkillLevel, u32)>> {
    let rows: Vec<(String, i64)> = sqlx::query_as(
        "SELECT skill_level, count FROM rotation_needs WHERE rotation_id = $1 AND kind = $2 ORDER BY skill_level",
    )
    .bind(id.0)
    .bind(kind.as_str())
    .fetch_all(&mut *conn)
    .await?;
    parse_needs(rows)
}

/// A rotation's needs: `(require, limit)`, each ordered by skill-level.
pub(crate) type NeedLists = (Vec<(SkillLevel, u32)>, Vec<(SkillLevel, u32)>);

/// `(kind, skill_level, count)` rows into `(require, limit)`.
pub(crate) fn split_needs(mut rows: Vec<(String, String, i64)>) -> Result<NeedLists> {
    rows.sort_by(|a, b| a.1.cmp(&b.1));
    let (limit, require): (Vec<_>, Vec<_>) = rows
        .into_iter()
        .partition(|(kind, _, _)| kind == NeedKind::Limit.as_str());
    let strip = |v: Vec<(String, String, i64)>| v.into_iter().map(|(_, sl, c)| (sl, c)).collect();
    Ok((parse_needs(strip(require))?, parse_needs(strip(limit))?))
}

pub(crate) fn parse_needs(rows: Vec<(String, i64)>) -> Result<Vec<(SkillLevel, u32)>> {
    rows.into_iter()
        .map(|(sl, c)| {
            let sl = sl
                .parse()
                .map_err(|_| StoreError::Corrupt(format!("bad skill-level {sl}")))?;
            let c = u32::try_from(c).map_err(|_| StoreError::Corrupt(format!("bad count {c}")))?;
            Ok((sl, c))
        })
        .collect()
}

pub async fn set_need(
    conn: &mut Conn,
    id: RotationId,
    kind: NeedKind,
    sl: &SkillLevel,
    count: u32,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO rotation_needs (rotation_id, kind, skill_level, count) VALUES ($1, $2, $3, $4)
         ON CONFLICT(rotation_id, kind, skill_level) DO UPDATE SET count = excluded.count",
    )
    .bind(id.0)
    .bind(kind.as_str())
    .bind(sl.to_input())
    .bind(i64::from(count))
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Removes a need; returns whether it existed.
pub async fn clear_need(
    conn: &mut Conn,
    id: RotationId,
    kind: NeedKind,
    sl: &SkillLevel,
) -> Result<bool> {
    let r = sqlx::query(
        "DELETE FROM rotation_needs WHERE rotation_id = $1 AND kind = $2 AND skill_level = $3",
    )
    .bind(id.0)
    .bind(kind.as_str())
    .bind(sl.to_input())
    .execute(&mut *conn)
    .await?;
    Ok(r.rows_affected() > 0)
}
