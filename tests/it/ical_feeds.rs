//! Calendar feeds: `rotation ical` and `user ical` hand out secret links; `GET /ical/<token>.ics`
//! serves RFC 5545 text with stable UIDs, answers 304 to a client that already has it, and 404 to
//! unknown, revoked and malformed tokens.

use chrono::{TimeDelta, Utc};
use reqwest::StatusCode;

use crate::support::app::{Spawn, TestApp, spawn_app, spawn_app_with};

const PUBLIC: &str = "https://lotto.example.com";

async fn app() -> TestApp {
    spawn_app_with(Spawn {
        settings: vec![("public_url", PUBLIC)],
        ..Default::default()
    })
    .await
}

/// The link from a reply, pointed at the test server.
fn link(t: &TestApp, reply: &str) -> String {
    let url = reply
        .split_whitespace()
        .find(|w| w.starts_with(PUBLIC))
        .unwrap_or_else(|| panic!("no link in {reply}"));
    url.replace(PUBLIC, &t.url)
}

async fn get(url: &str, header: Option<(&str, &str)>) -> reqwest::Response {
    let mut req = reqwest::Client::new().get(url);
    if let Some((k, v)) = header {
        req = req.header(k, v);
    }
    req.send().await.unwrap()
}

/// A weekly rotation that began ten weeks ago, with its first shift (long over), this week's (ann)
/// and next week's (bob).
async fn rotation(t: &TestApp) {
    t.mm.add_user("ann").time_zone("UTC");
    t.mm.add_user("bob").time_zone("UTC");
    let beginning = (Utc::now() - TimeDelta::weeks(10)).format("%Y-%m-%d");
    t.run(
        "admin",
        &format!("rotation new ICE --period weekly --beginning {beginning} --tz UTC"),
    )
    .await;
    for n in [0, 10, 11] {
        t.run("admin", &format!("task new shift ICE --number {n}"))
            .await;
    }
    t.run("admin", "task assign ICE#10 @ann").await;
    t.run("admin", "task assign ICE#11 @bob").await;
}

#[tokio::test]
async fn a_rotation_feed_lists_its_recent_and_coming_shifts_with_stable_uids() {
    let t = app().await;
    rotation(&t).await;
    let reply = t.run("ann", "rotation ical ICE").await;
    assert!(reply.contains("/ical/"), "{reply}");
    let url = link(&t, &reply);
    // The same link every time until reset.
    assert_eq!(link(&t, &t.run("bob", "rotation ical ICE").await), url);

    let res = get(&url, None).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(
        res.headers()["content-type"],
        "text/calendar; charset=utf-8"
    );
    let etag = res.headers()["etag"].to_str().unwrap().to_string();
    let modified = res.headers()["last-modified"].to_str().unwrap().to_string();
    let body = res.text().await.unwrap();
    assert!(body.starts_with("BEGIN:VCALENDAR\r\n"), "{body}");
    assert_eq!(body.matches("BEGIN:VEVENT").count(), 2, "{body}");
    assert!(body.contains("SUMMARY:ICE#10: @ann"), "{body}");
    assert!(body.contains("SUMMARY:ICE#11: @bob"), "{body}");
    assert!(
        !body.contains("ICE#0"),
        "a shift over long ago is not listed: {body}"
    );
    assert!(
        body.contains("DESCRIPTION:State: pending\\nNeeds: 1 any"),
        "{body}"
    );
    let uids: Vec<&str> = body.lines().filter(|l| l.starts_with("UID:")).collect();

    // Polling: the same content is a 304 by ETag or by date, and the text does not move.
    let res = get(&url, Some(("if-none-match", &etag))).await;
    assert_eq!(res.status(), StatusCode::NOT_MODIFIED);
    let res = get(&url, Some(("if-modified-since", &modified))).await;
    assert_eq!(res.status(), StatusCode::NOT_MODIFIED);
    assert_eq!(get(&url, None).await.text().await.unwrap(), body);

    // A change shows: a new ETag, the same UIDs.
    t.run("admin", "task unassign ICE#11 @bob").await;
    let res = get(&url, Some(("if-none-match", &etag))).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_ne!(res.headers()["etag"].to_str().unwrap(), etag);
    let body = res.text().await.unwrap();
    assert!(body.contains("SUMMARY:ICE#11: nobody yet"), "{body}");
    let again: Vec<&str> = body.lines().filter(|l| l.starts_with("UID:")).collect();
    assert_eq!(uids, again);

    // The rotation's holidays show as all-day entries.
    let day = (Utc::now() + TimeDelta::days(20))
        .format("%Y-%m-%d")
        .to_string();
    t.run(
        "admin",
        &format!("holiday add {day} --name Founders --rotation ICE"),
    )
    .await;
    let body = get(&url, None).await.text().await.unwrap();
    assert!(body.contains("SUMMARY:Holiday: Founders"), "{body}");
    assert!(
        body.contains(&format!("DTSTART;VALUE=DATE:{}", day.replace('-', ""))),
        "{body}"
    );
}

#[tokio::test]
async fn a_personal_feed_lists_only_that_persons_shifts() {
    let t = app().await;
    rotation(&t).await;
    let url = link(&t, &t.run("ann", "user ical").await);
    let body = get(&url, None).await.text().await.unwrap();
    assert_eq!(body.matches("BEGIN:VEVENT").count(), 1, "{body}");
    assert!(body.contains("SUMMARY:ICE#10: @ann"), "{body}");
    assert!(body.contains("@ann's shifts"), "{body}");
}

#[tokio::test]
async fn a_reset_link_replaces_the_old_one_and_bad_tokens_are_404() {
    let t = app().await;
    rotation(&t).await;
    let old = link(&t, &t.run("ann", "user ical").await);
    let reply = t.run("ann", "user ical --reset").await;
    assert!(reply.contains("the old one no longer works"), "{reply}");
    let new = link(&t, &reply);
    assert_ne!(old, new);
    assert_eq!(get(&old, None).await.status(), StatusCode::NOT_FOUND);
    assert_eq!(get(&new, None).await.status(), StatusCode::OK);

    // Only owners reset a rotation's link.
    let out = t.run("bob", "rotation ical ICE --reset").await;
    assert!(out.contains("Only owners of ICE"), "{out}");

    for bad in [
        "/ical/nope.ics",
        "/ical/0123456789abcdef0123456789abcdef01234567.ics",
        "/ical/0123456789ABCDEF0123456789ABCDEF01234567.ics",
        "/ical/feed",
    ] {
        let res = get(&format!("{}{bad}", t.url), None).await;
        assert_eq!(res.status(), StatusCode::NOT_FOUND, "{bad}");
    }
    let out = t.run("ann", "rotation ical NOPE").await;
    assert!(out.contains("No active rotation"), "{out}");
}

#[tokio::test]
async fn without_a_public_url_the_commands_say_how_to_set_it_and_change_nothing() {
    let t = spawn_app().await;
    rotation(&t).await;
    for cmd in ["rotation ical ICE", "user ical"] {
        let out = t.run("ann", cmd).await;
        assert!(out.contains("LOTTO_PUBLIC_URL"), "{cmd}: {out}");
    }
    let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM ical_tokens")
        .fetch_one(&t.db)
        .await
        .unwrap();
    assert_eq!(n, 0);
}

/// Polls `url` as a client holding `etag` would: the feed must have changed; its new ETag and text.
async fn changed_since(url: &str, etag: &str) -> (String, String) {
    let res = get(url, Some(("if-none-match", etag))).await;
    assert_eq!(res.status(), StatusCode::OK, "the feed did not change");
    let etag = res.headers()["etag"].to_str().unwrap().to_string();
    (etag, res.text().await.unwrap())
}

/// The secret token in a feed link.
fn token_of(url: &str) -> String {
    let file = url.rsplit('/').next().unwrap_or_default();
    file.trim_end_matches(".ics").to_string()
}

#[tokio::test]
async fn a_feed_served_before_shows_what_another_process_wrote_since() {
    let t = app().await;
    rotation(&t).await;
    let url = link(&t, &t.run("ann", "rotation ical ICE").await);
    let first = get(&url, None).await;
    let etag = first.headers()["etag"].to_str().unwrap().to_string();
    assert!(first.text().await.unwrap().contains("ICE#10: @ann"));
    assert_eq!(
        get(&url, Some(("if-none-match", &etag))).await.status(),
        StatusCode::NOT_MODIFIED
    );

    // Another replica on the same database: a refreshed profile with a new name, a holiday.
    sqlx::query("UPDATE users SET username = 'annie' WHERE username = 'ann'")
        .execute(&t.db)
        .await
        .unwrap();
    let (etag, body) = changed_since(&url, &etag).await;
    assert!(body.contains("ICE#10: @annie"), "{body}");

    let day = (Utc::now() + TimeDelta::days(3)).format("%Y-%m-%d");
    sqlx::query(
        "INSERT INTO holidays (day, name, rotation_id, created_by, created_at)
         SELECT $1, 'Elsewhere', id, 'admin', 0 FROM rotations WHERE name = 'ICE'",
    )
    .bind(day.to_string())
    .execute(&t.db)
    .await
    .unwrap();
    let (etag, body) = changed_since(&url, &etag).await;
    assert!(body.contains("Holiday: Elsewhere"), "{body}");

    // Everyone's holidays show in every rotation's feed.
    let day = (Utc::now() + TimeDelta::days(4)).format("%Y-%m-%d");
    sqlx::query(
        "INSERT INTO holidays (day, name, rotation_id, created_by, created_at)
         VALUES ($1, 'For all', NULL, 'admin', 0)",
    )
    .bind(day.to_string())
    .execute(&t.db)
    .await
    .unwrap();
    let (_, body) = changed_since(&url, &etag).await;
    assert!(body.contains("Holiday: For all"), "{body}");

    // A person's feed spans every rotation: a change in any of them shows.
    let mine = link(&t, &t.run("bob", "user ical").await);
    assert!(
        get(&mine, None)
            .await
            .text()
            .await
            .unwrap()
            .contains("ICE#11: @bob")
    );
    sqlx::query(
        "DELETE FROM task_users WHERE user_id = (SELECT id FROM users WHERE username = 'bob')",
    )
    .execute(&t.db)
    .await
    .unwrap();
    let body = get(&mine, None).await.text().await.unwrap();
    assert!(!body.contains("ICE#11"), "{body}");
}

#[tokio::test]
async fn a_feed_follows_the_clock_with_no_write_at_all() {
    let t = app().await;
    rotation(&t).await;
    // Sixty weeks ahead: beyond the year a feed reaches.
    t.run("admin", "task new shift ICE --number 70").await;
    let url = link(&t, &t.run("ann", "rotation ical ICE").await);
    let token = token_of(&url);
    let service = &t.app.as_ref().unwrap().service;
    let now = Utc::now();

    let feed = service.ical_feed(&token, now).await.unwrap().unwrap();
    assert!(feed.body.contains("ICE#10: @ann"), "{}", feed.body);
    assert!(!feed.body.contains("ICE#70"), "{}", feed.body);

    // Ten weeks on, this week's shift ended more than 30 days ago and #70 is within the year.
    let later = now + TimeDelta::weeks(10);
    let feed = service.ical_feed(&token, later).await.unwrap().unwrap();
    assert!(!feed.body.contains("ICE#10"), "{}", feed.body);
    assert!(feed.body.contains("ICE#70"), "{}", feed.body);
    let today = get(&url, None).await.text().await.unwrap();
    assert!(today.contains("ICE#10: @ann"), "{today}");
}
