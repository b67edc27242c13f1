//! The on-call custom status appears at a task's start (until its end), disappears at its finish
//! unless someone set their own, moves with the people, and is delivered like a DM: retried, never
//! doubled.

use solar_lottery::autopilot;

use super::{now_arg, on_call_app, t};
use crate::support::app::TestApp;
use crate::support::fake_mattermost::RouteKind;

/// ICE's on-call status turned on by its owner, with the bot allowed to set it.
pub async fn oncall_on(app: &TestApp) {
    app.mm.bot().system_admin();
    let out = app
        .run(
            "olga",
            r#"rotation set oncall-status ICE --emoji :pager: --text "On call: {rotation}""#,
        )
        .await;
    assert!(out.contains(":pager: On call: ICE"), "{out}");
}

fn status_of(app: &TestApp, user: &str) -> Option<(String, String)> {
    app.mm.custom_status_of(user).map(|c| (c.emoji, c.text))
}

fn oncall() -> Option<(String, String)> {
    Some(("pager".into(), "On call: ICE".into()))
}

#[tokio::test]
async fn the_status_follows_the_shift_and_a_status_someone_set_themselves_stays() {
    let app = on_call_app().await;
    oncall_on(&app).await;
    app.mm.fail_next(RouteKind::UpdateCustomStatus, 1, 503);
    app.run("admin", &format!("task start ICE#0 --now={}", now_arg(0)))
        .await;
    app.deliver().await;
    app.make_outbox_due().await;
    app.deliver().await;
    assert_eq!(status_of(&app, "ann"), oncall());
    assert_eq!(status_of(&app, "bob"), oncall());
    let ann = app.mm.custom_status_of("ann").unwrap();
    assert_eq!(
        ann.expires_at,
        Some(t(7 * 24 * 60)),
        "until the shift's end"
    );
    assert_eq!(ann.duration, "date_and_time");
    // One retry after the 503, and no double: three requests for two people.
    assert_eq!(app.mm.request_count(RouteKind::UpdateCustomStatus), 3);

    // Mid-shift, bob is taken off and cat put on: the status moves.
    app.run(
        "admin",
        &format!("task unassign ICE#0 @bob --force --now={}", now_arg(60)),
    )
    .await;
    app.run(
        "admin",
        &format!("task assign ICE#0 @cat --force --now={}", now_arg(61)),
    )
    .await;
    app.deliver().await;
    assert_eq!(status_of(&app, "bob"), None);
    assert_eq!(status_of(&app, "cat"), oncall());

    // cat sets their own; at the finish ann's is cleared, cat's stays.
    app.mm
        .user("cat")
        .custom_status("palm_tree", "Gone fishing", None);
    app.run(
        "admin",
        &format!("task finish ICE#0 --now={}", now_arg(120)),
    )
    .await;
    app.deliver().await;
    assert_eq!(status_of(&app, "ann"), None);
    assert_eq!(
        status_of(&app, "cat"),
        Some(("palm_tree".into(), "Gone fishing".into()))
    );
    // Delivering again changes nothing.
    let writes = app.mm.request_count(RouteKind::UpdateCustomStatus)
        + app.mm.request_count(RouteKind::ClearCustomStatus);
    app.make_outbox_due().await;
    app.deliver().await;
    let again = app.mm.request_count(RouteKind::UpdateCustomStatus)
        + app.mm.request_count(RouteKind::ClearCustomStatus);
    assert_eq!(writes, again);
}

#[tokio::test]
async fn the_autopilot_sets_and_clears_it_too() {
    let app = on_call_app().await;
    oncall_on(&app).await;
    let out = app
        .run("admin", "rotation set autopilot ICE --start-finish")
        .await;
    assert!(!out.contains("Usage"), "{out}");
    let svc = app.app.as_ref().unwrap().service.clone();
    autopilot::tick(&svc, t(1)).await.unwrap();
    app.deliver().await;
    assert_eq!(status_of(&app, "ann"), oncall());
    autopilot::tick(&svc, t(7 * 24 * 60 + 1)).await.unwrap();
    app.deliver().await;
    assert_eq!(status_of(&app, "ann"), None, "ICE#0 finished");
    assert_eq!(status_of(&app, "cat"), oncall(), "ICE#1 started");
}

#[tokio::test]
async fn a_bot_without_permission_tells_the_owners_once() {
    let app = on_call_app().await;
    oncall_on(&app).await;
    app.mm.bot().roles("system_user");
    app.run("admin", &format!("task start ICE#0 --now={}", now_arg(0)))
        .await;
    app.deliver().await;
    assert_eq!(status_of(&app, "ann"), None);
    let olga: Vec<String> = app
        .mm
        .dms_to("olga")
        .into_iter()
        .filter(|m| m.contains("on-call status could not be changed"))
        .collect();
    assert_eq!(olga.len(), 2, "one per person: {olga:?}");
}
