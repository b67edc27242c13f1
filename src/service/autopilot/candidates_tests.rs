//! The batched query that finds what a tick may act on (`store::autopilot::autopilot_candidates`) must
//! find exactly the tasks the steps' own checks (`due::is_due`) accept: missing one would silently
//! skip a reminder; extra ones only cost time. Swept over states, flags, times and hours.

use chrono::{DateTime, TimeDelta, TimeZone, Utc};

use super::due::{Step, is_due};
use crate::lottery::{AutopilotSettings, Period, TaskState, TaskType, UserId};
use crate::store::rotations::NewRotation;
use crate::store::tasks::{NewTask, Task};
use crate::store::{self, users::User};

fn base() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2030, 3, 4, 9, 0, 0).unwrap()
}

/// Every step on, with the lead times of a typical weekly rotation (shared with `due`'s tests).
pub(super) fn settings() -> AutopilotSettings {
    AutopilotSettings {
        create: true,
        create_prior: TimeDelta::weeks(3),
        schedule: true,
        schedule_prior: TimeDelta::days(5),
        start_finish: true,
        remind_start: true,
        remind_start_prior: TimeDelta::hours(24),
        remind_finish: true,
        remind_finish_prior: TimeDelta::hours(24),
    }
}

#[tokio::test]
async fn the_query_finds_exactly_the_tasks_a_step_would_act_on() {
    let dir = tempfile::tempdir().unwrap();
    let db = store::Db::connect(&format!("sqlite://{}", dir.path().join("t.db").display()))
        .await
        .unwrap();
    let mut conn = db.read().await.unwrap();
    let owner = UserId::new("owner");
    store::users::upsert(
        &mut conn,
        &User {
            id: owner.clone(),
            username: "owner".into(),
            tz: None,
            email: None,
            is_admin: false,
            refreshed_at: 0,
        },
        base(),
    )
    .await
    .unwrap();
    let mut rotations = Vec::new();
    for (name, on) in [("ON", true), ("OFF", false)] {
        let id = store::rotations::insert(
            &mut conn,
            &NewRotation {
                name: name.into(),
                tz: chrono_tz::UTC,
                task_type: TaskType::Shift,
                period: Period::Weekly,
                beginning: base(),
                seed: 1,
                fuzz: 0,
                created_by: owner.clone(),
            },
            base(),
        )
        .await
        .unwrap();
        let a = if on {
            settings()
        } else {
            AutopilotSettings::default()
        };
        store::rotations::set_autopilot(&mut conn, id, &a)
            .await
            .unwrap();
        rotations.push((id, a));
    }

    // Every state, with and without reminder flags, starting at times around each threshold,
    // started ones on time, late, or with a recorded finish.
    let offsets = [
        -200, -169, -168, -167, -30, -24, -1, 0, 1, 23, 24, 25, 119, 120, 121, 300,
    ];
    let mut tasks: Vec<(Task, AutopilotSettings)> = Vec::new();
    let mut number = 0;
    for &(rotation, a) in &rotations {
        for state in TaskState::ALL {
            for reminded in [false, true] {
                for off in offsets {
                    for late in [None, Some(3), Some(-2)] {
                        let start = base() + TimeDelta::hours(off);
                        let id = store::tasks::insert(
                            &mut conn,
                            &NewTask {
                                rotation_id: rotation,
                                number,
                                kind: TaskType::Shift,
                                expected_start: start,
                                expected_duration: TimeDelta::weeks(1),
                                grace: TimeDelta::zero(),
                                summary: None,
                                require: vec![],
                                limit: vec![],
                            },
                            base(),
                        )
                        .await
                        .unwrap();
                        number += 1;
                        let mut t = store::tasks::get(&mut conn, id).await.unwrap();
                        t.state = state;
                        t.reminded_start = reminded;
                        t.reminded_finish = reminded;
                        if matches!(state, TaskState::Started | TaskState::Finished) {
                            t.times.actual_start =
                                Some(start + TimeDelta::hours(late.unwrap_or(0)));
                        }
                        if let (TaskState::Started, Some(-2)) = (state, late) {
                            // A finish already recorded on a started task: it counts as the end.
                            t.times.actual_finish = Some(start + TimeDelta::hours(50));
                        }
                        store::tasks::update(&mut conn, &t).await.unwrap();
                        tasks.push((t, a));
                    }
                }
            }
        }
    }

    for hour in -60..=340 {
        let now = base()
            + TimeDelta::hours(hour)
            + TimeDelta::seconds(if hour % 2 == 0 { 0 } else { 1799 });
        let mut found: Vec<i64> = store::autopilot::autopilot_candidates(&mut conn, None, now)
            .await
            .unwrap()
            .iter()
            .map(|t| t.id.0)
            .collect();
        found.sort();
        let mut expected: Vec<i64> = tasks
            .iter()
            .filter(|(t, a)| Step::ALL.iter().any(|s| is_due(*s, a, t, now)))
            .map(|(t, _)| t.id.0)
            .collect();
        expected.sort();
        assert_eq!(found, expected, "at {now}");
        assert!(
            !expected.is_empty() || hour < -50,
            "the sweep must exercise something"
        );
        let one: Vec<i64> =
            store::autopilot::autopilot_candidates(&mut conn, Some(rotations[1].0), now)
                .await
                .unwrap()
                .iter()
                .map(|t| t.id.0)
                .collect();
        assert!(one.is_empty(), "the autopilot of OFF is off");
    }
}
