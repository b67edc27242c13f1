//! `task override`: an owner has someone serve instead of someone else, for a whole task or part
//! of it; `who`, the DMs and the iCal feed show it; one that breaks the task's needs or limits is
//! refused unless forced.

use chrono::{DateTime, TimeDelta, Utc};

use crate::commands_helpers::fails_unchanged;
use crate::support::app::{Spawn, TestApp, spawn_app_with};

const PUBLIC: &str = "https://lotto.example.com";

/// Where ICE#0 begins: next week (the feed shows a year ahead of the real now), 08:00 UTC.
fn begin() -> DateTime<Utc> {
    let day = (Utc::now() + TimeDelta::days(7)).date_naive();
    day.and_hms_opt(8, 0, 0).unwrap().and_utc()
}

/// `begin()` plus `hours`, as typed in a command.
fn at(hours: i64) -> String {
    (begin() + TimeDelta::hours(hours))
        .format("%Y-%m-%dT%H:%MZ")
        .to_string()
}

/// ICE (weekly, UTC) with ann, bob and cat; ann on ICE#0 (`begin()` for a week), started.
async fn ice() -> TestApp {
    let t = spawn_app_with(Spawn {
        settings: vec![("public_url", PUBLIC)],
        ..Default::default()
    })
    .await;
    for u in ["ann", "bob", "cat", "dan"] {
        t.mm.add_user(u).time_zone("UTC");
    }
    let out = t
        .run(
            "admin",
            &format!(
                "rotation new ICE --period weekly --beginning {} --tz UTC",
                at(0)
            ),
        )
        .await;
    assert!(out.contains("Created rotation **ICE**"), "{out}");
    t.run("admin", "user join ICE @ann @bob @cat").await;
    t.run("admin", "task new shift ICE --number 0").await;
    t.run("admin", "task assign ICE#0 @ann").await;
    t.run("admin", "task schedule ICE#0").await;
    t.run("admin", &format!("task start ICE#0 --now {}", at(0)))
        .await;
    t.deliver().await;
    t
}

async fn feed(t: &TestApp) -> String {
    let reply = t.run("ann", "rotation ical ICE").await;
    let url = reply
        .split_whitespace()
        .find(|w| w.starts_with(PUBLIC))
        .unwrap_or_else(|| panic!("no link in {reply}"))
        .replace(PUBLIC, &t.url);
    reqwest::get(url).await.unwrap().text().await.unwrap()
}

#[tokio::test]
async fn a_partial_override_shows_in_who_the_dms_and_the_feed_for_its_time_only() {
    let t = ice().await;
    let out = t
        .run(
            "admin",
            &format!(
                "task override ICE#0 @ann @bob --start {} --finish {}",
                at(24),
                at(48)
            ),
        )
        .await;
    assert!(
        out.contains("@bob serves instead of @ann on **ICE#0**: "),
        "{out}"
    );
    t.deliver().await;
    let to_bob = t.mm.dms_to("bob");
    assert!(
        to_bob.iter().any(|d| d.contains("You cover @ann on ICE#0")),
        "{to_bob:?}"
    );
    let to_ann = t.mm.dms_to("ann");
    assert!(
        to_ann
            .iter()
            .any(|d| d.contains("@bob covers for you on ICE#0")),
        "{to_ann:?}"
    );

    let during = t.run("admin", &format!("who ICE --now {}", at(28))).await;
    assert!(during.contains("- @bob (covering for @ann):"), "{during}");
    assert!(!during.contains("- @ann:"), "{during}");
    let after = t.run("admin", &format!("who ICE --now {}", at(76))).await;
    assert!(
        after.contains("- @ann:") && !after.contains("covering"),
        "{after}"
    );

    let ics = feed(&t).await;
    assert!(ics.contains("@bob covers @ann in part"), "{ics}");
    // Task rows are unchanged: ann is still the one on the task.
    let show = t.run("cat", "task show ICE#0").await;
    assert!(show.contains("@ann"), "{show}");
    let history = t.run("admin", "task history ICE#0").await;
    assert!(
        history.contains("@bob") && history.contains("instead of @ann"),
        "{history}"
    );
}

#[tokio::test]
async fn a_whole_task_override_shows_for_all_of_it() {
    let t = ice().await;
    let out = t.run("admin", "task override ICE#0 @ann @cat").await;
    assert!(out.contains("for the whole task"), "{out}");
    let who = t.run("admin", &format!("who ICE --now {}", at(150))).await;
    assert!(who.contains("- @cat (covering for @ann):"), "{who}");
    let ics = feed(&t).await;
    assert!(ics.contains("@cat instead of @ann"), "{ics}");
}

#[tokio::test]
async fn an_override_that_breaks_the_needs_is_refused_unless_forced() {
    let t = ice().await;
    t.run("admin", "skill new server").await;
    t.run("admin", "user qualify @ann --skills server-1").await;
    let task_id: (i64,) = sqlx::query_as("SELECT id FROM tasks WHERE number = 0")
        .fetch_one(&t.db)
        .await
        .unwrap();
    sqlx::query("INSERT INTO task_needs (task_id, kind, skill_level, count) VALUES ($1, 'require', 'server-1', 1)")
        .bind(task_id.0)
        .execute(&t.db)
        .await
        .unwrap();
    let out = fails_unchanged(&t, "admin", "task override ICE#0 @ann @bob").await;
    assert!(out.contains("Add `--force`"), "{out}");
    assert!(out.contains("server"), "{out}");
    let out = fails_unchanged(&t, "admin", "task override ICE#0 @ann @dan").await;
    assert!(out.contains("@dan is not in ICE"), "{out}");
    let out = fails_unchanged(&t, "bob", "task override ICE#0 @ann @bob --force").await;
    assert!(out.contains("Only owners of ICE"), "{out}");
    let out = fails_unchanged(&t, "admin", "task override ICE#0 @bob @cat").await;
    assert!(out.contains("@bob is not on ICE#0"), "{out}");
    let outside = format!(
        "task override ICE#0 @ann @cat --start {} --finish {}",
        at(200),
        at(220)
    );
    let out = fails_unchanged(&t, "admin", &outside).await;
    assert!(out.contains("within ICE#0"), "{out}");
    let out = t
        .run("admin", "task override ICE#0 @ann @bob --force")
        .await;
    assert!(out.contains("@bob serves instead of @ann"), "{out}");
}
