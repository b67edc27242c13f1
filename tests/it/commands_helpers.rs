//! Helpers shared by the `commands_*` tests: a team to work with, JSON replies, and the
//! "a failed command changes nothing" check.

use std::collections::BTreeSet;

use serde_json::Value;

use crate::support::app::{TestApp, spawn_app};

/// The bot with `admin` (UTC, bot admin) plus three ordinary users in three time zones.
pub async fn team() -> TestApp {
    let t = spawn_app().await;
    t.mm.add_user("ann").time_zone("Europe/Berlin");
    t.mm.add_user("bob").time_zone("America/New_York");
    t.mm.add_user("cat").time_zone("UTC");
    t
}

/// A weekly rotation whose shift 0 starts Monday 2030-03-04 09:00 Berlin time (08:00 UTC).
pub async fn weekly_ice(t: &TestApp) {
    let out = t
        .run(
            "admin",
            "rotation new ICE --period weekly --beginning 2030-03-04T09:00 --tz Europe/Berlin --seed 1",
        )
        .await;
    assert!(out.contains("Created rotation **ICE**"), "{out}");
}

/// Runs a command that must succeed at the HTTP level and returns its text.
pub async fn run(t: &TestApp, user: &str, text: &str) -> String {
    t.run(user, text).await
}

/// The JSON object of a `--json` reply (a ```json fenced block).
pub fn json_of(reply: &str) -> Value {
    let body = reply
        .trim()
        .strip_prefix("```json")
        .and_then(|s| s.strip_suffix("```"))
        .unwrap_or_else(|| panic!("not a JSON reply: {reply}"));
    serde_json::from_str(body).unwrap_or_else(|e| panic!("bad JSON ({e}): {reply}"))
}

/// The key set of a JSON object.
pub fn keys(v: &Value) -> BTreeSet<String> {
    v.as_object()
        .unwrap_or_else(|| panic!("not an object: {v}"))
        .keys()
        .cloned()
        .collect()
}

pub fn set(names: &[&str]) -> BTreeSet<String> {
    names.iter().map(|s| s.to_string()).collect()
}

/// Runs a command that must fail, proves it left every table as it was, and returns its reply.
pub async fn fails_unchanged(t: &TestApp, user: &str, text: &str) -> String {
    let before = delivered_snapshot(t).await;
    let out = t.run(user, text).await;
    let after = delivered_snapshot(t).await;
    assert_eq!(
        before, after,
        "`{text}` as @{user} changed the database; it answered: {out}"
    );
    out
}

/// The keys of a task object in every `--json` reply.
pub const TASK_KEYS: &[&str] = &[
    "actual_finish",
    "actual_start",
    "expected_duration",
    "expected_start",
    "finish",
    "grace",
    "id",
    "limit",
    "number",
    "reminded_finish",
    "reminded_start",
    "require",
    "rotation",
    "start",
    "state",
    "summary",
    "type",
    "users",
];

/// The keys of a rotation object (as in `rotation list`).
pub const ROTATION_KEYS: &[&str] = &[
    "archived",
    "autopilot",
    "beginning",
    "created_at",
    "fuzz",
    "grace",
    "holidays",
    "id",
    "name",
    "period",
    "seed",
    "task_duration",
    "task_type",
    "time_zone",
];

/// The keys of a person in `user show --json`.
pub const PERSON_KEYS: &[&str] = &[
    "id",
    "rotations",
    "skills",
    "tasks",
    "time_zone",
    "unavailable",
    "username",
];

/// Epoch seconds of an RFC 3339 time, as the database stores times.
pub fn ts(rfc3339: &str) -> i64 {
    chrono::DateTime::parse_from_rfc3339(rfc3339)
        .unwrap()
        .timestamp()
}

/// The database after a delivery pass, so that DMs queued earlier count as sent on both sides of
/// a comparison. The commands tests run no background sender (`spawn_app`'s default): nothing
/// changes the database between this pass and the snapshot.
pub async fn delivered_snapshot(t: &TestApp) -> Vec<String> {
    t.deliver().await;
    t.snapshot().await
}
