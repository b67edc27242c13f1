//! The outbox sender against a misbehaving Mattermost: every DM arrives exactly once, retries honour
//! Retry-After, permanent failures are reported to the rotation's owners instead of retried forever.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::{DateTime, TimeDelta, Utc};
use solar_lottery::lottery::UserId;
use solar_lottery::mattermost::DEFAULT_REQUEST_TIMEOUT;
use solar_lottery::notify::{DeliveryReport, RetryPolicy, Sender};
use solar_lottery::store::outbox;

use crate::support::app::stored::OutboxTally;
use crate::support::app::{Spawn, TestApp, spawn_app, spawn_app_with, start};
use crate::support::fake_mattermost::{Fault, LostResponse, RouteKind};
use crate::support::wait::eventually;

/// A rotation owned by `admin` that `ann` joins: joining queues one welcome DM to ann.
async fn rotation_with_ann(t: &TestApp) {
    t.mm.add_user("ann").time_zone("Europe/Berlin");
    t.run("admin", "rotation new ICE --beginning 2030-01-07T09:00")
        .await;
    let out = t.run("admin", "user join ICE @ann").await;
    assert!(out.contains("Added @ann"), "{out}");
}

/// Runs delivery passes until nothing is waiting (retries fall due after their short backoff).
async fn deliver_until_idle(t: &TestApp) {
    eventually("the outbox to be delivered or given up", async || {
        t.deliver().await;
        (t.outbox_pending().await == 0).then_some(())
    })
    .await;
}

#[tokio::test]
async fn server_errors_are_retried_and_the_dm_arrives_once() {
    let t = spawn_app().await;
    t.mm.fail_next(RouteKind::CreatePost, 3, 500);
    rotation_with_ann(&t).await;
    deliver_until_idle(&t).await;
    let dms = t.mm.dms_to("ann");
    assert_eq!(dms.len(), 1, "{dms:?}");
    assert!(dms[0].contains("Welcome to ICE"));
    let messages = t.outbox_messages().await;
    assert_eq!(messages.len(), 1);
    assert_eq!(messages[0].attempts, 4, "three failures, then success");
}

#[tokio::test]
async fn rate_limits_wait_at_least_the_retry_after() {
    let t = spawn_app().await;
    t.mm.fail_next_with(
        RouteKind::CreatePost,
        1,
        Fault::RateLimited {
            retry_after_secs: 7,
        },
    );
    rotation_with_ann(&t).await;
    let before = chrono::Utc::now().timestamp();
    t.deliver().await;
    assert!(t.mm.dms_to("ann").is_empty());
    // The test reads through its own connection: wait until the failed attempt is recorded.
    let welcome = eventually("the failed attempt to be recorded", async || {
        let welcome = t.outbox_messages().await.remove(0);
        welcome.last_error.is_some().then_some(welcome)
    })
    .await;
    let next = welcome.next_attempt_at;
    assert!(
        next >= before + 7,
        "next attempt {next} must honour Retry-After (now {before})"
    );
    let error = welcome.last_error.unwrap_or_default();
    assert!(
        error.to_lowercase().contains("rate") || error.contains("429"),
        "{error}"
    );
}

#[tokio::test]
async fn a_lost_response_does_not_post_twice_even_after_the_dedup_window() {
    let t = spawn_app().await;
    // Mattermost forgets pending_post_id after 30 s; make it forget at once so only our read-back
    // can prevent the duplicate.
    t.mm.set_pending_post_ttl(Duration::ZERO);
    t.mm.lose_next_response(RouteKind::CreatePost, 1, LostResponse::ServerError);
    rotation_with_ann(&t).await;
    deliver_until_idle(&t).await;
    let posts = t.mm.dm_posts_to("ann");
    assert_eq!(
        posts.len(),
        1,
        "the post created before the response was lost counts: {posts:?}"
    );
    assert_eq!(
        t.outbox().await,
        OutboxTally {
            pending: 0,
            sent: 1,
            failed: 0
        }
    );
}

#[tokio::test]
async fn a_crash_after_posting_does_not_post_twice_after_restart() {
    // A killed sender's claim (request timeout + margin) lapses after 5 s instead of 12.
    let quick = Spawn {
        mattermost_timeout: Duration::from_secs(3),
        ..Spawn::default()
    };
    let mut t = spawn_app_with(quick).await;
    t.mm.set_pending_post_ttl(Duration::ZERO);
    // Mattermost creates the post but never answers; the bot dies while waiting.
    t.mm.lose_next_response(RouteKind::CreatePost, 1, LostResponse::Hang);
    rotation_with_ann(&t).await;
    let sending = t.app.as_ref().map(|a| a.sender.clone());
    let pass = tokio::spawn(async move {
        if let Some(s) = sending {
            let _ = s.deliver_due().await;
        }
    });
    let posted = eventually("the post to reach Mattermost", async || {
        let posts = t.mm.dm_posts_to("ann");
        (!posts.is_empty()).then_some(posts)
    })
    .await;
    assert_eq!(posted.len(), 1, "{posted:?}");
    pass.abort();
    if let Some(app) = t.app.take() {
        app.kill();
    }
    assert_eq!(t.outbox().await.sent, 0, "not recorded as sent");
    // A new process on the same database picks the message up once the dead sender's claim lapses.
    let quick = Spawn {
        mattermost_timeout: Duration::from_secs(3),
        ..Spawn::default()
    };
    let app = start(&t.mm, &t.db_url, &quick).await;
    let outbox = eventually("the new process to deliver the message", async || {
        app.sender.deliver_due().await.unwrap();
        let outbox = t.outbox().await;
        (outbox.pending == 0).then_some(outbox)
    })
    .await;
    assert_eq!(
        outbox,
        OutboxTally {
            pending: 0,
            sent: 1,
            failed: 0
        }
    );
    assert_eq!(
        t.mm.dm_posts_to("ann").len(),
        1,
        "no second post after the restart"
    );
}

#[tokio::test]
async fn a_deactivated_recipient_is_a_permanent_failure_reported_to_the_owners() {
    let t = spawn_app().await;
    rotation_with_ann(&t).await;
    // Ann is deactivated before the welcome goes out: Mattermost refuses the DM with a 4xx.
    t.mm.user("ann").deactivated();
    deliver_until_idle(&t).await;
    assert!(t.mm.dms_to("ann").is_empty());
    assert_eq!(t.outbox().await.failed, 1);
    let welcome = &t.outbox_to("ann").await[0];
    assert_eq!(welcome.kind, "welcome");
    assert!(welcome.failed_at.is_some(), "{welcome:?}");
    assert_eq!(welcome.attempts, 1, "a 4xx is not retried");
    let admin = t.mm.dms_to("admin");
    assert_eq!(admin.len(), 1, "{admin:?}");
    assert!(
        admin[0].contains("could not deliver") && admin[0].contains("@ann"),
        "{}",
        admin[0]
    );
}

/// Waits until `done` holds, polling; panics with `what` after `deadline`.
async fn wait_until(what: &str, deadline: Duration, mut done: impl FnMut() -> bool) {
    let end = tokio::time::Instant::now() + deadline;
    while !done() {
        assert!(
            tokio::time::Instant::now() < end,
            "timed out waiting: {what}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// Where a DM's `POST /posts` is when its sender is killed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum InFlight {
    /// Mattermost holds the request before handling it: no post exists.
    NotYetHandled,
    /// Mattermost created the post, but its answer never came back.
    PostedUnanswered,
}

/// Kills a sender while its `POST /posts` is in flight, then runs a fresh sender (the restarted
/// process, same database) on a controlled clock: the message is left alone while the dead sender
/// could still be mid-request, taken over as soon as its claim lapses, and arrives exactly once.
async fn kill_mid_post_then_restart(in_flight: InFlight) {
    // Production's claim margin and request timeout: this is about the real wait after a crash.
    let mut t = spawn_app_with(Spawn {
        retry: RetryPolicy::default(),
        ..Spawn::default()
    })
    .await;
    match in_flight {
        InFlight::NotYetHandled => t.mm.delay(RouteKind::CreatePost, Duration::from_secs(3600)),
        InFlight::PostedUnanswered => {
            t.mm.lose_next_response(RouteKind::CreatePost, 1, LostResponse::Hang)
        }
    }
    rotation_with_ann(&t).await;
    let app = t.app.take().expect("the app runs");
    let sending = app.sender.clone();
    let pass = tokio::spawn(async move {
        let _ = sending.deliver_due().await;
    });
    wait_until(
        "the post reaches Mattermost",
        Duration::from_secs(20),
        || t.mm.request_count(RouteKind::CreatePost) == 1,
    )
    .await;
    // kill -9: the pass stops mid-request and records nothing more.
    pass.abort();
    app.kill();
    let crash = Utc::now();
    t.mm.delay(RouteKind::CreatePost, Duration::ZERO);
    let posted_before = t.mm.dm_posts_to("ann").len();
    assert_eq!(
        posted_before,
        usize::from(in_flight == InFlight::PostedUnanswered)
    );

    let clock = Arc::new(Mutex::new(crash));
    let reading = clock.clone();
    let restarted = Sender::new(
        solar_lottery::store::Db::connect(&t.db_url)
            .await
            .expect("open the database"),
        t.mm.client_with_timeout(DEFAULT_REQUEST_TIMEOUT),
        UserId::new(t.mm.bot().id()),
        RetryPolicy::default(),
    )
    .with_clock(move || *reading.lock().expect("clock"));
    let set_clock = |at: DateTime<Utc>| *clock.lock().expect("clock") = at;
    let ttl = restarted.claim_ttl();
    assert!(
        ttl <= DEFAULT_REQUEST_TIMEOUT * 2,
        "a DM whose sender died waits {ttl:?}: more than twice the request timeout"
    );
    assert!(
        ttl > DEFAULT_REQUEST_TIMEOUT,
        "a claim of {ttl:?} could lapse while its holder is still mid-request"
    );

    // Shortly before the claim lapses (2 s: stored times are whole seconds) nobody may take the
    // message over: as far as anyone can tell, its sender could still be waiting for Mattermost.
    set_clock(crash + (ttl - Duration::from_secs(2)));
    let report = restarted.deliver_due().await.expect("delivery pass");
    assert_eq!(report, DeliveryReport::default());
    assert_eq!(t.outbox_to("ann").await[0].attempts, 1, "not re-claimed");
    assert_eq!(t.mm.request_count(RouteKind::CreatePost), 1);

    // Once it lapsed, the restarted sender takes it over: one DM in all.
    set_clock(crash + ttl);
    let report = restarted.deliver_due().await.expect("delivery pass");
    assert_eq!(report.sent, 1, "{report:?}");
    let dms = t.mm.dms_to("ann");
    assert_eq!(dms.len(), 1, "{dms:?}");
    assert!(dms[0].contains("Welcome to ICE"), "{}", dms[0]);
    assert_eq!(t.outbox_to("ann").await[0].attempts, 2);
    assert_eq!(t.outbox().await.sent, 1);
    if in_flight == InFlight::PostedUnanswered {
        assert_eq!(
            t.mm.request_count(RouteKind::CreatePost),
            1,
            "the earlier post is found, not made again"
        );
    }
}

#[tokio::test]
async fn a_dm_killed_before_mattermost_handled_it_is_sent_once_when_the_claim_lapses() {
    kill_mid_post_then_restart(InFlight::NotYetHandled).await;
}

#[tokio::test]
async fn a_dm_killed_while_waiting_for_the_answer_is_not_posted_again() {
    kill_mid_post_then_restart(InFlight::PostedUnanswered).await;
}

/// Processes sharing a database see one claim, kept in the row: while it holds nobody else takes
/// the message, and once another sender took it over, the old holder (say, stalled) can neither
/// renew it nor overwrite the new holder's attempt with its own outcome.
#[tokio::test]
async fn a_claim_taken_over_is_out_of_its_old_holders_hands() {
    let t = spawn_app().await;
    rotation_with_ann(&t).await;
    let id = t.outbox_to("ann").await[0].id;
    let mut conn = t.db.acquire().await.expect("connection");
    let ttl = TimeDelta::seconds(15);
    let t0 = Utc::now();
    assert!(
        outbox::claim(&mut conn, id, 0, t0, t0 + ttl).await.unwrap(),
        "A claims attempt 1"
    );
    let almost = t0 + ttl - TimeDelta::seconds(1);
    assert!(
        !outbox::claim(&mut conn, id, 1, almost, almost + ttl)
            .await
            .unwrap(),
        "B must wait for A's claim to lapse"
    );
    assert!(
        !outbox::claim(&mut conn, id, 0, t0 + ttl, t0 + ttl * 2)
            .await
            .unwrap(),
        "a claim on a stale read of the row fails"
    );
    assert!(
        outbox::claim(&mut conn, id, 1, t0 + ttl, t0 + ttl * 2)
            .await
            .unwrap(),
        "B takes the lapsed claim over: attempt 2"
    );
    let late = t0 + ttl * 3;
    assert!(!outbox::renew_claim(&mut conn, id, 1, late).await.unwrap());
    assert!(
        !outbox::mark_retry(&mut conn, id, 1, late, "A's error")
            .await
            .unwrap()
    );
    assert!(
        !outbox::mark_failed(&mut conn, id, 1, late, "A's error")
            .await
            .unwrap()
    );
    assert_eq!(t.outbox_to("ann").await[0].attempts, 2);
    assert_eq!(
        t.outbox_to("ann").await[0].next_attempt_at,
        (t0 + ttl * 2).timestamp(),
        "B's claim is untouched"
    );
    assert_eq!(
        t.outbox_to("ann")
            .await
            .iter()
            .filter(|m| m.failed_at.is_none() && m.last_error.is_none())
            .count(),
        1
    );
    assert!(
        outbox::renew_claim(&mut conn, id, 2, late).await.unwrap(),
        "B still holds it"
    );
}
