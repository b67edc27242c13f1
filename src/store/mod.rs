//! Storage: SQLite or Postgres through sqlx's `Any` driver; the only place with SQL and the only
//! place that names a database driver. The layers above hold the store's own handles: a [`Db`] (the
//! pool), a [`Read`] connection, a write transaction [`Tx`]; query functions take `&mut Conn`, so they
//! work inside the caller's transaction, and the caller owns begin and commit. Database errors are
//! mapped once, here, into `StoreError`, which records the query's place in the store (file and line)
//! as its context.
//!
//! The SQL is written once, in the common subset of both engines (see [`dialect`]): `$N` parameters,
//! integers for times and flags, `RETURNING id`. Each backend has its own migrations
//! (`migrations/sqlite`, `migrations/postgres`) creating the same tables.
//!
//! Writers are serialised on both: SQLite has one writer (`BEGIN IMMEDIATE`); on Postgres every write
//! transaction first takes one transaction-scoped advisory lock, so read-modify-write sequences
//! (`MAX(position) + 1`, compare-and-set claims) behave the same when several processes share the
//! database.
//!
//! Reads on the busiest paths (`rotation show`, fills) return their rows as one JSON array in a single
//! row (`json_group_array`): sqlx runs SQLite on a worker thread and hands every row across a channel,
//! so many small rows cost far more in thread hand-offs than the query itself.

pub mod autopilot;
pub mod calendar;
mod dialect;
pub mod fairness;
pub mod history;
pub mod holiday_feeds;
pub mod holidays;
pub mod ical;
pub mod leases;
pub mod members;
pub mod outbox;
pub mod overrides;
pub mod overview;
pub mod presence;
pub mod profile;
pub mod rotations;
pub mod skills;
pub mod stats;
pub mod swaps;
pub mod tasks;
pub mod unavailability;
pub mod users;

use std::panic::Location;
use std::time::Duration;

use chrono::{DateTime, TimeZone, Utc};
use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::{AnyPool, Connection as _, Executor as _};

pub use dialect::Backend;

/// The connection every query function takes: a pooled connection or an open transaction derefs
/// to it.
pub type Conn = sqlx::AnyConnection;
/// A write transaction; dropped without [`commit`] it rolls back.
pub type Tx = sqlx::Transaction<'static, sqlx::Any>;
/// A pooled connection for reads outside a transaction.
pub type Read = sqlx::pool::PoolConnection<sqlx::Any>;

static SQLITE_MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");
static POSTGRES_MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/postgres");

/// The key of the advisory lock every Postgres write transaction holds (any fixed number; this one
/// spells "lotto").
const WRITE_LOCK_KEY: i64 = 0x6c6f74746f;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("not found")]
    NotFound,
    #[error("already exists")]
    Conflict,
    #[error("stored data is invalid: {0}")]
    Corrupt(String),
    #[error("unsupported database URL {0} (expected sqlite://… or postgres://…)")]
    UnsupportedUrl(String),
    /// The database could not be opened at all; `url` has its password masked. (The cause is in
    /// the message, not a `source`, so error chains don't print it twice.)
    #[error("could not connect to {url}: {cause}")]
    Connect { url: String, cause: sqlx::Error },
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
    pool: AnyPool,
    backend: Backend,
}

impl Db {
    /// Opens the database named by `url` and applies its backend's migrations. SQLite files are
    /// created if missing and run in WAL mode with foreign keys on; a Postgres database must exist.
    pub async fn connect(url: &str) -> Result<Db> {
        sqlx::any::install_default_drivers();
        let backend =
            Backend::of_url(url).ok_or_else(|| StoreError::UnsupportedUrl(redact_url(url)))?;
        let connect_error = |cause| StoreError::Connect {
            url: redact_url(url),
            cause,
        };
        let pool = match backend {
            Backend::Sqlite => {
                let options: AnyConnectOptions = sqlite_url(url).parse().map_err(connect_error)?;
                AnyPoolOptions::new()
                    .max_connections(8)
                    .min_connections(1)
                    .after_connect(|conn, _| {
                        Box::pin(async move {
                            // Per connection: wait for the writer instead of failing with BUSY, and
                            // fsync at checkpoints only (safe in WAL mode).
                            conn.execute(
                                "PRAGMA busy_timeout = 10000; PRAGMA synchronous = NORMAL",
                            )
                            .await?;
                            Ok(())
                        })
                    })
                    .connect_with(options)
                    .await
                    .map_err(connect_error)?
            }
            Backend::Postgres => {
                let options: AnyConnectOptions = url.parse().map_err(connect_error)?;
                // One connection first: its error says why (refused, no such database, wrong
                // password), where the pool would only report a timeout.
                sqlx::AnyConnection::connect_with(&options)
                    .await
                    .map_err(connect_error)?
                    .close()
                    .await
                    .map_err(connect_error)?;
                AnyPoolOptions::new()
                    .max_connections(16)
                    .min_connections(1)
                    // A database that does not answer is reported within seconds, not minutes.
                    .acquire_timeout(Duration::from_secs(3))
                    .connect_with(options)
                    .await
                    .map_err(connect_error)?
            }
        };
        if backend == Backend::Sqlite {
            // Persistent in the file: set once, applies to every later connection.
            pool.execute("PRAGMA journal_mode = WAL").await?;
        }
        backend.migrator().run(&pool).await?;
        Ok(Db { pool, backend })
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// A connection for reads.
    pub async fn read(&self) -> Result<Read> {
        Ok(self.pool.acquire().await?)
    }

    /// Starts a write transaction. SQLite: `BEGIN IMMEDIATE`, so concurrent writers queue on the
    /// busy timeout up front instead of failing when a read transaction tries to upgrade. Postgres:
    /// the write lock (see the module doc), so writers in every process queue the same way.
    pub async fn begin_write(&self) -> Result<Tx> {
        match self.backend {
            Backend::Sqlite => Ok(self.pool.begin_with("BEGIN IMMEDIATE").await?),
            Backend::Postgres => {
                let mut tx = self.pool.begin().await?;
                take_write_lock(&mut tx).await?;
                Ok(tx)
            }
        }
    }

    /// Whether the database answers (for `/healthz`).
    pub async fn ping(&self) -> Result<()> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }

    /// The server's version string (for diagnostics).
    pub async fn server_version(&self) -> Result<String> {
        let sql = match self.backend {
            Backend::Sqlite => "SELECT sqlite_version()",
            Backend::Postgres => "SELECT current_setting('server_version')",
        };
        Ok(sqlx::query_scalar(sql).fetch_one(&self.pool).await?)
    }

    /// Closes every connection (at shutdown).
    pub async fn close(&self) {
        self.pool.close().await;
    }
}

impl Backend {
    fn migrator(self) -> &'static sqlx::migrate::Migrator {
        match self {
            Backend::Sqlite => &SQLITE_MIGRATOR,
            Backend::Postgres => &POSTGRES_MIGRATOR,
        }
    }
}

/// A SQLite URL that creates the file when it is missing (`mode=rwc`), unless it names a mode.
fn sqlite_url(url: &str) -> String {
    if url.contains("mode=") {
        url.to_string()
    } else if url.contains('?') {
        format!("{url}&mode=rwc")
    } else {
        format!("{url}?mode=rwc")
    }
}

/// `url` with any password replaced, for messages and logs.
pub fn redact_url(url: &str) -> String {
    match reqwest::Url::parse(url) {
        Ok(mut u) if u.password().is_some() => {
            let _ = u.set_password(Some("****"));
            u.to_string()
        }
        _ => url.to_string(),
    }
}

async fn take_write_lock(conn: &mut Conn) -> Result<()> {
    sqlx::query("SELECT pg_advisory_xact_lock($1)")
        .bind(WRITE_LOCK_KEY)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Commits a write transaction.
pub async fn commit(tx: Tx) -> Result<()> {
    Ok(tx.commit().await?)
}

/// Starts a write transaction on a connection the caller already holds (for a short write inside a
/// longer piece of work); on Postgres it takes the write lock like [`Db::begin_write`].
pub async fn begin_on(conn: &mut Conn) -> Result<sqlx::Transaction<'_, sqlx::Any>> {
    let postgres = Backend::of(conn) == Backend::Postgres;
    let mut tx = conn.begin().await?;
    if postgres {
        take_write_lock(&mut tx).await?;
    }
    Ok(tx)
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
