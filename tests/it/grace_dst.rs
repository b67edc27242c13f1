//! Grace measured on the rotation's wall clock: a week of grace after a 09:00 handover ends at 09:00
//! local a week later, even when that week is 167 hours long because the clocks sprang forward.

use crate::support::app::{TestApp, spawn_app};
use serde_json::Value;

async fn people_on(t: &TestApp, task: &str) -> Vec<String> {
    let out = t.run("admin", &format!("task show {task} --json")).await;
    let json = out
        .trim_start_matches("```json")
        .trim_end_matches("```")
        .trim();
    let v: Value = serde_json::from_str(json).expect("task JSON");
    let mut names: Vec<String> = v["users"]
        .as_array()
        .expect("users")
        .iter()
        .map(|u| u["username"].as_str().unwrap_or_default().to_string())
        .collect();
    names.sort();
    names
}

#[tokio::test]
async fn a_week_of_grace_ends_at_the_handover_across_a_dst_change() {
    let t = spawn_app().await;
    for u in ["ann", "bob", "cat", "dan"] {
        t.mm.add_user(u).time_zone("Europe/Berlin");
    }
    // Weekly Monday 09:00 Berlin handovers; Europe springs forward on Sunday 2030-03-31, so the
    // week of ICE#1 (03-25 → 04-01) is 167 hours long.
    for cmd in [
        "rotation new ICE --period weekly --beginning 2030-03-18T09:00 --tz Europe/Berlin",
        "user join ICE @ann @bob @cat @dan",
        "rotation set require ICE --skill any --count 2",
        "rotation set task ICE --grace 1w",
        "task new shift ICE --number 0",
        "task new shift ICE --number 1",
        "task new shift ICE --number 2",
    ] {
        let out = t.run("admin", cmd).await;
        assert!(
            !out.contains("Usage") && !out.contains("Couldn't"),
            "{cmd}: {out}"
        );
    }
    for task in ["ICE#0", "ICE#1", "ICE#2"] {
        let out = t.run("admin", &format!("task fill {task}")).await;
        assert!(out.starts_with("The lottery picked"), "{task}: {out}");
    }
    let first = people_on(&t, "ICE#0").await;
    let second = people_on(&t, "ICE#1").await;
    let third = people_on(&t, "ICE#2").await;
    assert_eq!(first.len(), 2);
    assert!(
        first.iter().all(|p| !second.contains(p)),
        "grace keeps {first:?} off ICE#1 ({second:?})"
    );
    // Their grace ended at 09:00 on 04-01, exactly when ICE#2 starts: they are the only ones free.
    assert_eq!(third, first);
}
