//! Autopilot DMs reach people exactly once, whatever happens on the way: Mattermost answering 500
//! and 429 for a while, a post whose answer is lost, the look-up for an earlier post failing, the
//! bot process dying between the change and the delivery (a new process on the same database
//! finishes the job). A DM Mattermost refuses for
//! good (403: the person was deactivated) is given up and reported to the rotation's owner.
//!
//! "Exactly once" is checked against the outbox itself: every queued message appears in its
//! recipient's DM channel once, in the order it was queued, and nothing else does.

use std::time::Duration;

use crate::support::app::{Spawn, TestApp, spawn_app_with, start};
use crate::support::fake_mattermost::{LostResponse, RouteKind};
use crate::support::wait::eventually;
use chrono::{DateTime, TimeZone, Utc};
use solar_lottery::app::RunningApp;
use solar_lottery::autopilot;
use solar_lottery::notify::{RetryPolicy, Sender};

const PEOPLE: [&str; 2] = ["ann", "bob"];

/// Retries fast and practically forever, so a test's outcome never depends on how many attempts fit
/// into a fault window.
fn patient() -> Spawn {
    Spawn {
        retry: RetryPolicy {
            base: Duration::from_millis(20),
            max_delay: Duration::from_millis(250),
            max_attempts: 1000,
            concurrency: 4,
            claim_margin: Duration::from_secs(2),
        },
        // These tests are about the background delivery loop.
        background_sender: true,
        // A killed sender's claim (request timeout + margin) lapses after 5 s instead of 12.
        mattermost_timeout: Duration::from_secs(3),
        ..Spawn::default()
    }
}

/// A rotation of two that the autopilot runs; the welcome DMs are delivered.
async fn set_up(t: &TestApp) {
    for u in PEOPLE {
        t.mm.add_user(u).time_zone("Europe/Berlin");
    }
    for cmd in [
        "rotation new ICE --period weekly --beginning 2030-03-04T09:00 --tz UTC",
        "user join ICE @ann @bob",
        "rotation set require ICE --skill any --count 2",
        "rotation set autopilot ICE --create-prior 1w --schedule-prior 5d --remind-start-prior 1d \
         --remind-finish-prior 1d --start-finish",
    ] {
        let out = t.run("admin", cmd).await;
        assert!(!out.contains("Usage"), "{cmd}: {out}");
    }
    t.deliver().await;
    for u in PEOPLE {
        assert_eq!(t.mm.dms_to(u).len(), 1);
    }
}

fn at(m: u32, d: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2030, m, d, 9, 0, 0).unwrap()
}

/// The days on which ICE#0 is scheduled, reminded, started, reminded to finish and finished.
const DAYS: [(u32, u32); 5] = [(2, 27), (3, 3), (3, 4), (3, 10), (3, 11)];

/// Runs the autopilot through ICE#0's life (ICE#1 is filled and started on the way): eight DMs each.
async fn run_days(app: &RunningApp) {
    for (m, d) in DAYS {
        let report = autopilot::tick(&app.service, at(m, d)).await.unwrap();
        assert_eq!(report.acted, 1, "{m}-{d}");
    }
}

/// Delivers until the outbox is empty (the retries wait on their backoff).
async fn drain(t: &TestApp, sender: &Sender) {
    eventually("the outbox to drain", async || {
        if t.outbox_pending().await == 0 {
            return Some(());
        }
        sender.deliver_due().await.unwrap();
        None
    })
    .await;
}

/// Every queued DM arrived once, in order, and nothing else arrived.
async fn assert_exactly_once(t: &TestApp) {
    assert_eq!(t.outbox().await.failed, 0, "nothing gave up");
    for u in PEOPLE {
        let (kinds, queued): (Vec<String>, Vec<String>) = t
            .outbox_to(u)
            .await
            .into_iter()
            .map(|m| (m.kind, m.message))
            .unzip();
        // Welcome, then ICE#0's whole life, with ICE#1 filled and announced on 03-10.
        assert_eq!(
            kinds,
            [
                "welcome",
                "scheduled",
                "remind_start",
                "started",
                "remind_finish",
                "scheduled",
                "remind_start",
                "finished",
                "started",
            ],
            "{u}"
        );
        assert_eq!(t.mm.dms_to(u), queued, "{u}");
    }
}

#[tokio::test]
async fn reminders_arrive_once_after_500s_and_429s() {
    let t = spawn_app_with(patient()).await;
    set_up(&t).await;
    // Rate limited three times (Retry-After: 1), then down with eight 500s. Counted, not timed, so
    // every fault is hit however fast or slow the machine is.
    t.mm.fail_next(RouteKind::CreatePost, 3, 429);
    t.mm.fail_next(RouteKind::CreatePost, 8, 500);
    let app = t.app.as_ref().unwrap();
    run_days(app).await;
    assert_eq!(t.outbox_pending().await, 16);
    drain(&t, &app.sender).await;

    assert_exactly_once(&t).await;
    let posts = t.mm.posts().len();
    assert_eq!(
        t.mm.request_count(RouteKind::CreatePost),
        posts + 11,
        "every fault was hit, and each cost one attempt"
    );
}

#[tokio::test]
async fn a_post_whose_answer_was_lost_is_not_posted_again() {
    let t = spawn_app_with(patient()).await;
    set_up(&t).await;
    // The first autopilot DM is created, but the bot sees the connection drop and retries.
    t.mm.lose_next_response(RouteKind::CreatePost, 1, LostResponse::Disconnect);
    let app = t.app.as_ref().unwrap();
    run_days(app).await;
    drain(&t, &app.sender).await;
    assert_exactly_once(&t).await;
}

#[tokio::test]
async fn a_crash_before_delivery_loses_nothing_and_doubles_nothing() {
    let t = spawn_app_with(patient()).await;
    set_up(&t).await;
    // Mattermost is down: the changes are committed with their DMs queued, none delivered...
    t.mm.fail_for(RouteKind::CreatePost, Duration::from_secs(3600), 503);
    let mut t = t;
    let app = t.app.take().unwrap();
    run_days(&app).await;
    assert_eq!(t.outbox_pending().await, 16, "eight DMs each");
    // ...when the process dies.
    app.kill();
    t.mm.clear_faults();

    // A new process on the same database delivers everything once; running the same days again
    // there queues nothing new.
    let app = start(&t.mm, &t.db_url, &patient()).await;
    for (m, d) in DAYS {
        let report = autopilot::tick(&app.service, at(m, d)).await.unwrap();
        assert_eq!(report.acted, 0, "{m}-{d} again");
    }
    drain(&t, &app.sender).await;
    assert_exactly_once(&t).await;
    app.shutdown().await;
}

#[tokio::test]
async fn a_crash_after_posting_but_before_recording_it_does_not_post_twice() {
    let t = spawn_app_with(patient()).await;
    set_up(&t).await;
    let posts_before = t.mm.posts().len();
    // The first DM is posted, but its answer never comes back...
    t.mm.lose_next_response(RouteKind::CreatePost, 1, LostResponse::Hang);
    let mut t = t;
    let app = t.app.take().unwrap();
    let report = autopilot::tick(&app.service, at(DAYS[0].0, DAYS[0].1))
        .await
        .unwrap();
    assert_eq!(report.acted, 1);
    // (the tick woke the sender, which posts in the background)
    eventually("the background sender to post", async || {
        (t.mm.posts().len() > posts_before).then_some(())
    })
    .await;
    // ...and the process dies while waiting for it: the outbox still says "not sent".
    app.kill();
    assert!(t.outbox_pending().await >= 1);

    let app = start(&t.mm, &t.db_url, &patient()).await;
    drain(&t, &app.sender).await;
    for (m, d) in &DAYS[1..] {
        autopilot::tick(&app.service, at(*m, *d)).await.unwrap();
    }
    drain(&t, &app.sender).await;
    assert_exactly_once(&t).await;
    app.shutdown().await;
}

#[tokio::test]
async fn a_dm_that_can_never_arrive_is_reported_to_the_owner_and_not_retried() {
    let t = spawn_app_with(patient()).await;
    set_up(&t).await;
    // Bob leaves the company: Mattermost refuses DMs to him (403).
    t.mm.user("bob").deactivated();
    let app = t.app.as_ref().unwrap();
    let report = autopilot::tick(&app.service, at(2, 27)).await.unwrap();
    assert_eq!(report.acted, 1);
    drain(&t, &app.sender).await;
    let failed = || async {
        t.outbox_messages()
            .await
            .into_iter()
            .filter(|m| m.failed_at.is_some())
            .map(|m| (m.kind, m.attempts))
            .collect::<Vec<_>>()
    };
    let first = failed().await;
    assert_eq!(first.len(), 1);
    assert_eq!(first[0].0, "scheduled");
    // Given up, not retried: even once every message's time has come (as if well past the longest
    // backoff), a pass leaves it alone.
    let requests = t.mm.request_count(RouteKind::CreateDirectChannel)
        + t.mm.request_count(RouteKind::CreatePost);
    t.make_outbox_due().await;
    app.sender.deliver_due().await.unwrap();
    assert_eq!(failed().await, first);
    assert_eq!(
        t.mm.request_count(RouteKind::CreateDirectChannel)
            + t.mm.request_count(RouteKind::CreatePost),
        requests,
        "nothing was sent to Mattermost"
    );
    assert!(t.mm.dms_to("ann")[1].starts_with("#### You're on ICE#0"));
    let admin = t.mm.dms_to("admin");
    assert_eq!(admin.len(), 1, "{admin:#?}");
    assert!(
        admin[0].contains("could not deliver a **scheduled** message to @bob"),
        "{}",
        admin[0]
    );
}

/// The first DMs' posts fail (500), so their next attempts first look for an earlier post; that
/// look-up answers `status` a few times. Not knowing whether an earlier attempt arrived says nothing
/// about the DM itself: it is retried, not given up and reported.
async fn reminders_arrive_once_while_the_look_up_answers(status: u16) {
    let t = spawn_app_with(patient()).await;
    set_up(&t).await;
    t.mm.fail_next(RouteKind::CreatePost, 2, 500);
    t.mm.fail_next(RouteKind::GetPostsForChannel, 4, status);
    let app = t.app.as_ref().unwrap();
    run_days(app).await;
    drain(&t, &app.sender).await;

    assert_exactly_once(&t).await;
    assert!(
        t.mm.request_count(RouteKind::GetPostsForChannel) > 4,
        "the look-up failed, then succeeded"
    );
    let reports: Vec<String> =
        t.mm.dms_to("admin")
            .into_iter()
            .filter(|m| m.contains("could not deliver"))
            .collect();
    assert!(reports.is_empty(), "HTTP {status}: {reports:#?}");
}

#[tokio::test]
async fn reminders_arrive_once_while_the_look_up_for_an_earlier_post_answers_404() {
    reminders_arrive_once_while_the_look_up_answers(404).await;
}

#[tokio::test]
async fn reminders_arrive_once_while_the_look_up_for_an_earlier_post_answers_403() {
    reminders_arrive_once_while_the_look_up_answers(403).await;
}

#[tokio::test]
async fn reminders_arrive_once_while_the_look_up_for_an_earlier_post_answers_500() {
    reminders_arrive_once_while_the_look_up_answers(500).await;
}
