//! Storage: SQLite through sqlx, the only place with SQL and the only place that names a database
//! driver. The layers above hold the store's own handles: a [`Db`] (the pool), a [`Read`] connection,
//! a write transaction [`Tx`]; query functions take `&mut Conn`, so they work inside the caller's
//! transaction, and the caller owns begin and commit. Database errors are mapped once, here, into
//! `StoreError`, which records the query's place in the store (file and line) as its context.
//!
//! Reads on the busiest paths (`rotation show`, fills) return their rows as one JSON array in a single
//! row (`json_group_array`): sqlx runs SQLite on a worker thread and hands every row across a channel,
//! so many small rows cost far more in thread hand-offs than the query itself.

pub mod autopilot;
pub mod calendar;
// The Postgres backend (issue 10) is being built on branch `postgres`: the store moves to sqlx's `Any`
// driver and this rewrites SQLite's JSON1 calls for Postgres. Tested here already, wired in there.
mod dialect;
pub mod leases;
pub mod members;
pub mod outbox;
pub mod overview;
pub mod rotations;
pub mod skills;
pub mod tasks;
pub mod unavailability;
pub mod users;

use std::str::FromStr;
use std::time::Duration;

use std::panic::Location;

use chrono::{DateTime, TimeZone, Utc};
use sqlx::SqlitePool;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};

/// The connection every query function takes: a pooled connection or an open transaction derefs
/// to it.
pub type Conn = sqlx::SqliteConnection;
/// A write transaction; dropped without [`commit`] it rolls back.
pub type Tx = sqlx::Transaction<'static, sqlx::Sqlite>;
/// A pooled connection for reads outside a transaction.
pub type Read = sqlx::pool::PoolConnection<sqlx::Sqlite>;

pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("not found")]
    NotFound,
    #[error("already exists")]
    Conflict,
    #[error("stored data is invalid: {0}")]
    Corrupt(String),
    /// A query failed; `at` is where in the store it was run, which names the query.
    #[error("database error at {at}: {source}")]
    Db {
        #[source]
        source: sqlx::Error,
        at: &'static Location<'static>,
    },
    #[error("migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
}

impl From<sqlx::Error> for StoreError {
    /// `#[track_caller]`: a `?` on a query records the line of that `?`, so every database error
    /// says which query failed without a hand-written context at each of them.
    #[track_caller]
    fn from(e: sqlx::Error) -> Self {
        match &e {
            sqlx::Error::RowNotFound => StoreError::NotFound,
            sqlx::Error::Database(db) if db.is_unique_violation() => StoreError::Conflict,
            _ => StoreError::Db {
                source: e,
                at: Location::caller(),
            },
        }
    }
}

impl StoreError {
    /// Whether the database itself could not be reached (as opposed to a bad query or data).
    pub fn is_unavailable(&self) -> bool {
        matches!(
            self,
            StoreError::Db {
                source: sqlx::Error::PoolTimedOut
                    | sqlx::Error::PoolClosed
                    | sqlx::Error::Io(_)
                    | sqlx::Error::Tls(_),
                ..
            }
        )
    }
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// The database: a pool of connections. Cheap to clone.
#[derive(Clone, Debug)]
pub struct Db {
    pool: SqlitePool,
}

impl Db {
    /// Opens (creating if missing) the database in WAL mode with foreign keys on, and applies
    /// migrations.
    pub async fn connect(url: &str) -> Result<Db> {
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
        Ok(Db { pool })
    }

    /// A connection for reads.
    pub async fn read(&self) -> Result<Read> {
        Ok(self.pool.acquire().await?)
    }

    /// Starts a write transaction with `BEGIN IMMEDIATE`, so concurrent writers queue on SQLite's
    /// busy timeout up front instead of failing with SQLITE_BUSY when a read transaction tries to
    /// upgrade.
    pub async fn begin_write(&self) -> Result<Tx> {
        Ok(self.pool.begin_with("BEGIN IMMEDIATE").await?)
    }

    /// Whether the database answers (for `/healthz`).
    pub async fn ping(&self) -> Result<()> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }

    /// Closes every connection (at shutdown).
    pub async fn close(&self) {
        self.pool.close().await;
    }
}

/// Commits a write transaction.
pub async fn commit(tx: Tx) -> Result<()> {
    Ok(tx.commit().await?)
}

/// Starts a transaction on a connection the caller already holds (for a short write inside a
/// longer piece of work).
pub async fn begin_on(conn: &mut Conn) -> Result<sqlx::Transaction<'_, sqlx::Sqlite>> {
    Ok(sqlx::Connection::begin(conn).await?)
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
