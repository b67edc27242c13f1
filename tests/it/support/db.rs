//! A fresh database for each test, on the backend the run asks for: a temp SQLite file by default, or
//! with `LOTTO_TEST_DATABASE=postgres` a new database on the Postgres server at
//! `LOTTO_TEST_POSTGRES_URL` (default `postgres://postgres@127.0.0.1:5432/postgres`, the development
//! and CI machines' server with trust auth). `bash .ci/run` runs the suite both ways.
//!
//! Postgres databases are named `lotto_test_<pid>_<n>`; each test process drops, once, those left by
//! processes that are gone, so runs don't pile them up.

use std::sync::atomic::{AtomicUsize, Ordering};

use sqlx::{AnyPool, Connection, Executor};
use tokio::sync::OnceCell;

pub const DEFAULT_POSTGRES_URL: &str = "postgres://postgres@127.0.0.1:5432/postgres";

/// Where the test databases live; holds the temp dir of a SQLite file until dropped.
pub struct TestDb {
    pub url: String,
    _dir: Option<tempfile::TempDir>,
}

/// Whether this run tests Postgres (`LOTTO_TEST_DATABASE=postgres`).
pub fn on_postgres() -> bool {
    std::env::var("LOTTO_TEST_DATABASE").is_ok_and(|v| v.eq_ignore_ascii_case("postgres"))
}

/// The server the Postgres tests create their databases on.
pub fn postgres_server_url() -> String {
    std::env::var("LOTTO_TEST_POSTGRES_URL").unwrap_or_else(|_| DEFAULT_POSTGRES_URL.to_string())
}

/// A new, empty database on this run's backend.
pub async fn fresh() -> TestDb {
    if on_postgres() {
        fresh_postgres().await
    } else {
        let dir = tempfile::tempdir().expect("temp dir");
        let url = format!("sqlite://{}", dir.path().join("lotto.db").display());
        TestDb {
            url,
            _dir: Some(dir),
        }
    }
}

/// A new, empty Postgres database, whatever this run's backend (for the tests of several processes
/// sharing one database, which only Postgres offers).
pub async fn fresh_postgres() -> TestDb {
    static SWEPT: OnceCell<()> = OnceCell::const_new();
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    let server = postgres_server_url();
    let mut admin = sqlx::PgConnection::connect(&server)
        .await
        .unwrap_or_else(|e| panic!("the test Postgres server {server} must be up: {e}"));
    SWEPT
        .get_or_init(|| async { drop_leftovers(&mut admin).await })
        .await;
    let name = format!(
        "lotto_test_{}_{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    );
    admin
        .execute(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
        .await
        .expect("create the test database");
    let base = server.rsplit_once('/').map_or(server.as_str(), |(b, _)| b);
    TestDb {
        url: format!("{base}/{name}"),
        _dir: None,
    }
}

/// Drops the test databases of processes that no longer run.
async fn drop_leftovers(admin: &mut sqlx::PgConnection) {
    let names: Vec<String> =
        sqlx::query_scalar("SELECT datname FROM pg_database WHERE datname LIKE 'lotto_test_%'")
            .fetch_all(&mut *admin)
            .await
            .expect("list test databases");
    for name in names {
        let pid = name.split('_').nth(2).and_then(|p| p.parse::<u32>().ok());
        let alive = pid.is_some_and(|p| std::path::Path::new(&format!("/proc/{p}")).exists());
        if !alive {
            let _ = admin
                .execute(sqlx::AssertSqlSafe(format!(
                    "DROP DATABASE IF EXISTS {name} WITH (FORCE)"
                )))
                .await;
        }
    }
}

/// A pool on a test database, for reading what the bot stored.
pub async fn pool(url: &str) -> AnyPool {
    sqlx::any::install_default_drivers();
    AnyPool::connect(url).await.expect("open the test database")
}
