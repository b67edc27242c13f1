//! One support packet over a large installation: 10,000 users, 1,000 rotations of 10 members and 10
//! tasks, 10,000 outbox rows, 2,000 ICS feeds (each a secret the packet must hide) and a full 1 MiB log
//! tail. Target: under 2 s. Seeded straight into SQLite; no Mattermost (its check is `OFF`).

use std::io::Write;
use std::time::Duration;

use chrono::Utc;
use criterion::{Criterion, criterion_group, criterion_main};
use solar_lottery::config::Settings;
use solar_lottery::store::Db;
use solar_lottery::support::{self, LogTail, Sources};
use tracing_subscriber::fmt::MakeWriter;

const USERS: i64 = 10_000;
const ROTATIONS: i64 = 1_000;
const FEEDS: i64 = 2_000;

async fn seed(db: &Db) {
    let statements = [
        format!(
            "WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i + 1 < {USERS})
             INSERT INTO users (id, username, tz, email, is_admin, refreshed_at, created_at)
             SELECT 'u' || i, 'user' || i, 'UTC', 'user' || i || '@example.com', 0, 0, 0 FROM n"
        ),
        format!(
            "WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i + 1 < {ROTATIONS})
             INSERT INTO rotations (id, name, tz, task_type, period, beginning, seed, ap_create, created_by, created_at)
             SELECT i + 1, 'rot' || i, 'UTC', 'shift', 'weekly', 0, i, i % 2, 'u0', 0 FROM n"
        ),
        format!(
            "WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i + 1 < {ROTATIONS} * 10)
             INSERT INTO rotation_members (rotation_id, user_id, position, joined_at)
             SELECT i / 10 + 1, 'u' || i, i % 10, 0 FROM n"
        ),
        format!(
            "WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i + 1 < {ROTATIONS} * 10)
             INSERT INTO tasks (rotation_id, number, kind, state, expected_start, expected_duration, created_at)
             SELECT i / 10 + 1, i % 10, 'shift',
                    CASE WHEN i % 10 < 6 THEN 'finished' WHEN i % 10 = 6 THEN 'started' ELSE 'pending' END,
                    i, 604800, 0 FROM n"
        ),
        format!(
            "WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i + 1 < {USERS})
             INSERT INTO outbox (key, user_id, kind, message, next_attempt_at, sent_at, created_at)
             SELECT 'k' || i, 'u' || i, 'welcome', 'Welcome', 0, CASE WHEN i % 3 = 0 THEN NULL ELSE 1 END, 0 FROM n"
        ),
        format!(
            "WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i + 1 < {FEEDS})
             INSERT INTO calendar_connections (user_id, source_kind, source, connected_by, connected_at)
             SELECT 'u' || i, 'ics', 'https://cal' || (i % 40) || '.example.com/private/' || hex(randomblob(16)) || '/basic.ics',
                    'u' || i, 0 FROM n"
        ),
    ];
    let mut tx = db.begin_write().await.unwrap();
    for sql in statements {
        sqlx::query(sqlx::AssertSqlSafe(sql))
            .execute(&mut *tx)
            .await
            .unwrap();
    }
    tx.commit().await.unwrap();
}

fn bench(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("packet.db").display());
    let db = rt.block_on(Db::connect(&url)).unwrap();
    rt.block_on(seed(&db));
    let settings = Settings::from_pairs([
        ("database_url", url.as_str()),
        ("bot_token", "bench-bot-token-0123456789"),
        ("slash_tokens", "bench-slash-token-0123456789"),
    ])
    .unwrap();
    let tail = LogTail::with_capacity(support::logs::DEFAULT_CAPACITY);
    for i in 0..20_000 {
        let line = format!(
            "2030-03-06T10:00:00.000000Z  INFO solar_lottery::jobs: tick done job=autopilot run={i} summary=\"1000 rotations, 0 acted\"\n"
        );
        tail.make_writer().write_all(line.as_bytes()).unwrap();
    }
    let sources = Sources {
        logs: Some(tail),
        ..Sources::new(settings, db, None)
    };
    let packet = rt.block_on(support::generate(
        &sources,
        support::Options { logs: true },
        Utc::now(),
    ));
    assert!(packet.warnings.is_empty(), "{:?}", packet.warnings);
    let mut group = c.benchmark_group("support_packet");
    group.sample_size(10);
    group.measurement_time(Duration::from_secs(10));
    group.bench_function("10000_users_1000_rotations", |b| {
        b.to_async(&rt).iter(|| async {
            support::generate(&sources, support::Options { logs: true }, Utc::now()).await
        })
    });
    group.finish();
}

criterion_group! {
    name = benches;
    // No plots: with plotters' `ab_glyph` feature (the `rotation stats` chart) criterion's plots
    // find no font and panic; the figures are what count.
    config = Criterion::default().without_plots();
    targets = bench
}
criterion_main!(benches);
