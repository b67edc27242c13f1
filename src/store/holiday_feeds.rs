//! Holiday feeds (`holiday feed <url>`): a published calendar whose whole days become holidays, one
//! for every rotation and one per rotation. The holidays a feed made carry its id, so a refresh
//! replaces only those, and a day someone typed with `holiday add` always wins.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};

use super::{Conn, Result, from_ts, ts};
use crate::lottery::{RotationId, UserId};

/// A feed as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct HolidayFeed {
    pub id: i64,
    /// `None`: every rotation's.
    pub rotation_id: Option<RotationId>,
    pub url: String,
    pub created_by: UserId,
    /// The last refresh that read it.
    pub read_at: Option<DateTime<Utc>>,
    /// Since when refreshes fail, and why the last one did.
    pub failed_at: Option<DateTime<Utc>>,
    pub error: Option<String>,
}

#[derive(sqlx::FromRow)]
struct Row {
    id: i64,
    rotation_id: Option<i64>,
    url: String,
    created_by: String,
    read_at: Option<i64>,
    failed_at: Option<i64>,
    error: Option<String>,
}

impl TryFrom<Row> for HolidayFeed {
    type Error = super::StoreError;
    fn try_from(r: Row) -> Result<Self> {
        Ok(HolidayFeed {
            id: r.id,
            rotation_id: r.rotation_id.map(RotationId),
            url: r.url,
            created_by: UserId(r.created_by),
            read_at: r.read_at.map(from_ts).transpose()?,
            failed_at: r.failed_at.map(from_ts).transpose()?,
            error: r.error,
        })
    }
}

/// Constant text only: the statements below splice it in.
const COLUMNS: &str = "f.id, f.rotation_id, f.url, f.created_by, f.read_at, f.failed_at, f.error";

/// The feed for a rotation (`None`: every rotation's), if there is one.
pub async fn get(conn: &mut Conn, rotation: Option<RotationId>) -> Result<Option<HolidayFeed>> {
    let row: Option<Row> = match rotation {
        Some(r) => {
            sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "SELECT {COLUMNS} FROM holiday_feeds f WHERE f.rotation_id = $1"
            )))
            .bind(r.0)
            .fetch_optional(&mut *conn)
            .await?
        }
        None => {
            sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "SELECT {COLUMNS} FROM holiday_feeds f WHERE f.rotation_id IS NULL"
            )))
            .fetch_optional(&mut *conn)
            .await?
        }
    };
    row.map(HolidayFeed::try_from).transpose()
}

/// Every feed to refresh: everyone's and those of rotations still in use.
pub async fn all_active(conn: &mut Conn) -> Result<Vec<HolidayFeed>> {
    let rows: Vec<Row> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM holiday_feeds f LEFT JOIN rotations r ON r.id = f.rotation_id
         WHERE f.rotation_id IS NULL OR r.archived_at IS NULL ORDER BY f.id"
    )))
    .fetch_all(&mut *conn)
    .await?;
    rows.into_iter().map(HolidayFeed::try_from).collect()
}

/// Sets the feed for a rotation (`None`: every rotation's), replacing any earlier one and the
/// holidays it made; the new feed, not read yet.
pub async fn replace(
    conn: &mut Conn,
    rotation: Option<RotationId>,
    url: &str,
    by: &UserId,
    now: DateTime<Utc>,
) -> Result<HolidayFeed> {
    remove(conn, rotation).await?;
    let id = sqlx::query_scalar(
        "INSERT INTO holiday_feeds (rotation_id, url, created_by, created_at)
         VALUES ($1, $2, $3, $4) RETURNING id",
    )
    .bind(rotation.map(|r| r.0))
    .bind(url)
    .bind(by.as_str())
    .bind(ts(now))
    .fetch_one(&mut *conn)
    .await?;
    Ok(HolidayFeed {
        id,
        rotation_id: rotation,
        url: url.to_string(),
        created_by: by.clone(),
        read_at: None,
        failed_at: None,
        error: None,
    })
}

/// Removes the feed for a rotation (`None`: every rotation's) and the holidays it made; the feed
/// and how many holidays went, if there was one.
pub async fn remove(
    conn: &mut Conn,
    rotation: Option<RotationId>,
) -> Result<Option<(HolidayFeed, u64)>> {
    let Some(feed) = get(conn, rotation).await? else {
        return Ok(None);
    };
    sqlx::query("DELETE FROM holiday_feed_skips WHERE feed_id = $1")
        .bind(feed.id)
        .execute(&mut *conn)
        .await?;
    let gone = sqlx::query("DELETE FROM holidays WHERE feed_id = $1")
        .bind(feed.id)
        .execute(&mut *conn)
        .await?
        .rows_affected();
    sqlx::query("DELETE FROM holiday_feeds WHERE id = $1")
        .bind(feed.id)
        .execute(&mut *conn)
        .await?;
    Ok(Some((feed, gone)))
}

/// What one import changed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Imported {
    pub added: usize,
    pub removed: usize,
    pub renamed: usize,
    /// Days the feed has that were holidays already (typed with `holiday add`).
    pub already: usize,
}

impl Imported {
    pub fn changed(&self) -> bool {
        self.added + self.removed + self.renamed > 0
    }
}

/// Makes the feed's holidays from `from` on exactly `days` (day, name): adds the new, renames the
/// renamed, removes those the feed no longer has. Earlier ones stay, as history. A day that already
/// is a holiday the same way (typed with `holiday add`) is left as it is, and a day someone removed
/// by hand ([`skip`]) is left out.
pub async fn import(
    conn: &mut Conn,
    feed: &HolidayFeed,
    from: NaiveDate,
    days: &[(NaiveDate, Option<String>)],
    now: DateTime<Utc>,
) -> Result<Imported> {
    let rows: Vec<(i64, String, Option<String>)> =
        sqlx::query_as("SELECT id, day, name FROM holidays WHERE feed_id = $1 AND day >= $2")
            .bind(feed.id)
            .bind(from.to_string())
            .fetch_all(&mut *conn)
            .await?;
    let mut had: HashMap<String, (i64, Option<String>)> = rows
        .into_iter()
        .map(|(id, day, name)| (day, (id, name)))
        .collect();
    let skipped: Vec<String> =
        sqlx::query_scalar("SELECT day FROM holiday_feed_skips WHERE feed_id = $1")
            .bind(feed.id)
            .fetch_all(&mut *conn)
            .await?;
    let mut out = Imported::default();
    for (day, name) in days {
        let key = day.to_string();
        if skipped.contains(&key) {
            continue;
        }
        match had.remove(&key) {
            Some((_, old)) if &old == name => {}
            Some((id, _)) => {
                sqlx::query("UPDATE holidays SET name = $2 WHERE id = $1")
                    .bind(id)
                    .bind(name.as_deref())
                    .execute(&mut *conn)
                    .await?;
                out.renamed += 1;
            }
            None => {
                let added = sqlx::query(
                    "INSERT INTO holidays (day, name, rotation_id, created_by, created_at, feed_id)
                     VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING",
                )
                .bind(&key)
                .bind(name.as_deref())
                .bind(feed.rotation_id.map(|r| r.0))
                .bind(feed.created_by.as_str())
                .bind(ts(now))
                .bind(feed.id)
                .execute(&mut *conn)
                .await?
                .rows_affected();
                if added > 0 {
                    out.added += 1;
                } else {
                    out.already += 1;
                }
            }
        }
    }
    for (id, _) in had.into_values() {
        sqlx::query("DELETE FROM holidays WHERE id = $1")
            .bind(id)
            .execute(&mut *conn)
            .await?;
        out.removed += 1;
    }
    Ok(out)
}

/// Someone removed the feed's holiday on `day` by hand: the feed leaves that day out from now on.
pub async fn skip(conn: &mut Conn, feed_id: i64, day: NaiveDate) -> Result<()> {
    sqlx::query(
        "INSERT INTO holiday_feed_skips (feed_id, day) VALUES ($1, $2) ON CONFLICT DO NOTHING",
    )
    .bind(feed_id)
    .bind(day.to_string())
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// A refresh read the feed.
pub async fn mark_read(conn: &mut Conn, id: i64, now: DateTime<Utc>) -> Result<()> {
    sqlx::query(
        "UPDATE holiday_feeds SET read_at = $2, failed_at = NULL, error = NULL WHERE id = $1",
    )
    .bind(id)
    .bind(ts(now))
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// A refresh failed; whether it is the first since the feed last worked (so its owner is told once).
pub async fn mark_failed(
    conn: &mut Conn,
    id: i64,
    error: &str,
    now: DateTime<Utc>,
) -> Result<bool> {
    let first =
        sqlx::query("UPDATE holiday_feeds SET failed_at = $2 WHERE id = $1 AND failed_at IS NULL")
            .bind(id)
            .bind(ts(now))
            .execute(&mut *conn)
            .await?
            .rows_affected()
            > 0;
    sqlx::query("UPDATE holiday_feeds SET error = $2 WHERE id = $1")
        .bind(id)
        .bind(error)
        .execute(&mut *conn)
        .await?;
    Ok(first)
}
