//! Presence around on-call: `who`, the presence job's absence alerts, the on-call custom status,
//! and the bad input that changes nothing.

mod alerts;
pub mod oncall;
mod settings;
mod who;

use chrono::{DateTime, TimeDelta, TimeZone, Utc};

use crate::support::app::{TestApp, spawn_app};

/// 2030-03-04 09:00 UTC plus `min` minutes: ICE#0 runs from 09:00 for a week.
pub fn t(min: i64) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2030, 3, 4, 9, 0, 0).unwrap() + TimeDelta::minutes(min)
}

/// `2030-03-04T09:00Z` plus `min` minutes, for `--now`.
pub fn now_arg(min: i64) -> String {
    t(min).format("%Y-%m-%dT%H:%MZ").to_string()
}

/// The bot with `olga` (an owner besides `admin`), `ann` and `bob` on ICE#0, started at 09:00, and
/// `cat` on ICE#1, scheduled for a week later.
pub async fn on_call_app() -> TestApp {
    let t = spawn_app().await;
    for u in ["olga", "ann", "bob", "cat"] {
        t.mm.add_user(u).time_zone("UTC");
    }
    let now = now_arg(0);
    for cmd in [
        "rotation new ICE --period weekly --beginning 2030-03-04T09:00 --tz UTC".to_string(),
        "rotation owner add ICE @olga".into(),
        "user join ICE @ann @bob @cat".into(),
        "task new shift ICE".into(),
        "task assign ICE#0 @ann @bob".into(),
        format!("task schedule ICE#0 --now={now}"),
        "task new shift ICE".into(),
        "task assign ICE#1 @cat".into(),
        format!("task schedule ICE#1 --now={now}"),
    ] {
        let out = t.run("admin", &cmd).await;
        assert!(!out.contains("Usage"), "{cmd}: {out}");
    }
    t
}

/// Starts ICE#0 at 09:00.
pub async fn start_ice0(t: &TestApp) {
    let out = t
        .run("admin", &format!("task start ICE#0 --now={}", now_arg(0)))
        .await;
    assert!(out.contains("started"), "{out}");
    t.deliver().await;
}
