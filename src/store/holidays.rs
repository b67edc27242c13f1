//! Holidays: days (on each rotation's wall clock) for every rotation or for one.

use std::collections::BTreeSet;

use chrono::{DateTime, NaiveDate, Utc};

use super::{Conn, Result, StoreError, ts};
use crate::lottery::{RotationId, UserId};

#[derive(Debug, Clone, PartialEq)]
pub struct Holiday {
    pub id: i64,
    pub day: NaiveDate,
    pub name: Option<String>,
    /// `None`: every rotation.
    pub rotation_id: Option<RotationId>,
    /// Made by a holiday feed (`holiday feed`), not typed.
    pub from_feed: bool,
}

#[derive(sqlx::FromRow)]
struct Row {
    id: i64,
    day: String,
    name: Option<String>,
    rotation_id: Option<i64>,
    feed_id: Option<i64>,
}

impl TryFrom<Row> for Holiday {
    type Error = StoreError;
    fn try_from(r: Row) -> Result<Self> {
        Ok(Holiday {
            id: r.id,
            day: r
                .day
                .parse()
                .map_err(|_| StoreError::Corrupt(format!("holiday {}: bad day", r.id)))?,
            name: r.name,
            rotation_id: r.rotation_id.map(RotationId),
            from_feed: r.feed_id.is_some(),
        })
    }
}

/// Adds a holiday; `Conflict` when that day is already one (for that rotation, or for all).
pub async fn insert(
    conn: &mut Conn,
    day: NaiveDate,
    name: Option<&str>,
    rotation: Option<RotationId>,
    by: &UserId,
    now: DateTime<Utc>,
) -> Result<i64> {
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO holidays (day, name, rotation_id, created_by, created_at)
         VALUES ($1, $2, $3, $4, $5) RETURNING id",
    )
    .bind(day.to_string())
    .bind(name)
    .bind(rotation.map(|r| r.0))
    .bind(by.as_str())
    .bind(ts(now))
    .fetch_one(&mut *conn)
    .await?;
    Ok(id)
}

/// Removes the holiday on `day` for that rotation (`None`: the one for every rotation): `None` when
/// there was none, else the holiday feed that had made it, if one had.
pub async fn remove(
    conn: &mut Conn,
    day: NaiveDate,
    rotation: Option<RotationId>,
) -> Result<Option<Option<i64>>> {
    let feed: Option<(Option<i64>,)> = match rotation {
        Some(r) => {
            sqlx::query_as(
                "DELETE FROM holidays WHERE day = $1 AND rotation_id = $2 RETURNING feed_id",
            )
            .bind(day.to_string())
            .bind(r.0)
            .fetch_optional(&mut *conn)
            .await?
        }
        None => {
            sqlx::query_as(
                "DELETE FROM holidays WHERE day = $1 AND rotation_id IS NULL RETURNING feed_id",
            )
            .bind(day.to_string())
            .fetch_optional(&mut *conn)
            .await?
        }
    };
    Ok(feed.map(|(f,)| f))
}

/// Holidays from `from` on (every rotation's and, with `rotation`, that one's; without it, all of
/// them), by day; at most `limit`.
pub async fn list(
    conn: &mut Conn,
    rotation: Option<RotationId>,
    from: NaiveDate,
    limit: i64,
) -> Result<Vec<Holiday>> {
    let rows: Vec<Row> = match rotation {
        Some(r) => {
            sqlx::query_as(
                "SELECT id, day, name, rotation_id, feed_id FROM holidays
                 WHERE day >= $1 AND (rotation_id IS NULL OR rotation_id = $2)
                 ORDER BY day, id LIMIT $3",
            )
            .bind(from.to_string())
            .bind(r.0)
            .bind(limit)
            .fetch_all(&mut *conn)
            .await?
        }
        None => {
            sqlx::query_as(
                "SELECT id, day, name, rotation_id, feed_id FROM holidays WHERE day >= $1
                 ORDER BY day, id LIMIT $2",
            )
            .bind(from.to_string())
            .bind(limit)
            .fetch_all(&mut *conn)
            .await?
        }
    };
    rows.into_iter().map(Holiday::try_from).collect()
}

/// The days that are holidays for a rotation (its own and everyone's), from `from` on.
pub async fn days_for(
    conn: &mut Conn,
    rotation: RotationId,
    from: NaiveDate,
) -> Result<BTreeSet<NaiveDate>> {
    Ok(list(conn, Some(rotation), from, i64::MAX)
        .await?
        .into_iter()
        .map(|h| h.day)
        .collect())
}
