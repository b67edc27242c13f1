//! Serving a calendar feed of 1,000 tasks (one rotation, two people on each, 8-hour shifts from
//! 20 days back), seeded straight into SQLite: the service call behind `GET /ical/<token>.ics`
//! (token check, reads, fingerprint, RFC 5545 text). Target: under 5 ms. Cases: polling an unchanged
//! feed, polling after a write to another rotation, polling after a rename of someone not in it (read
//! and fingerprinted again, not rendered), the first request after one of its tasks changed, and the
//! first request in a new process.
//! Run: `cargo bench --bench ical_feed`.

mod common {
    #[path = "service.rs"]
    pub mod service;
}

use chrono::{DateTime, TimeDelta, TimeZone, Utc};
use criterion::{Criterion, criterion_group, criterion_main};
use solar_lottery::lottery::{Period, SkillLevel, TaskType, UserId};
use solar_lottery::service::Service;
use solar_lottery::store::ical::FeedSubject;
use solar_lottery::store::rotations::NewRotation;
use solar_lottery::store::tasks::NewTask;
use solar_lottery::store::{self, users::User};

const TASKS: i64 = 1_000;
const TOKEN: &str = "0123456789abcdef0123456789abcdef01234567";

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2030, 3, 6, 10, 0, 0).unwrap()
}

async fn seed(url: &str) {
    let db = store::Db::connect(url).await.unwrap();
    let mut tx = db.begin_write().await.unwrap();
    let t0 = now() - TimeDelta::days(60);
    let users: Vec<UserId> = (0..4)
        .map(|i| UserId::new(format!("user{i:022}")))
        .collect();
    for (i, id) in users.iter().enumerate() {
        let u = User {
            id: id.clone(),
            username: format!("person{i}"),
            tz: None,
            email: None,
            is_admin: false,
            refreshed_at: 0,
        };
        store::users::upsert(&mut tx, &u, t0).await.unwrap();
    }
    let rotation = NewRotation {
        name: "ICE".into(),
        tz: chrono_tz::UTC,
        task_type: TaskType::Shift,
        period: Period::Daily,
        beginning: t0,
        seed: 1,
        fuzz: 0,
        created_by: users[0].clone(),
    };
    let id = store::rotations::insert(&mut tx, &rotation, t0)
        .await
        .unwrap();
    // Another rotation, where the set-up of one case writes.
    let other = NewRotation {
        name: "OPS".into(),
        ..rotation
    };
    store::rotations::insert(&mut tx, &other, t0).await.unwrap();
    let first = now() - TimeDelta::days(20);
    for n in 0..TASKS {
        let task = NewTask {
            rotation_id: id,
            number: n,
            kind: TaskType::Shift,
            expected_start: first + TimeDelta::hours(8 * n),
            expected_duration: TimeDelta::hours(8),
            grace: TimeDelta::zero(),
            summary: None,
            require: vec![(SkillLevel::Any, 2)],
            limit: vec![],
        };
        let task_id = store::tasks::insert(&mut tx, &task, t0).await.unwrap();
        for k in 0..2 {
            let who = &users[(n as usize + k) % users.len()];
            store::tasks::add_user(&mut tx, task_id, who).await.unwrap();
        }
    }
    store::ical::replace(&mut tx, &FeedSubject::Rotation(id), TOKEN, t0)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    db.close().await;
}

async fn service(url: &str) -> Service {
    let db = store::Db::connect(url).await.unwrap();
    service_on(db)
}

/// A service of its own (so nothing rendered is kept from an earlier one).
fn service_on(db: store::Db) -> Service {
    // Mattermost is never called: serving a feed only reads the database.
    common::service::service(
        db,
        common::service::unreachable_mattermost(),
        UserId::new("bot"),
    )
}

/// A write to another rotation: one more task in OPS.
async fn task_elsewhere(svc: &Service, n: u64) {
    let mut tx = svc.db().begin_write().await.unwrap();
    let task = NewTask {
        rotation_id: solar_lottery::lottery::RotationId(2),
        number: i64::try_from(n).unwrap(),
        kind: TaskType::Shift,
        expected_start: now(),
        expected_duration: TimeDelta::hours(8),
        grace: TimeDelta::zero(),
        summary: None,
        require: vec![(SkillLevel::Any, 1)],
        limit: vec![],
    };
    store::tasks::insert(&mut tx, &task, now()).await.unwrap();
    tx.commit().await.unwrap();
}

/// A change to one of the feed's tasks: someone put on ICE#500, or taken off again.
async fn change_one_task(svc: &Service, n: u64) {
    let mut tx = svc.db().begin_write().await.unwrap();
    let (task, who) = (
        solar_lottery::lottery::TaskId(501),
        UserId::new(format!("user{:022}", 2)),
    );
    if n.is_multiple_of(2) {
        store::tasks::add_user(&mut tx, task, &who).await.unwrap();
    } else {
        store::tasks::remove_user(&mut tx, task, &who)
            .await
            .unwrap();
    }
    tx.commit().await.unwrap();
}

/// A write every rotation's feed may show, though this one does not: a person in no task changes
/// their name.
async fn rename_outsider(svc: &Service, n: u64) {
    let mut tx = svc.db().begin_write().await.unwrap();
    let u = User {
        id: UserId::new("outsider0000000000000000"),
        username: format!("outsider{n}"),
        tz: None,
        email: None,
        is_admin: false,
        refreshed_at: 0,
    };
    store::users::upsert(&mut tx, &u, now()).await.unwrap();
    tx.commit().await.unwrap();
}

fn bench(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("feed.db").display());
    rt.block_on(seed(&url));
    let svc = rt.block_on(service(&url));
    let feed = rt
        .block_on(svc.ical_feed(TOKEN, now()))
        .unwrap()
        .expect("the feed");
    assert_eq!(feed.body.matches("BEGIN:VEVENT").count(), TASKS as usize);
    let mut group = c.benchmark_group("ical_feed");
    // A calendar client polling an unchanged feed: read, fingerprint, the kept text.
    group.bench_function("1000_tasks", |b| {
        b.to_async(&rt)
            .iter(|| async { svc.ical_feed(TOKEN, now()).await.unwrap() })
    });
    // After a write to another rotation: this feed's counters stand still.
    let tasks_added = std::sync::atomic::AtomicU64::new(0);
    group.bench_function("1000_tasks_after_a_write_to_another_rotation", |b| {
        // Not `to_async`: the set-up writes through the same runtime.
        b.iter_batched(
            || {
                let n = tasks_added.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                rt.block_on(task_elsewhere(&svc, n));
            },
            |()| rt.block_on(svc.ical_feed(TOKEN, now())).unwrap(),
            criterion::BatchSize::PerIteration,
        )
    });
    // After a rename of someone on no task here: the counter every rotation shares moved, so read
    // and fingerprint again, but the text is the one already rendered.
    let renames = std::sync::atomic::AtomicU64::new(0);
    group.bench_function("1000_tasks_after_a_rename_elsewhere", |b| {
        b.iter_batched(
            || {
                let n = renames.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                rt.block_on(rename_outsider(&svc, n));
            },
            |()| rt.block_on(svc.ical_feed(TOKEN, now())).unwrap(),
            criterion::BatchSize::PerIteration,
        )
    });
    // After a change to one of its tasks: read, fingerprint, write that one event again and
    // assemble the text (the other events are kept).
    let changes = std::sync::atomic::AtomicU64::new(0);
    group.bench_function("1000_tasks_after_one_task_changed", |b| {
        b.iter_batched(
            || {
                let n = changes.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                rt.block_on(change_one_task(&svc, n));
                n
            },
            // A later moment each time: the change is stamped anew, so no whole text is kept.
            |n| {
                let at = now() + TimeDelta::seconds(i64::try_from(n).unwrap() + 1);
                rt.block_on(svc.ical_feed(TOKEN, at)).unwrap()
            },
            criterion::BatchSize::PerIteration,
        )
    });
    // The first request in a new process: read, fingerprint and write every event through
    // `icalendar`.
    group.bench_function("1000_tasks_first_render", |b| {
        b.to_async(&rt).iter_batched(
            || service_on(svc.db().clone()),
            |fresh| async move { fresh.ical_feed(TOKEN, now()).await.unwrap() },
            criterion::BatchSize::SmallInput,
        )
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
