//! Storage: SQLite through sqlx, the only place with SQL. One module per aggregate; functions take a
//! connection (`&mut SqliteConnection`, so they work inside the caller's transaction) and the caller owns
//! begin and commit. Database errors are mapped once, here, into `StoreError`.
//!
//! Reads on the busiest paths (`rotation show`, fills) return their rows as one JSON array in a single
//! row (`json_group_array`): sqlx runs SQLite on a worker thread and hands every row across a channel,
//! so many small rows cost far more in thread hand-offs than the query itself.

pub mod calendar;
pub mod leases;
pub mod outbox;
pub mod overview;
pub mod rotations;
pub mod skills;
pub mod tasks;
pub mod unavailability;
pub mod users;

use std::str::FromStr;
use std::time::Duration;

use chrono::{DateTime, TimeZone, Utc};
use sqlx::SqlitePool;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};

pub use sqlx::SqliteConnection as Conn;

pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("not found")]
    NotFound,
    #[error("already exists")]
    Conflict,
    #[error("stored data is invalid: {0}")]
    Corrupt(String),
    #[error("database error: {0}")]
    Db(#[source] sqlx::Error),
    #[error("migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
}

impl From<sqlx::Error> for StoreError {
    fn from(e: sqlx::Error) -> Self {
        match &e {
            sqlx::Error::RowNotFound => StoreError::NotFound,
            sqlx::Error::Database(db) if db.is_unique_violation() => StoreError::Conflict,
            _ => StoreError::Db(e),
        }
    }
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// Opens (creating if missing) the database in WAL mode with foreign keys on, and applies migrations.
pub async fn connect(url: &str) -> Result<SqlitePool> {
    let options = SqliteConnectOptions::from_str(url)?
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Normal)
        .foreign_keys(true)
        .busy_timeout(Duration::from_secs(10));
    let pool = SqlitePoolOptions::new()
        .max_connections(8)
        .min_connections(1)
        .connect_with(options)
        .await?;
    MIGRATOR.run(&pool).await?;
    Ok(pool)
}

/// Starts a write transaction with `BEGIN IMMEDIATE`, so concurrent writers queue on SQLite's busy
/// timeout up front instead of failing with SQLITE_BUSY when a read transaction tries to upgrade.
pub async fn begin_write(pool: &SqlitePool) -> Result<sqlx::Transaction<'static, sqlx::Sqlite>> {
    Ok(pool.begin_with("BEGIN IMMEDIATE").await?)
}

/// Unix seconds → UTC time; out-of-range values are reported, never panicked on.
pub fn from_ts(ts: i64) -> Result<DateTime<Utc>> {
    Utc.timestamp_opt(ts, 0)
        .single()
        .ok_or_else(|| StoreError::Corrupt(format!("timestamp {ts} is out of range")))
}

pub fn ts(t: DateTime<Utc>) -> i64 {
    t.timestamp()
}

/// A list of ids as one JSON array, for `… IN (SELECT value FROM json_each(?))`: one statement and
/// one parameter however many ids there are.
pub(crate) fn json_ids<'a>(ids: impl IntoIterator<Item = &'a str>) -> String {
    serde_json::Value::Array(
        ids.into_iter()
            .map(|i| serde_json::Value::String(i.to_string()))
            .collect(),
    )
    .to_string()
}

/// Decodes the JSON array a `SELECT json_group_array(json_array(…)) …` query returns (one row, one
/// column; each element a tuple in the order of `json_array`).
pub(crate) fn json_rows<T: serde::de::DeserializeOwned>(json: &str) -> Result<Vec<T>> {
    serde_json::from_str(json)
        .map_err(|e| StoreError::Corrupt(format!("unexpected row shape: {e}")))
}
