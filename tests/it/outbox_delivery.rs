//! The outbox sender against a misbehaving Mattermost: every DM arrives exactly once, retries honour
//! Retry-After, permanent failures are reported to the rotation's owners instead of retried forever.

use std::time::Duration;

use crate::support::app::stored::OutboxTally;
use crate::support::app::{Spawn, TestApp, spawn_app, start};
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
    let mut t = spawn_app().await;
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
    let app = start(&t.mm, &t.db_url, &Spawn::default()).await;
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
