//! One presence tick for 1,000 rotations with presence alerts on, each with a started task of two
//! people (2,000 ids; each rotation's owner is one of its two): the real `PresenceJob::run` against
//! the tests' fake Mattermost, database reads and writes included. Targets: at most 11 status
//! requests and under 50 ms per tick.
//!
//! - `steady`: statuses as at the last tick (the usual case: nothing to write or announce).
//! - `half_changed`: half the people changed status since the last tick (1,000 rows written).

#[expect(
    dead_code,
    reason = "this bench uses only the fake Mattermost of the tests' support code"
)]
#[path = "../tests/it/support/mod.rs"]
mod support;

#[expect(
    dead_code,
    reason = "this bench talks to the fake Mattermost, not the unreachable one"
)]
mod common {
    #[path = "service.rs"]
    pub mod service;
}

use std::time::{Duration, Instant};

use chrono::{DateTime, TimeDelta, TimeZone, Utc};
use criterion::{Criterion, criterion_group, criterion_main};
use secrecy::SecretString;
use solar_lottery::lottery::{Period, TaskState, TaskType, UserId};
use solar_lottery::mattermost::MattermostClient;
use solar_lottery::presence::PresenceJob;
use solar_lottery::store::presence::PresenceSettings;
use solar_lottery::store::rotations::NewRotation;
use solar_lottery::store::tasks::NewTask;
use solar_lottery::store::{self, users::User};
use support::fake_mattermost::{FakeMattermost, FakeUser, RouteKind};

const ROTATIONS: usize = 1_000;

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2030, 3, 4, 10, 0, 0).unwrap()
}

async fn seed(db: &store::Db, people: &[FakeUser]) {
    let mut tx = db.begin_write().await.unwrap();
    let t0 = now() - TimeDelta::hours(1);
    for (i, p) in people.iter().enumerate() {
        let user = User {
            id: p.user_id(),
            username: format!("p{i:05}"),
            tz: Some(chrono_tz::UTC),
            email: None,
            is_admin: false,
            refreshed_at: 0,
        };
        store::users::upsert(&mut tx, &user, t0).await.unwrap();
    }
    for r in 0..ROTATIONS {
        let (a, b) = (people[2 * r].user_id(), people[2 * r + 1].user_id());
        let id = store::rotations::insert(
            &mut tx,
            &NewRotation {
                name: format!("R{r:04}"),
                tz: chrono_tz::UTC,
                task_type: TaskType::Shift,
                period: Period::Weekly,
                beginning: t0,
                seed: r as u64,
                fuzz: 0,
                created_by: a.clone(),
            },
            t0,
        )
        .await
        .unwrap();
        store::members::add_owner(&mut tx, id, &a).await.unwrap();
        let settings = PresenceSettings {
            absent_after: TimeDelta::minutes(15),
            channel: None,
        };
        store::presence::set_presence(&mut tx, id, &settings, &a, t0)
            .await
            .unwrap();
        let task = store::tasks::insert(
            &mut tx,
            &NewTask {
                rotation_id: id,
                number: 0,
                kind: TaskType::Shift,
                expected_start: t0,
                expected_duration: TimeDelta::weeks(1),
                grace: TimeDelta::zero(),
                summary: None,
                require: vec![],
                limit: vec![],
            },
            t0,
        )
        .await
        .unwrap();
        for u in [&a, &b] {
            store::tasks::add_user(&mut tx, task, u).await.unwrap();
        }
        let mut t = store::tasks::get(&mut tx, task).await.unwrap();
        t.state = TaskState::Started;
        t.times.actual_start = Some(t0);
        store::tasks::update(&mut tx, &t).await.unwrap();
    }
    tx.commit().await.unwrap();
}

fn bench(c: &mut Criterion) {
    // The fake runs on its own runtime, like a server elsewhere.
    let fake_rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    let mm = fake_rt.block_on(FakeMattermost::start());
    let people: Vec<FakeUser> = (0..2 * ROTATIONS)
        .map(|i| mm.add_user(&format!("p{i:05}")).status("online", false))
        .collect();

    let rt = tokio::runtime::Runtime::new().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let db_url = format!("sqlite://{}", dir.path().join("bench.db").display());
    let job = rt.block_on(async {
        let db = store::Db::connect(&db_url).await.unwrap();
        seed(&db, &people).await;
        let client = MattermostClient::new(
            mm.base_url(),
            SecretString::from(mm.bot_token()),
            Duration::from_secs(30),
        )
        .unwrap();
        PresenceJob::new(common::service::service(
            db,
            client,
            UserId::new(mm.bot().id()),
        ))
    });

    // The baseline, then one checked tick: every id polled, in how many requests.
    let (report, requests, took) = rt.block_on(async {
        job.run(now()).await.unwrap();
        let before = mm.request_count(RouteKind::GetStatusesByIds);
        let started = Instant::now();
        let report = job.run(now() + TimeDelta::minutes(1)).await.unwrap();
        let took = started.elapsed();
        (
            report,
            mm.request_count(RouteKind::GetStatusesByIds) - before,
            took,
        )
    });
    assert_eq!(report.polled, 2 * ROTATIONS);
    assert!(requests <= 11, "{requests} status requests");
    eprintln!(
        "presence tick: {} ids in {requests} status requests, {took:.2?}",
        report.polled
    );

    let mut group = c.benchmark_group("presence_tick_1000_rotations");
    group.sample_size(20);
    let mut minute = 2;
    group.bench_function("steady", |b| {
        b.to_async(&rt).iter(|| {
            minute += 1;
            let at = now() + TimeDelta::minutes(minute);
            let job = &job;
            async move { job.run(at).await.unwrap() }
        })
    });
    let mut flip = false;
    group.bench_function("half_changed", |b| {
        b.iter_custom(|iters| {
            let mut total = Duration::ZERO;
            for _ in 0..iters {
                flip = !flip;
                let status = if flip { "away" } else { "online" };
                for p in people.iter().step_by(2) {
                    mm.set_status_as_user(&p.username, status, true);
                }
                minute += 1;
                let at = now() + TimeDelta::minutes(minute);
                let started = Instant::now();
                rt.block_on(job.run(at)).unwrap();
                total += started.elapsed();
            }
            total
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
