//! Overrides followed through: the person covering sees the stretch in their own calendar feed and
//! gets the autopilot's reminders for the moments they cover; and an open swap request expires when
//! the autopilot's tick passes its task's start.

use chrono::{DateTime, TimeDelta, TimeZone, Utc};

use crate::commands_helpers::weekly_ice;
use crate::support::app::{Spawn, TestApp, spawn_app_with};
use crate::support::fake_mattermost::RouteKind;

/// ann, bob, cat and dan in UTC; ann, bob and cat in ICE; buttons and links reach the bot.
async fn team() -> TestApp {
    let t = spawn_app_with(Spawn {
        public_url_is_self: true,
        ..Default::default()
    })
    .await;
    for u in ["ann", "bob", "cat", "dan"] {
        t.mm.add_user(u).time_zone("UTC");
    }
    t
}

async fn run_ok(t: &TestApp, cmd: &str) -> String {
    let out = t.run("admin", cmd).await;
    assert!(
        !out.contains("Usage") && !out.contains("can't") && !out.contains("Can't"),
        "{cmd}: {out}"
    );
    out
}

/// The text of `user`'s own calendar feed.
async fn own_feed(t: &TestApp, user: &str) -> String {
    let reply = t.run(user, "user ical").await;
    let url = reply
        .split(|c: char| c.is_whitespace() || c == '<' || c == '>' || c == '(' || c == ')')
        .find(|w| w.contains("/ical/") && w.ends_with(".ics"))
        .unwrap_or_else(|| panic!("no link in {reply}"))
        .trim_matches('`')
        .to_string();
    reqwest::get(url).await.unwrap().text().await.unwrap()
}

/// Unfolds RFC 5545 lines (a long line continues on the next one after a space).
fn unfold(ics: &str) -> String {
    ics.replace("\r\n ", "").replace("\n ", "")
}

fn stamp(t: DateTime<Utc>) -> String {
    t.format("%Y%m%dT%H%M%SZ").to_string()
}

#[tokio::test]
async fn the_person_covering_sees_the_stretch_in_their_own_feed_and_the_covered_one_sees_who() {
    let t = team().await;
    // The feed shows a year ahead of the real now: ICE#0 starts next week.
    let begin = (Utc::now() + TimeDelta::days(7))
        .date_naive()
        .and_hms_opt(8, 0, 0)
        .unwrap()
        .and_utc();
    let at = |h: i64| {
        (begin + TimeDelta::hours(h))
            .format("%Y-%m-%dT%H:%MZ")
            .to_string()
    };
    run_ok(
        &t,
        &format!(
            "rotation new ICE --period weekly --beginning {} --tz UTC",
            at(0)
        ),
    )
    .await;
    run_ok(&t, "user join ICE @ann @bob @cat").await;
    run_ok(&t, "task new shift ICE --number 0").await;
    run_ok(&t, "task assign ICE#0 @ann").await;
    run_ok(
        &t,
        &format!(
            "task override ICE#0 @ann @bob --start {} --finish {}",
            at(24),
            at(48)
        ),
    )
    .await;

    let bob = unfold(&own_feed(&t, "bob").await);
    assert!(bob.contains("SUMMARY:ICE#0: covering for @ann"), "{bob}");
    assert!(
        bob.contains(&format!("DTSTART:{}", stamp(begin + TimeDelta::hours(24)))),
        "{bob}"
    );
    assert!(
        bob.contains(&format!("DTEND:{}", stamp(begin + TimeDelta::hours(48)))),
        "{bob}"
    );
    // Only the stretch bob covers, not ann's whole week.
    assert_eq!(bob.matches("BEGIN:VEVENT").count(), 1, "{bob}");

    let ann = unfold(&own_feed(&t, "ann").await);
    assert_eq!(ann.matches("BEGIN:VEVENT").count(), 1, "{ann}");
    let window = format!(
        "(covered by @bob {} → {})",
        (begin + TimeDelta::hours(24)).format("%Y-%m-%d %H:%M UTC"),
        (begin + TimeDelta::hours(48)).format("%Y-%m-%d %H:%M UTC")
    );
    assert!(ann.contains(&window), "{ann}");
    assert!(ann.contains(&format!("DTSTART:{}", stamp(begin))), "{ann}");

    // cat covers nothing: her feed is empty.
    let cat = own_feed(&t, "cat").await;
    assert_eq!(cat.matches("BEGIN:VEVENT").count(), 0, "{cat}");
}

fn at(m: u32, d: u32, h: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2030, m, d, h, 0, 0).unwrap()
}

#[tokio::test]
async fn the_autopilots_reminders_go_to_whoever_serves_at_that_moment() {
    let t = team().await;
    // ICE#0 runs 2030-03-04 08:00 UTC → 03-11 08:00 UTC (09:00 Berlin), ann on it; bob covers
    // its first day, cat its last.
    weekly_ice(&t).await;
    for cmd in [
        "user join ICE @ann @bob @cat",
        "task new shift ICE --number 0",
        "task assign ICE#0 @ann",
        "task schedule ICE#0",
        "task override ICE#0 @ann @bob --start 2030-03-04T08:00Z --finish 2030-03-05T08:00Z",
        "task override ICE#0 @ann @cat --start 2030-03-10T08:00Z --finish 2030-03-11T08:00Z",
        "rotation set autopilot ICE --remind-start-prior 1d --remind-finish-prior 1d --start-finish",
    ] {
        run_ok(&t, cmd).await;
    }
    t.deliver().await;
    let before = |u: &str| t.mm.dms_to(u).len();
    let (ann0, bob0, cat0) = (before("ann"), before("bob"), before("cat"));
    let svc = t.app.as_ref().unwrap().service.clone();
    // The autopilot at each moment, then the DMs it sent.
    let ticks = async |moments: &[DateTime<Utc>]| {
        for m in moments {
            solar_lottery::autopilot::tick(&svc, *m).await.unwrap();
        }
        t.deliver().await;
    };
    let since = |u: &str, from: usize| t.mm.dms_to(u)[from..].to_vec();
    let any = |dms: &[String], what: &dyn Fn(&str) -> bool| dms.iter().any(|d| what(d));

    ticks(&[at(3, 3, 9), at(3, 4, 9)]).await;
    let bob = since("bob", bob0);
    assert!(
        any(&bob, &|d| d.contains("Reminder: ICE#0 starts")
            && d.contains("you cover for @ann")),
        "{bob:?}"
    );
    assert!(
        any(&bob, &|d| d
            .contains("ICE#0 has started: you cover for @ann")),
        "{bob:?}"
    );
    let ann = since("ann", ann0);
    assert!(
        !any(&ann, &|d| d.contains("Reminder: ICE#0 starts")
            || d.contains("has started")),
        "{ann:?}"
    );

    ticks(&[at(3, 10, 9)]).await;
    let cat = since("cat", cat0);
    assert!(
        any(&cat, &|d| d.contains("Reminder: ICE#0 ends")
            && d.contains("you cover for @ann")),
        "{cat:?}"
    );
    let ann = since("ann", ann0);
    assert!(
        !any(&ann, &|d| d.contains("Reminder: ICE#0 ends")),
        "{ann:?}"
    );
    assert!(
        !any(&since("bob", bob0), &|d| d.contains("Reminder: ICE#0 ends")),
        "bob's stretch is over by then"
    );
}

#[tokio::test]
async fn the_autopilots_tick_expires_an_open_swap_request_once_its_task_starts() {
    let t = team().await;
    weekly_ice(&t).await;
    for cmd in [
        "user join ICE @ann @bob @cat",
        "task new shift ICE --number 0",
        "task assign ICE#0 @ann",
    ] {
        run_ok(&t, cmd).await;
    }
    let out = t.run("ann", "task swap ICE#0 @bob @cat").await;
    assert!(out.contains("Asked"), "{out}");
    t.deliver().await;
    let invites: Vec<_> = ["bob", "cat"]
        .iter()
        .map(|u| {
            t.mm.dm_posts_to(u)
                .into_iter()
                .rev()
                .find(|p| p.props.get("attachments").is_some())
                .unwrap_or_else(|| panic!("@{u} got no invitation"))
        })
        .collect();
    let svc = t.app.as_ref().unwrap().service.clone();

    // Before the start nothing expires.
    solar_lottery::autopilot::tick(&svc, at(3, 4, 7))
        .await
        .unwrap();
    t.deliver().await;
    let open: (i64,) = sqlx::query_as("SELECT COUNT(*) FROM swap_requests WHERE state = 'open'")
        .fetch_one(&t.db)
        .await
        .unwrap();
    assert_eq!(open.0, 1);

    // ICE#0 was due to start at 08:00 UTC; nobody started it, the tick still ends the request.
    solar_lottery::autopilot::tick(&svc, at(3, 4, 8))
        .await
        .unwrap();
    t.deliver().await;
    for p in &invites {
        let now = t.mm.post(&p.id).unwrap();
        assert!(now.message.contains("This request expired"), "{now:?}");
    }
    assert!(
        t.mm.dms_to("ann")
            .iter()
            .any(|d| d.contains("Your swap request for ICE#0 expired")),
        "{:?}",
        t.mm.dms_to("ann")
    );
    let open: (i64,) = sqlx::query_as("SELECT COUNT(*) FROM swap_requests WHERE state = 'open'")
        .fetch_one(&t.db)
        .await
        .unwrap();
    assert_eq!(open.0, 0);
    // A late click changes nothing.
    t.mm.click("bob", &invites[0].id, "accept").await;
    let on: (String,) =
        sqlx::query_as("SELECT u.username FROM task_users tu JOIN users u ON u.id = tu.user_id")
            .fetch_one(&t.db)
            .await
            .unwrap();
    assert_eq!(on.0, "ann");
}

#[tokio::test]
async fn someone_covering_a_whole_task_wears_its_on_call_status_instead() {
    use crate::presence::now_arg;
    let app = on_call_ice().await;
    let out = app.run("admin", "task override ICE#0 @bob @cat").await;
    assert!(out.contains("@cat serves instead of @bob"), "{out}");
    app.run("admin", &format!("task start ICE#0 --now={}", now_arg(0)))
        .await;
    app.deliver().await;
    let status = |u: &str| app.mm.custom_status_of(u).map(|c| c.text);
    assert_eq!(status("ann").as_deref(), Some("On call: ICE"));
    assert_eq!(status("cat").as_deref(), Some("On call: ICE"));
    assert_eq!(status("bob"), None);
}

/// ICE#0 (ann and bob, 2030-03-04 09:00 UTC for a week) with the on-call status on.
async fn on_call_ice() -> TestApp {
    let app = crate::presence::on_call_app().await;
    crate::presence::oncall::oncall_on(&app).await;
    app
}

/// Who of ann, bob and cat wears the on-call status, once the outbox is delivered.
async fn wearing(app: &TestApp) -> Vec<&'static str> {
    app.deliver().await;
    ["ann", "bob", "cat"]
        .into_iter()
        .filter(|u| {
            app.mm
                .custom_status_of(u)
                .is_some_and(|c| c.emoji == "pager" && c.text == "On call: ICE")
        })
        .collect()
}

#[tokio::test]
async fn someone_covering_part_of_a_task_wears_its_on_call_status_for_that_stretch_only() {
    use crate::presence::now_arg;
    let app = on_call_ice().await;
    // cat covers bob's second day.
    let out = app
        .run(
            "admin",
            "task override ICE#0 @bob @cat --start 2030-03-05T09:00Z --finish 2030-03-06T09:00Z",
        )
        .await;
    assert!(out.contains("@cat serves instead of @bob"), "{out}");
    app.run("admin", &format!("task start ICE#0 --now={}", now_arg(0)))
        .await;
    assert_eq!(wearing(&app).await, ["ann", "bob"]);

    let svc = app.app.as_ref().unwrap().service.clone();
    let tick = async |at: DateTime<Utc>| {
        solar_lottery::autopilot::tick(&svc, at).await.unwrap();
        wearing(&app).await
    };
    assert_eq!(
        tick(Utc.with_ymd_and_hms(2030, 3, 5, 8, 59, 0).unwrap()).await,
        ["ann", "bob"]
    );
    assert_eq!(tick(at(3, 5, 9)).await, ["ann", "cat"]);
    let writes = app.mm.request_count(RouteKind::UpdateCustomStatus);
    assert_eq!(tick(at(3, 5, 15)).await, ["ann", "cat"]);
    assert_eq!(
        app.mm.request_count(RouteKind::UpdateCustomStatus),
        writes,
        "a tick within the stretch hands nothing over again"
    );
    assert_eq!(tick(at(3, 6, 9)).await, ["ann", "bob"]);

    app.run(
        "admin",
        &format!("task finish ICE#0 --now={}", now_arg(7 * 24 * 60)),
    )
    .await;
    assert!(wearing(&app).await.is_empty());
}

#[tokio::test]
async fn an_override_of_a_started_task_whose_stretch_has_begun_hands_the_status_over_at_once() {
    use crate::presence::now_arg;
    let app = on_call_ice().await;
    app.run("admin", &format!("task start ICE#0 --now={}", now_arg(0)))
        .await;
    assert_eq!(wearing(&app).await, ["ann", "bob"]);
    let out = app
        .run(
            "admin",
            &format!(
                "task override ICE#0 @ann @cat --start 2030-03-04T09:30Z --finish 2030-03-04T12:00Z --now={}",
                now_arg(60)
            ),
        )
        .await;
    assert!(out.contains("@cat serves instead of @ann"), "{out}");
    assert_eq!(wearing(&app).await, ["bob", "cat"]);

    let svc = app.app.as_ref().unwrap().service.clone();
    solar_lottery::autopilot::tick(&svc, at(3, 4, 12))
        .await
        .unwrap();
    assert_eq!(wearing(&app).await, ["ann", "bob"]);
}

#[tokio::test]
async fn taking_someone_off_a_running_task_takes_the_status_from_whoever_covered_for_them() {
    use crate::presence::now_arg;
    let app = on_call_ice().await;
    app.run("admin", "task override ICE#0 @bob @cat").await;
    app.run("admin", &format!("task start ICE#0 --now={}", now_arg(0)))
        .await;
    assert_eq!(wearing(&app).await, ["ann", "cat"]);

    let out = app
        .run(
            "admin",
            &format!("task unassign ICE#0 @bob --force --now={}", now_arg(60)),
        )
        .await;
    assert!(!out.contains("Can't"), "{out}");
    assert_eq!(
        wearing(&app).await,
        ["ann"],
        "cat covered for bob, who is off it"
    );

    app.run(
        "admin",
        &format!("task assign ICE#0 @bob --force --now={}", now_arg(120)),
    )
    .await;
    assert_eq!(
        wearing(&app).await,
        ["ann", "cat"],
        "bob is back, and cat still covers for him"
    );
}
