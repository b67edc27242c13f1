//! The presence job with a controlled clock: one alert per absence episode to the owners and the
//! channel, one "back" note, nothing for flapping, nothing across a Mattermost outage or a restart.

use solar_lottery::presence::PresenceJob;

use super::{on_call_app, start_ice0, t};
use crate::support::app::TestApp;
use crate::support::fake_mattermost::RouteKind;

fn job(app: &TestApp) -> PresenceJob {
    PresenceJob::new(app.app.as_ref().unwrap().service.clone())
}

/// Runs one poll at `min` and delivers what it queued.
async fn tick(app: &TestApp, job: &PresenceJob, min: i64) -> Result<(), String> {
    let r = job.run(t(min)).await.map(drop).map_err(|e| e.to_string());
    app.deliver().await;
    r
}

fn absent_dms(app: &TestApp, owner: &str) -> Vec<String> {
    app.mm
        .dms_to(owner)
        .into_iter()
        .filter(|m| m.contains("is offline during") || m.contains("is back"))
        .collect()
}

async fn presence_on(app: &TestApp) {
    let out = app
        .run(
            "olga",
            "rotation set presence ICE --absent-after 15m --channel ~town-square",
        )
        .await;
    assert!(out.contains("offline for 15m"), "{out}");
    start_ice0(app).await;
    app.mm.user("ann").status("online", false);
    app.mm.user("bob").status("online", false);
}

#[tokio::test]
async fn owners_hear_once_per_absence_and_once_when_they_are_back_and_flapping_sends_nothing() {
    let app = on_call_app().await;
    presence_on(&app).await;
    let job = job(&app);
    tick(&app, &job, 0).await.unwrap();
    // Offline at 1, back at 10, offline again at 12: the first streak was too short.
    app.mm.set_status_as_user("ann", "offline", true);
    tick(&app, &job, 1).await.unwrap();
    tick(&app, &job, 9).await.unwrap();
    app.mm.set_status_as_user("ann", "online", false);
    tick(&app, &job, 10).await.unwrap();
    app.mm.set_status_as_user("ann", "offline", true);
    // Away and DND are present-but-busy: never an absence.
    app.mm.set_status_as_user("bob", "away", true);
    for min in [12, 20, 26] {
        tick(&app, &job, min).await.unwrap();
    }
    assert!(absent_dms(&app, "olga").is_empty(), "flapping: nothing yet");
    tick(&app, &job, 27).await.unwrap();
    let olga = absent_dms(&app, "olga");
    assert_eq!(olga.len(), 1, "{olga:?}");
    assert!(
        olga[0].contains("@ann is offline during ICE#0"),
        "{}",
        olga[0]
    );
    assert!(
        olga[0].contains("since Mon 2030-03-04 09:12 UTC"),
        "{}",
        olga[0]
    );
    assert_eq!(absent_dms(&app, "admin").len(), 1);
    assert_eq!(app.mm.channel_posts("town-square").len(), 1);
    // Still offline: nothing more.
    for min in [40, 80] {
        tick(&app, &job, min).await.unwrap();
    }
    assert_eq!(absent_dms(&app, "olga").len(), 1);
    app.mm.set_status_as_user("ann", "dnd", true);
    tick(&app, &job, 90).await.unwrap();
    let olga = absent_dms(&app, "olga");
    assert_eq!(olga.len(), 2, "{olga:?}");
    assert!(olga[1].contains("@ann is back"), "{}", olga[1]);
    let posts = app.mm.channel_posts("town-square");
    assert_eq!(posts.len(), 2, "{posts:?}");
    assert!(posts[1].contains("is back"));
    assert!(absent_dms(&app, "bob").is_empty() && absent_dms(&app, "ann").is_empty());
    // Only the people on the started task and the owners were polled, in one request per tick.
    let polls = app.mm.request_count(RouteKind::GetStatusesByIds);
    assert_eq!(polls, 11, "one status request per tick");
}

#[tokio::test]
async fn a_mattermost_outage_is_unknown_never_absent_and_a_new_baseline_follows() {
    let app = on_call_app().await;
    presence_on(&app).await;
    let job = job(&app);
    app.mm.set_status_as_user("ann", "offline", true);
    tick(&app, &job, 0).await.unwrap();
    tick(&app, &job, 5).await.unwrap();
    app.mm.fail_for(
        RouteKind::GetStatusesByIds,
        std::time::Duration::from_secs(3600),
        500,
    );
    for min in [10, 20, 30] {
        assert!(
            tick(&app, &job, min).await.is_err(),
            "a failed poll fails the run"
        );
    }
    app.mm.clear_faults();
    // Offline "since 0" is not known across the gap: the streak counts from the new baseline.
    tick(&app, &job, 31).await.unwrap();
    tick(&app, &job, 40).await.unwrap();
    assert!(absent_dms(&app, "olga").is_empty());
    tick(&app, &job, 46).await.unwrap();
    assert_eq!(absent_dms(&app, "olga").len(), 1);
}

#[tokio::test]
async fn after_a_restart_nothing_is_announced_until_a_fresh_baseline_and_no_episode_twice() {
    let app = on_call_app().await;
    presence_on(&app).await;
    let first = job(&app);
    app.mm.set_status_as_user("ann", "offline", true);
    for min in [0, 1, 16] {
        tick(&app, &first, min).await.unwrap();
    }
    assert_eq!(
        absent_dms(&app, "olga").len(),
        1,
        "alerted before the restart"
    );
    // A restart: a new process with no memory, everyone offline (the server restarted too).
    drop(first);
    let second = job(&app);
    app.mm.set_status_as_user("bob", "offline", true);
    tick(&app, &second, 20).await.unwrap();
    for min in [40, 60] {
        tick(&app, &second, min).await.unwrap();
    }
    let olga = absent_dms(&app, "olga");
    assert_eq!(
        olga.len(),
        2,
        "ann's episode is not told again, bob's is new: {olga:?}"
    );
    assert!(olga[1].contains("@bob is offline"), "{}", olga[1]);
    // The "back" note of the episode from before the restart still comes.
    app.mm.set_status_as_user("ann", "online", false);
    tick(&app, &second, 61).await.unwrap();
    let olga = absent_dms(&app, "olga");
    assert!(olga.last().unwrap().contains("@ann is back"), "{olga:?}");
}

#[tokio::test]
async fn rotations_without_presence_alerts_are_polled_for_who_but_tell_nobody() {
    let app = on_call_app().await;
    start_ice0(&app).await;
    let job = job(&app);
    for min in [0, 1, 30, 60] {
        tick(&app, &job, min).await.unwrap();
    }
    assert!(absent_dms(&app, "olga").is_empty());
    // `who` now knows since when they have been offline.
    let out = app
        .run("admin", &format!("who ICE --now={}", super::now_arg(61)))
        .await;
    assert!(out.contains("offline since"), "{out}");
}
