//! `rotation forecast <rot> [--shifts N]`: odds per upcoming shift from many runs of the real
//! lottery, honouring skills, time off, holidays and the tasks already made, and changing nothing.

use serde_json::Value;

use crate::commands_helpers::*;
use crate::support::app::TestApp;

/// ICE (weekly from Monday 2030-03-04 09:00 Berlin) with ann, bob and cat, two people a shift.
async fn ice() -> TestApp {
    let t = team().await;
    weekly_ice(&t).await;
    run(&t, "admin", "user join ICE @ann @bob @cat").await;
    run(&t, "admin", "rotation set require ICE --count 2").await;
    t.deliver().await;
    t
}

const BEFORE: &str = "--now 2030-03-01T00:00Z";

async fn forecast(t: &TestApp, args: &str) -> Value {
    let out = run(
        t,
        "admin",
        &format!("rotation forecast ICE {args} --json {BEFORE}"),
    )
    .await;
    json_of(&out)
}

/// The shift's percentages by username.
fn odds(shift: &Value) -> Vec<(String, f64)> {
    shift["people"]
        .as_array()
        .expect("people")
        .iter()
        .map(|p| {
            (
                p["username"].as_str().expect("username").to_string(),
                p["percent"].as_f64().expect("percent"),
            )
        })
        .collect()
}

fn percent_of(shift: &Value, who: &str) -> f64 {
    odds(shift)
        .into_iter()
        .find(|(u, _)| u == who)
        .map(|(_, p)| p)
        .unwrap_or(0.0)
}

#[tokio::test]
async fn each_shifts_odds_add_up_to_the_people_it_needs_and_nothing_changes() {
    let t = ice().await;
    let before = delivered_snapshot(&t).await;
    let out = run(
        &t,
        "admin",
        &format!("rotation forecast ICE --shifts 3 {BEFORE}"),
    )
    .await;
    assert!(out.starts_with("#### Forecast for ICE"), "{out}");
    assert!(out.contains("1,000 runs of the lottery"), "{out}");
    assert!(
        out.contains("**ICE#0** · Mon 2030-03-04 08:00 UTC"),
        "{out}"
    );
    assert!(out.contains("not created yet"), "{out}");
    let json = forecast(&t, "--shifts 3").await;
    assert_eq!(json["draws"], 1000);
    let shifts = json["shifts"].as_array().unwrap();
    let ids: Vec<&str> = shifts.iter().map(|s| s["id"].as_str().unwrap()).collect();
    assert_eq!(ids, ["ICE#0", "ICE#1", "ICE#2"]);
    for s in shifts {
        let total: f64 = odds(s).iter().map(|(_, p)| p).sum();
        assert!((total - 200.0).abs() < 0.5, "{s}");
        assert!(odds(s).iter().all(|(_, p)| *p <= 100.0), "{s}");
        assert_eq!(s["unfilled_percent"], 0.0);
    }
    // Three people, two a week: whoever served shift 0 waits less, so nobody is certain.
    assert!(odds(&shifts[0]).iter().all(|(_, p)| *p < 100.0), "{json}");
    // The default is 4 shifts.
    assert_eq!(
        forecast(&t, "").await["shifts"].as_array().unwrap().len(),
        4
    );
    assert_eq!(
        delivered_snapshot(&t).await,
        before,
        "the forecast wrote something"
    );
}

#[tokio::test]
async fn someone_on_time_off_gets_nothing_for_those_shifts() {
    let t = ice().await;
    // ann is away for shift 0 (and part of shift 1 overlaps it too).
    run(
        &t,
        "ann",
        "user unavailable --start 2030-03-03 --finish 2030-03-12",
    )
    .await;
    let json = forecast(&t, "--shifts 3").await;
    let shifts = json["shifts"].as_array().unwrap();
    assert_eq!(percent_of(&shifts[0], "ann"), 0.0, "{json}");
    assert_eq!(percent_of(&shifts[1], "ann"), 0.0, "{json}");
    assert_eq!(percent_of(&shifts[0], "bob"), 100.0, "{json}");
    assert!(percent_of(&shifts[2], "ann") > 0.0, "{json}");
}

#[tokio::test]
async fn a_member_without_the_skill_never_shows_for_a_skill_need() {
    let t = ice().await;
    run(&t, "admin", "user qualify @ann @bob --skills webapp-2").await;
    run(&t, "admin", "rotation set require ICE --clear").await;
    run(
        &t,
        "admin",
        "rotation set require ICE --skill webapp-2 --count 1",
    )
    .await;
    let json = forecast(&t, "--shifts 6").await;
    for s in json["shifts"].as_array().unwrap() {
        assert_eq!(percent_of(s, "cat"), 0.0, "{s}");
        let total: f64 = odds(s).iter().map(|(_, p)| p).sum();
        assert!((total - 100.0).abs() < 0.5, "{s}");
    }
}

#[tokio::test]
async fn a_scheduled_shift_is_certain_and_a_holiday_skips_its_shift() {
    let t = ice().await;
    run(&t, "admin", "task new shift ICE --number 0").await;
    run(&t, "admin", "task fill ICE#0").await;
    run(&t, "admin", "task schedule ICE#0").await;
    let on_it = t.users_on("ICE#0").await;
    assert_eq!(on_it.len(), 2);
    // Shift 2 starts on Monday 2030-03-18 in Berlin.
    run(&t, "admin", "holiday add 2030-03-18 --rotation ICE").await;
    let json = forecast(&t, "--shifts 3").await;
    let shifts = json["shifts"].as_array().unwrap();
    let ids: Vec<&str> = shifts.iter().map(|s| s["id"].as_str().unwrap()).collect();
    assert_eq!(ids, ["ICE#0", "ICE#1", "ICE#2", "ICE#3"], "{json}");
    assert_eq!(shifts[0]["state"], "scheduled");
    for who in &on_it {
        assert_eq!(percent_of(&shifts[0], who), 100.0, "{json}");
    }
    assert_eq!(shifts[2]["state"], "skipped for a holiday");
    assert_eq!(shifts[2]["note"], "2030-03-18");
    assert!(odds(&shifts[2]).is_empty(), "{json}");
    let out = run(
        &t,
        "admin",
        &format!("rotation forecast ICE --shifts 3 {BEFORE}"),
    )
    .await;
    assert!(out.contains("skipped for a holiday (2030-03-18)"), "{out}");
}

#[tokio::test]
async fn bad_input_gets_a_clear_answer_and_changes_nothing() {
    let t = ice().await;
    let out = fails_unchanged(&t, "admin", "rotation forecast ICE --shifts 53").await;
    assert!(out.contains("not a whole number from 1 to 52"), "{out}");
    let out = fails_unchanged(&t, "admin", "rotation forecast ICE --shifts soon").await;
    assert!(out.contains("--shifts"), "{out}");
    let out = fails_unchanged(&t, "admin", "rotation forecast NOPE").await;
    assert!(out.contains("NOPE"), "{out}");
    let out = fails_unchanged(&t, "admin", "rotation forecast").await;
    assert!(out.contains("rotation"), "{out}");
}
