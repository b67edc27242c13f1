//! The history of changes: `rotation history` and `task history` show who changed what, in order,
//! with the autopilot named as such; `--json` and `--since`; failed commands record nothing; old
//! changes are pruned after the retention.

use chrono::{DateTime, TimeDelta, Utc};

use crate::commands_helpers::*;
use crate::support::app::TestApp;

fn at(rfc3339: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(rfc3339)
        .unwrap()
        .with_timezone(&Utc)
}

async fn history_rows(t: &TestApp) -> i64 {
    sqlx::query_scalar("SELECT COUNT(*) FROM history")
        .fetch_one(&t.db)
        .await
        .unwrap()
}

/// The table rows of a history reply (`| … |` lines after the header).
fn table_rows(reply: &str) -> Vec<&str> {
    reply
        .lines()
        .filter(|l| l.starts_with("| ") && !l.starts_with("| When"))
        .collect()
}

/// ICE (weekly, Berlin) with ann in it, a shift filled (by her, the only member) and scheduled by
/// hand, then bob joining; all at fixed times (`--now`) so the history reads the same every run.
/// Nine changes.
async fn ice_with_a_worked_shift(t: &TestApp) {
    for (cmd, now) in [
        (
            "rotation new ICE --period weekly --beginning 2030-03-04T09:00 --tz Europe/Berlin --seed 1",
            "2030-02-20T10:00Z",
        ),
        ("user join ICE @ann", "2030-02-20T10:05Z"),
        ("user qualify @ann --skills server-2", "2030-02-20T10:06Z"),
        ("rotation set task ICE --grace 1d", "2030-02-20T10:07Z"),
        ("rotation owner add ICE @cat", "2030-02-20T10:08Z"),
        ("task new shift ICE", "2030-02-21T09:00Z"),
        ("task fill ICE#0", "2030-02-21T09:01Z"),
        ("task schedule ICE#0", "2030-02-21T09:02Z"),
        ("user join ICE @bob", "2030-02-21T09:03Z"),
    ] {
        let out = t.run("admin", &format!("{cmd} --now={now}")).await;
        assert!(!out.contains("Usage"), "{cmd}: {out}");
    }
}

#[tokio::test]
async fn rotation_history_lists_every_change_in_order_with_who_made_it() {
    let t = team().await;
    ice_with_a_worked_shift(&t).await;
    t.run("admin", "user leave ICE @bob --now=2030-02-22T12:00Z")
        .await;
    // Anyone may read the history.
    let out = t.run("bob", "rotation history ICE").await;
    // bob reads New York time.
    assert!(out.contains("times in America/New_York"), "{out}");
    insta::assert_snapshot!(out);

    let rows = table_rows(&out);
    assert_eq!(rows.len(), 10, "{out}");
    assert!(rows[0].contains("| @admin |") && rows[0].contains("created the rotation ICE"));
    assert!(rows[1].contains("@ann joined"), "{out}");
    assert!(
        rows[2].contains("set @ann's skill server to intermediate"),
        "{out}"
    );
    assert!(
        rows[3].contains("set task to duration a whole period, grace 1d"),
        "{out}"
    );
    assert!(rows[4].contains("made @cat owner"), "{out}");
    assert!(rows[5].contains("| ICE#0 | created the task"), "{out}");
    assert!(
        rows[6].contains("| ICE#0 | filled the task with @ann"),
        "{out}"
    );
    assert!(rows[7].contains("from pending to scheduled"), "{out}");
    assert!(rows[8].contains("@bob joined"), "{out}");
    assert!(
        rows[9].contains("| @admin |") && rows[9].contains("@bob left"),
        "{out}"
    );
}

#[tokio::test]
async fn task_history_shows_only_that_task() {
    let t = team().await;
    ice_with_a_worked_shift(&t).await;
    t.run("admin", "task new shift ICE --now=2030-02-21T09:05Z")
        .await;
    let out = t.run("ann", "task history ICE#0").await;
    let rows = table_rows(&out);
    assert_eq!(rows.len(), 3, "{out}");
    // ann reads Berlin time; no task column for one task.
    assert!(
        rows[0].starts_with(
            "| 2030-02-21 10:00 | @admin | created the task, starting 2030-03-04 09:00 CET |"
        ),
        "{out}"
    );
    assert!(out.starts_with("**History of ICE#0**: 3 changes"), "{out}");
    let out = t.run("ann", "task history ICE#1").await;
    assert_eq!(rows_len(&out), 1, "{out}");
}

fn rows_len(reply: &str) -> usize {
    table_rows(reply).len()
}

#[tokio::test]
async fn autopilot_steps_are_recorded_as_the_autopilots() {
    let t = team().await;
    for cmd in [
        "rotation new ICE --period weekly --beginning 2030-03-04T09:00 --tz UTC --seed 1",
        "user join ICE @ann @bob",
        "rotation set autopilot ICE --create-prior 1w --schedule-prior 1w --start-finish",
    ] {
        let out = t
            .run("admin", &format!("{cmd} --now=2030-02-20T10:00Z"))
            .await;
        assert!(!out.contains("Usage"), "{cmd}: {out}");
    }
    let svc = t.app.as_ref().unwrap().service.clone();
    solar_lottery::autopilot::tick(&svc, at("2030-02-26T09:00:00Z"))
        .await
        .unwrap();
    solar_lottery::autopilot::tick(&svc, at("2030-03-04T09:00:00Z"))
        .await
        .unwrap();

    let out = t.run("ann", "task history ICE#0").await;
    let rows = table_rows(&out);
    assert!(rows.len() >= 4, "{out}");
    assert!(
        rows.iter().all(|r| r.contains("| autopilot |")),
        "every change to ICE#0 was the autopilot's: {out}"
    );
    assert!(rows[0].contains("created the task"), "{out}");
    assert!(rows[1].contains("filled the task with @"), "{out}");
    assert!(rows[2].contains("from pending to scheduled"), "{out}");
    assert!(
        rows.iter().any(|r| r.contains("from scheduled to started")),
        "{out}"
    );

    // Run by an owner, the same steps are that person's.
    let out = t
        .run("admin", "rotation autopilot ICE --now=2030-03-11T10:00Z")
        .await;
    assert!(out.contains("create shifts"), "{out}");
    let out = t.run("ann", "task history ICE#2").await;
    assert!(
        table_rows(&out)[0].contains("| @admin | created the task"),
        "{out}"
    );
}

#[tokio::test]
async fn json_history_has_the_typed_events_and_the_same_descriptions() {
    let t = team().await;
    ice_with_a_worked_shift(&t).await;
    let v = json_of(&t.run("cat", "rotation history ICE --json").await);
    assert_eq!(
        keys(&v),
        set(&["entries", "more", "rotation", "since", "task", "total"])
    );
    assert_eq!(v["rotation"], "ICE");
    assert_eq!(v["total"], 9);
    assert_eq!(v["more"], 0);
    let entries = v["entries"].as_array().unwrap();
    assert_eq!(entries.len(), 9);
    let first = &entries[0];
    assert_eq!(
        keys(first),
        set(&["actor", "at", "description", "event", "task"])
    );
    assert_eq!(first["at"], "2030-02-20T10:00:00Z");
    assert_eq!(first["actor"]["kind"], "person");
    assert_eq!(first["actor"]["username"], "admin");
    assert_eq!(first["event"]["kind"], "rotation_created");
    assert_eq!(first["task"], serde_json::Value::Null);
    let fill = entries
        .iter()
        .find(|e| e["event"]["kind"] == "filled")
        .unwrap();
    assert_eq!(fill["task"], "ICE#0");
    assert_eq!(
        fill["event"]["people"][0].as_object().unwrap().len(),
        2,
        "people are {{id, username}}: {fill}"
    );
    let moved = entries
        .iter()
        .find(|e| e["event"]["kind"] == "state_changed")
        .unwrap();
    assert_eq!(moved["event"]["from"], "pending");
    assert_eq!(moved["event"]["to"], "scheduled");
}

#[tokio::test]
async fn since_keeps_the_later_changes_and_bad_input_is_refused() {
    let t = team().await;
    ice_with_a_worked_shift(&t).await;
    let out = t
        .run("admin", "rotation history ICE --since 2030-02-21T00:00Z")
        .await;
    let rows = table_rows(&out);
    assert_eq!(rows.len(), 4, "{out}");
    assert!(rows[..3].iter().all(|r| r.contains("ICE#0")), "{out}");
    assert!(out.contains("since Thu 2030-02-21 00:00 UTC"), "{out}");

    // In the reader's zone: 10:01 in Berlin is 09:01 UTC.
    let out = t
        .run("ann", "rotation history ICE --since 2030-02-21T10:01")
        .await;
    assert_eq!(rows_len(&out), 3, "{out}");

    let out = t.run("admin", "rotation history ICE --since soon").await;
    assert!(out.contains("--since"), "{out}");
    let out = t.run("admin", "rotation history NOPE").await;
    assert!(out.contains("No active rotation is called `NOPE`"), "{out}");
    let out = t.run("admin", "task history ICE#7").await;
    assert!(out.contains("ICE has no task #7"), "{out}");
    let out = t
        .run(
            "admin",
            "rotation history ICE --since 2035-01-01T00:00Z --now=2036-01-01T00:00Z",
        )
        .await;
    assert!(
        out.contains("No changes to **ICE** are recorded since"),
        "{out}"
    );
}

#[tokio::test]
async fn a_failed_command_records_nothing() {
    let t = team().await;
    ice_with_a_worked_shift(&t).await;
    let before = history_rows(&t).await;
    // Not an owner; a task that is already scheduled; a skill no one has.
    fails_unchanged(&t, "bob", "task fill ICE#0").await;
    fails_unchanged(&t, "admin", "task fill ICE#0").await;
    fails_unchanged(&t, "admin", "user disqualify @bob --skills webapp").await;
    fails_unchanged(&t, "admin", "user join ICE @ann").await;
    // A known skill again, an unknown one, time off nobody has.
    fails_unchanged(&t, "admin", "skill new server").await;
    fails_unchanged(&t, "admin", "skill delete nope").await;
    fails_unchanged(&t, "admin", "user unavailable @bob --clear").await;
    assert_eq!(history_rows(&t).await, before);
}

#[tokio::test]
async fn long_histories_show_the_latest_fifty_and_say_how_to_narrow_them() {
    let t = team().await;
    ice_with_a_worked_shift(&t).await;
    for seed in 0..45 {
        t.run(
            "admin",
            &format!("rotation set fill ICE --seed {seed} --now=2030-02-23T10:00Z"),
        )
        .await;
    }
    let out = t.run("admin", "rotation history ICE").await;
    assert_eq!(rows_len(&out), 50, "{out}");
    assert!(out.contains("54 changes"), "{out}");
    assert!(out.contains("4 older not shown"), "{out}");
    assert!(
        out.contains("`/lotto rotation history ICE --since <datetime>`"),
        "{out}"
    );
    assert!(
        table_rows(&out)[49].contains("set fill to seed 44"),
        "{out}"
    );
}

#[tokio::test]
async fn changes_older_than_the_retention_are_pruned() {
    let t = team().await;
    ice_with_a_worked_shift(&t).await;
    t.run(
        "admin",
        "rotation set fill ICE --seed 9 --now=2031-01-10T00:00Z",
    )
    .await;
    let svc = t.app.as_ref().unwrap().service.clone();
    let pruned = svc
        .prune_history(at("2031-02-01T00:00:00Z"), TimeDelta::days(300))
        .await
        .unwrap();
    assert_eq!(pruned, 9);
    let out = t.run("admin", "rotation history ICE").await;
    let rows = table_rows(&out);
    assert_eq!(rows.len(), 1, "{out}");
    assert!(rows[0].contains("set fill to seed 9"), "{out}");
    // The tasks themselves are untouched.
    assert_eq!(t.tasks().await, ["ICE#0"]);
}

#[tokio::test]
async fn holidays_for_every_rotation_show_in_each_rotations_history_and_text_stays_in_its_cell() {
    let t = team().await;
    for cmd in [
        "rotation new ICE --period weekly --beginning 2030-03-04T09:00 --tz UTC --now=2030-02-20T10:00Z",
        "rotation new DESK --task-type ticket --tz UTC --now=2030-02-20T10:01Z",
        "holiday add 2030-12-25 --name \"Christmas | Day\" --now=2030-02-20T10:02Z",
        "task new ticket DESK --summary \"disk | full\" --now=2030-02-20T10:03Z",
    ] {
        let out = t.run("admin", cmd).await;
        assert!(!out.contains("Usage"), "{cmd}: {out}");
    }
    for rotation in ["ICE", "DESK"] {
        let out = t.run("ann", &format!("rotation history {rotation}")).await;
        assert!(
            out.contains(r"| made 2030-12-25 a holiday (Christmas \| Day) |"),
            "{out}"
        );
    }
    let out = t.run("ann", "task history DESK#1").await;
    assert!(
        out.contains(r#"created the task, "disk \| full", starting"#),
        "{out}"
    );
}

/// Runs each command as the admin at its `--now`, checking that it was understood.
async fn run_at(t: &TestApp, commands: &[(&str, &str)]) {
    for (cmd, now) in commands {
        let out = t.run("admin", &format!("{cmd} --now={now}")).await;
        assert!(
            !out.contains("Usage") && !out.contains(":x:"),
            "{cmd}: {out}"
        );
    }
}

#[tokio::test]
async fn time_off_added_and_cleared_shows_in_the_history_of_each_rotation_the_person_is_in() {
    let t = team().await;
    run_at(
        &t,
        &[
            (
                "rotation new ICE --period weekly --beginning 2030-03-04T09:00 --tz Europe/Berlin",
                "2030-02-20T10:00Z",
            ),
            ("rotation new DESK --task-type ticket --tz UTC", "2030-02-20T10:01Z"),
            ("rotation new OPS --task-type ticket --tz UTC", "2030-02-20T10:02Z"),
            ("user join ICE @ann", "2030-02-20T10:03Z"),
            ("user join DESK @ann", "2030-02-20T10:04Z"),
            ("user join OPS @bob", "2030-02-20T10:05Z"),
            (
                "user unavailable @ann --start 2030-03-10T08:00Z --finish 2030-03-12T17:00Z",
                "2030-02-21T09:00Z",
            ),
            (
                "user unavailable @ann --start 2030-04-01T00:00Z --finish 2030-04-03T00:00Z",
                "2030-02-21T09:01Z",
            ),
            (
                "user unavailable @ann --clear --start 2030-03-11T00:00Z --finish 2030-03-11T12:00Z",
                "2030-02-22T09:00Z",
            ),
            ("user unavailable @ann --clear", "2030-02-22T09:01Z"),
        ],
    )
    .await;
    let lines = [
        "| 2030-02-21 09:00 | @admin |  | added @ann's time off from 2030-03-10 08:00 UTC to 2030-03-12 17:00 UTC |",
        "| 2030-02-21 09:01 | @admin |  | added @ann's time off from 2030-04-01 00:00 UTC to 2030-04-03 00:00 UTC |",
        // The range takes back the stretch it overlaps, whole.
        "| 2030-02-22 09:00 | @admin |  | removed @ann's time off from 2030-03-10 08:00 UTC to 2030-03-12 17:00 UTC |",
        "| 2030-02-22 09:01 | @admin |  | removed @ann's time off from 2030-04-01 00:00 UTC to 2030-04-03 00:00 UTC |",
    ];
    // cat reads UTC.
    for rotation in ["ICE", "DESK"] {
        let out = t.run("cat", &format!("rotation history {rotation}")).await;
        let rows = table_rows(&out);
        assert_eq!(rows[rows.len() - 4..], lines, "{out}");
    }
    // bob's rotation: ann is not in it.
    let out = t.run("cat", "rotation history OPS").await;
    assert!(!out.contains("time off"), "{out}");

    // Times read in the reader's zone, like every other line.
    let out = t.run("ann", "rotation history ICE").await;
    assert!(
        out.contains("| added @ann's time off from 2030-03-10 09:00 CET to 2030-03-12 18:00 CET |"),
        "{out}"
    );
}

#[tokio::test]
async fn adding_and_deleting_a_known_skill_shows_in_every_rotations_history() {
    let t = team().await;
    run_at(
        &t,
        &[
            (
                "rotation new ICE --period weekly --beginning 2030-03-04T09:00 --tz UTC",
                "2030-02-20T10:00Z",
            ),
            (
                "rotation new DESK --task-type ticket --tz UTC",
                "2030-02-20T10:01Z",
            ),
            ("skill new webapp", "2030-02-21T09:00Z"),
            ("skill delete webapp", "2030-02-22T09:00Z"),
        ],
    )
    .await;
    for rotation in ["ICE", "DESK"] {
        let out = t.run("cat", &format!("rotation history {rotation}")).await;
        let rows = table_rows(&out);
        assert_eq!(
            rows[rows.len() - 2..],
            [
                "| 2030-02-21 09:00 | @admin |  | added webapp to the known skills |",
                "| 2030-02-22 09:00 | @admin |  | deleted webapp from the known skills (people who have it keep it) |",
            ],
            "{out}"
        );
    }
    let v = json_of(&t.run("cat", "rotation history ICE --json").await);
    let entries = v["entries"].as_array().unwrap();
    let added = &entries[entries.len() - 2]["event"];
    assert_eq!(added["kind"], "skill_listed");
    assert_eq!(added["skill"], "webapp");
    assert_eq!(added["added"], true);
}
