//! One background autopilot tick over 1,000 rotations of 10 tasks each (weekly shifts, four members
//! each, creating 3 weeks ahead, reminders and start/finish on), seeded straight into SQLite:
//!
//! - `nothing_due`: every shift ahead exists, none is due for anything. Target: under 50 ms.
//! - `1000_fills_due`: the same, but each rotation's next shift is pending and inside its schedule
//!   window: 1,000 fills, each scheduled and its DM queued. Target: under 1 s. Each iteration starts
//!   from a fresh copy of the seeded database.
//!
//! No Mattermost is involved: the tick only queues DMs; delivering them is the outbox sender's job.

mod common {
    #[path = "service.rs"]
    pub mod service;
}

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use chrono::{DateTime, TimeDelta, TimeZone, Utc};
use criterion::{Criterion, criterion_group, criterion_main};
use solar_lottery::lottery::{
    AutopilotSettings, Period, RotationId, SkillLevel, TaskState, TaskType, UserId,
};
use solar_lottery::service::Service;
use solar_lottery::store::rotations::{NeedKind, NewRotation};
use solar_lottery::store::tasks::NewTask;
use solar_lottery::store::{self, users::User};

const ROTATIONS: usize = 1_000;
const TASKS: i64 = 10;
const MEMBERS: usize = 4;

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2030, 3, 6, 10, 0, 0).unwrap()
}

/// Shift 6 began an hour ago.
fn beginning() -> DateTime<Utc> {
    now() - TimeDelta::weeks(6) - TimeDelta::hours(1)
}

fn start_of(n: i64) -> DateTime<Utc> {
    beginning() + TimeDelta::weeks(n)
}

fn user(r: usize, m: usize) -> UserId {
    UserId::new(format!("u{r:05}m{m}"))
}

/// Shifts 0–5 finished, 6 running, 7 scheduled (or pending and due, with `fills_due`), 8–9 pending
/// and not yet due; shifts up to 9 are all that start within the 3 weeks ahead.
async fn seed(url: &str, fills_due: bool) {
    let db = store::Db::connect(url).await.unwrap();
    let mut tx = db.begin_write().await.unwrap();
    let t0 = beginning() - TimeDelta::days(30);
    let settings = AutopilotSettings {
        create: true,
        create_prior: TimeDelta::weeks(3),
        schedule: true,
        schedule_prior: if fills_due {
            TimeDelta::days(10)
        } else {
            TimeDelta::days(5)
        },
        start_finish: true,
        remind_start: true,
        remind_start_prior: TimeDelta::hours(24),
        remind_finish: true,
        remind_finish_prior: TimeDelta::hours(24),
    };
    for r in 0..ROTATIONS {
        for m in 0..MEMBERS {
            store::users::upsert(
                &mut tx,
                &User {
                    id: user(r, m),
                    username: format!("user{r}_{m}"),
                    tz: Some(chrono_tz::Europe::Berlin),
                    email: None,
                    is_admin: false,
                    refreshed_at: 0,
                },
                t0,
            )
            .await
            .unwrap();
        }
        let id = store::rotations::insert(
            &mut tx,
            &NewRotation {
                name: format!("R{r:04}"),
                tz: chrono_tz::UTC,
                task_type: TaskType::Shift,
                period: Period::Weekly,
                beginning: beginning(),
                seed: r as u64,
                fuzz: 0,
                created_by: user(r, 0),
            },
            t0,
        )
        .await
        .unwrap();
        store::rotations::set_autopilot(&mut tx, id, &settings)
            .await
            .unwrap();
        store::rotations::set_task_settings(&mut tx, id, TimeDelta::zero(), TimeDelta::weeks(1))
            .await
            .unwrap();
        store::rotations::set_need(&mut tx, id, NeedKind::Require, &SkillLevel::Any, 1)
            .await
            .unwrap();
        store::members::add_owner(&mut tx, id, &user(r, 0))
            .await
            .unwrap();
        for m in 0..MEMBERS {
            store::members::add_member(&mut tx, id, &user(r, m), t0)
                .await
                .unwrap();
        }
        for n in 0..TASKS {
            seed_task(&mut tx, id, r, n, fills_due).await;
        }
    }
    tx.commit().await.unwrap();
    db.close().await;
}

async fn seed_task(tx: &mut store::Conn, id: RotationId, r: usize, n: i64, fills_due: bool) {
    let start = start_of(n);
    let task_id = store::tasks::insert(
        tx,
        &NewTask {
            rotation_id: id,
            number: n,
            kind: TaskType::Shift,
            expected_start: start,
            expected_duration: TimeDelta::weeks(1),
            grace: TimeDelta::weeks(1),
            summary: None,
            require: vec![(SkillLevel::Any, 1)],
            limit: vec![],
        },
        beginning() - TimeDelta::days(30),
    )
    .await
    .unwrap();
    let state = match n {
        0..=5 => TaskState::Finished,
        6 => TaskState::Started,
        7 if !fills_due => TaskState::Scheduled,
        _ => return,
    };
    let mut t = store::tasks::get(tx, task_id).await.unwrap();
    store::tasks::add_user(tx, task_id, &user(r, n as usize % MEMBERS))
        .await
        .unwrap();
    t.state = state;
    t.reminded_start = true;
    if state != TaskState::Scheduled {
        t.times.actual_start = Some(start);
    }
    if state == TaskState::Finished {
        t.times.actual_finish = Some(start + TimeDelta::weeks(1));
        t.reminded_finish = true;
    }
    store::tasks::update(tx, &t).await.unwrap();
}

async fn service(url: &str) -> Service {
    let db = store::Db::connect(url).await.unwrap();
    // Mattermost is never called: a tick only queues DMs.
    common::service::service(
        db,
        common::service::unreachable_mattermost(),
        UserId::new("bot"),
    )
}

fn url(path: &Path) -> String {
    format!("sqlite://{}", path.display())
}

/// A seeded database, built once per scenario.
struct Seeded {
    _dir: tempfile::TempDir,
    file: PathBuf,
}

fn seeded(rt: &tokio::runtime::Runtime, fills_due: bool) -> Seeded {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("seed.db");
    rt.block_on(seed(&url(&file), fills_due));
    Seeded { _dir: dir, file }
}

fn bench(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    let mut group = c.benchmark_group("autopilot_tick_1000_rotations");
    group.sample_size(20);

    let idle = seeded(&rt, false);
    let svc = rt.block_on(service(&url(&idle.file)));
    let report = rt
        .block_on(solar_lottery::autopilot::tick(&svc, now()))
        .unwrap();
    assert_eq!((report.rotations, report.acted), (ROTATIONS, 0));
    group.bench_function("nothing_due", |b| {
        b.to_async(&rt)
            .iter(|| async { solar_lottery::autopilot::tick(&svc, now()).await.unwrap() })
    });

    let due = seeded(&rt, true);
    let scratch = tempfile::tempdir().unwrap();
    group.sample_size(10);
    group.measurement_time(Duration::from_secs(30));
    group.bench_function("1000_fills_due", |b| {
        b.to_async(&rt).iter_custom(|iters| {
            let template = due.file.clone();
            let dir = scratch.path().to_path_buf();
            async move {
                let mut total = Duration::ZERO;
                for i in 0..iters {
                    let file = dir.join(format!("run{i}.db"));
                    std::fs::copy(&template, &file).unwrap();
                    let svc = service(&url(&file)).await;
                    let started = Instant::now();
                    let report = solar_lottery::autopilot::tick(&svc, now()).await.unwrap();
                    total += started.elapsed();
                    assert_eq!((report.acted, report.failed), (ROTATIONS, 0));
                    let scheduled = store_count(&svc).await;
                    assert_eq!(scheduled, ROTATIONS as i64);
                    svc.db().close().await;
                    let _ = std::fs::remove_file(&file);
                }
                total
            }
        })
    });
    group.finish();
}

/// Shifts 7 scheduled by the tick: every fill worked.
async fn store_count(svc: &Service) -> i64 {
    let mut conn = svc.db().read().await.unwrap();
    sqlx::query_scalar("SELECT COUNT(*) FROM tasks WHERE number = 7 AND state = 'scheduled'")
        .fetch_one(&mut *conn)
        .await
        .unwrap()
}

criterion_group! {
    name = benches;
    // No plots: with plotters' `ab_glyph` feature (the `rotation stats` chart) criterion's plots
    // find no font and panic; the figures are what count.
    config = Criterion::default().without_plots();
    targets = bench
}
criterion_main!(benches);
