use super::{now_arg, on_call_app, start_ice0, t};
use crate::support::fake_mattermost::RouteKind;

#[tokio::test]
async fn who_shows_each_person_on_call_with_status_and_custom_status_and_who_is_next() {
    let app = on_call_app().await;
    start_ice0(&app).await;
    app.mm.user("ann").status("dnd", true).custom_status(
        "pager",
        "On call: ICE",
        Some(t(7 * 24 * 60)),
    );
    // Expired at the time asked about: clients no longer show it, and neither does `who`.
    app.mm
        .user("bob")
        .custom_status("coffee", "Back soon", Some(t(30)));

    let out = app.run("ann", "who").await;
    assert!(out.contains("#### ICE"), "{out}");
    let out = app
        .run("admin", &format!("who ICE --now={}", now_arg(60)))
        .await;
    assert!(out.contains("**ICE#0** (started)"), "{out}");
    assert!(
        out.contains("- @ann: do not disturb · :pager: On call: ICE"),
        "{out}"
    );
    assert!(out.contains("- @bob: offline"), "{out}");
    assert!(
        !out.contains("Back soon"),
        "an expired custom status is hidden: {out}"
    );
    assert!(out.contains("Next: **ICE#1**"), "{out}");
    assert!(out.contains("@cat"), "{out}");
    // Phone-readable: lines, no tables.
    assert!(!out.contains('|'), "{out}");

    let json = app
        .run("admin", &format!("who --json --now={}", now_arg(60)))
        .await;
    let body = json
        .trim()
        .trim_start_matches("```json")
        .trim_end_matches("```");
    let v: serde_json::Value = serde_json::from_str(body).unwrap();
    let ice = &v["rotations"][0];
    assert_eq!(ice["rotation"], "ICE");
    let people = &ice["now"][0]["people"];
    assert_eq!(people[0]["username"], "ann");
    assert_eq!(people[0]["status"], "dnd");
    assert_eq!(people[0]["custom_status"]["emoji"], "pager");
    assert_eq!(people[1]["status"], "offline");
    assert!(people[1]["custom_status"].is_null());
    assert_eq!(ice["next"]["task"], "ICE#1");
    assert_eq!(ice["next"]["people"][0]["username"], "cat");
    assert_eq!(v["statuses_known"], true);
}

#[tokio::test]
async fn a_scheduled_task_whose_time_has_come_counts_as_on_call_and_statuses_may_be_unknown() {
    let app = on_call_app().await;
    // ICE#0 is scheduled, not started, but 09:00–09:00 a week later covers the time asked about.
    app.mm.fail_next(RouteKind::GetStatusesByIds, 1, 500);
    let out = app
        .run("admin", &format!("who ICE --now={}", now_arg(90)))
        .await;
    assert!(out.contains("**ICE#0** (scheduled)"), "{out}");
    assert!(out.contains("- @ann: status unknown"), "{out}");
    assert!(out.contains("statuses are unknown"), "{out}");
    // Before the shift, nobody is on call and ICE#0 is next.
    let out = app
        .run("admin", &format!("who ICE --now={}", now_arg(-60)))
        .await;
    assert!(out.contains("Nobody is on call now."), "{out}");
    assert!(out.contains("Next: **ICE#0**"), "{out}");
}
