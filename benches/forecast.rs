//! `rotation forecast` on a realistic rotation, through `Service::execute` as a slash command
//! arrives (actor, reads, 1,000 draws of the real fill per shift, the reply): 20 members with a
//! few skills, weekly shifts needing 2 people of whom one `webapp`, at most 1 lead, a week's grace,
//! time off for a quarter of them, a holiday the rotation skips, and the first shift already
//! created and scheduled. SQLite in a temp file. Target: under 1 s for the default 4 shifts (and
//! for the most, 52). Run: `cargo bench --bench forecast`.

mod common {
    #[path = "service.rs"]
    pub mod service;
}

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, TimeDelta, TimeZone, Utc};
use criterion::{Criterion, criterion_group, criterion_main};
use solar_lottery::lottery::{Interval, Level, Period, SkillLevel, SkillName, TaskType, UserId};
use solar_lottery::service::{Caller, Service};
use solar_lottery::store::rotations::{NeedKind, NewRotation};
use solar_lottery::store::tasks::NewTask;
use solar_lottery::store::unavailability::Stored;
use solar_lottery::store::{self, users::User};

const MEMBERS: usize = 20;

fn beginning() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2030, 1, 7, 8, 0, 0).unwrap()
}

async fn seed(url: &str) {
    let db = store::Db::connect(url).await.unwrap();
    let mut tx = db.begin_write().await.unwrap();
    let t0 = beginning();
    let users: Vec<UserId> = (0..MEMBERS)
        .map(|i| UserId::new(format!("user{i:022}")))
        .collect();
    let webapp = SkillName::parse("webapp").unwrap();
    let lead = SkillName::parse("lead").unwrap();
    store::skills::add(&mut tx, &webapp, t0).await.unwrap();
    store::skills::add(&mut tx, &lead, t0).await.unwrap();
    for (i, id) in users.iter().enumerate() {
        let u = User {
            id: id.clone(),
            username: format!("person{i}"),
            tz: None,
            email: None,
            is_admin: i == 0,
            // Fresh, so the actor is never looked up in Mattermost.
            refreshed_at: Utc::now().timestamp() + 86_400,
        };
        store::users::upsert(&mut tx, &u, t0).await.unwrap();
    }
    let rotation = NewRotation {
        name: "ICE".into(),
        tz: chrono_tz::Europe::Berlin,
        task_type: TaskType::Shift,
        period: Period::Weekly,
        beginning: t0,
        seed: 7,
        fuzz: 0,
        created_by: users[0].clone(),
    };
    let id = store::rotations::insert(&mut tx, &rotation, t0)
        .await
        .unwrap();
    store::rotations::set_task_settings(&mut tx, id, TimeDelta::zero(), TimeDelta::weeks(1))
        .await
        .unwrap();
    let webapp_need = SkillLevel::new(webapp.clone(), Level::Beginner);
    let lead_limit = SkillLevel::new(lead.clone(), Level::Beginner);
    store::rotations::set_need(&mut tx, id, NeedKind::Require, &SkillLevel::Any, 2)
        .await
        .unwrap();
    store::rotations::set_need(&mut tx, id, NeedKind::Require, &webapp_need, 1)
        .await
        .unwrap();
    store::rotations::set_need(&mut tx, id, NeedKind::Limit, &lead_limit, 1)
        .await
        .unwrap();
    for (i, u) in users.iter().enumerate() {
        store::members::add_member(&mut tx, id, u, t0 - TimeDelta::days(30))
            .await
            .unwrap();
        if i % 3 == 0 {
            store::users::set_skill(&mut tx, u, &webapp, Level::Intermediate)
                .await
                .unwrap();
        }
        if i % 5 == 0 {
            store::users::set_skill(&mut tx, u, &lead, Level::Beginner)
                .await
                .unwrap();
        }
        if i % 4 == 1 {
            let off =
                Interval::starting_at(t0 + TimeDelta::weeks(i as i64 % 6), TimeDelta::days(10));
            store::unavailability::add(&mut tx, u, Stored::Personal, off, t0)
                .await
                .unwrap();
        }
    }
    // Shift 0 exists and is scheduled with two people; a holiday on shift 3's first day.
    let first = NewTask {
        rotation_id: id,
        number: 0,
        kind: TaskType::Shift,
        expected_start: t0,
        expected_duration: TimeDelta::weeks(1),
        grace: TimeDelta::weeks(1),
        summary: None,
        require: vec![(SkillLevel::Any, 2), (webapp_need, 1)],
        limit: vec![(lead_limit, 1)],
    };
    let task = store::tasks::insert(&mut tx, &first, t0).await.unwrap();
    store::tasks::add_user(&mut tx, task, &users[0])
        .await
        .unwrap();
    store::tasks::add_user(&mut tx, task, &users[1])
        .await
        .unwrap();
    sqlx::query("UPDATE tasks SET state = 'scheduled' WHERE id = $1")
        .bind(task.0)
        .execute(&mut *tx)
        .await
        .unwrap();
    let day = NaiveDate::from_ymd_opt(2030, 1, 28).unwrap();
    store::holidays::insert(&mut tx, day, Some("Bench day"), None, &users[0], t0)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    db.close().await;
}

fn bench(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("forecast.db").display());
    rt.block_on(seed(&url));
    let svc: Service = rt.block_on(async {
        let db = store::Db::connect(&url).await.unwrap();
        common::service::service(
            db,
            common::service::unreachable_mattermost(),
            UserId::new("bot"),
        )
    });
    let caller = Caller {
        user_id: format!("user{:022}", 0),
        user_name: "person0".into(),
        team_id: String::new(),
    };
    let none = HashMap::new();
    let run = |text: &'static str| {
        let reply = rt.block_on(svc.execute(&caller, text, &none));
        assert!(!reply.is_error, "{}", reply.text);
        reply
    };
    let reply = run("rotation forecast ICE --now=2030-01-06T12:00Z");
    assert!(reply.text.contains("ICE#4"), "{}", reply.text);
    assert!(
        reply.text.contains("skipped for a holiday"),
        "{}",
        reply.text
    );

    let mut group = c.benchmark_group("forecast");
    group.sample_size(20);
    for (name, text) in [
        ("4_shifts", "rotation forecast ICE --now=2030-01-06T12:00Z"),
        (
            "52_shifts",
            "rotation forecast ICE --shifts 52 --now=2030-01-06T12:00Z",
        ),
    ] {
        group.bench_function(name, |b| {
            b.to_async(&rt)
                .iter(|| async { svc.execute(&caller, text, &none).await })
        });
    }
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
