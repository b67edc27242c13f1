//! Holidays: `holiday add|remove|list`, `rotation set holidays skip|shift|ignore`, and the autopilot,
//! `task new shift` and fills honouring them.

use chrono::DateTime;

use crate::support::app::spawn_app;

fn ts(s: &str) -> i64 {
    DateTime::parse_from_rfc3339(s).unwrap().timestamp()
}

#[tokio::test]
async fn the_autopilot_does_not_create_a_shift_on_a_holiday_and_does_not_retry_it() {
    let t = spawn_app().await;
    t.run(
        "admin",
        "rotation new ICE --period daily --beginning 2030-12-22T09:00 --tz UTC",
    )
    .await;
    t.run(
        "admin",
        "rotation set autopilot ICE --create --create-prior 5d",
    )
    .await;
    let out = t
        .run("admin", "holiday add 2030-12-25 --name \"Christmas Day\"")
        .await;
    assert!(
        out.starts_with("2030-12-25 (Wed), Christmas Day, is a holiday for every rotation."),
        "{out}"
    );

    let report = t
        .run("admin", "rotation autopilot ICE --now=2030-12-22T10:00Z")
        .await;
    assert!(report.contains("create shifts:"), "{report}");
    assert_eq!(
        t.tasks().await,
        ["ICE#0", "ICE#1", "ICE#2", "ICE#4", "ICE#5"]
    );
    // The skipped shift is not "missing": the next run has nothing to create.
    let again = t
        .run("admin", "rotation autopilot ICE --now=2030-12-22T10:05Z")
        .await;
    assert!(again.contains("- create shifts: nothing to do"), "{again}");
    assert_eq!(t.tasks().await.len(), 5);

    // By hand: the next shift skips it too, and naming it says why, changing nothing.
    let out = t.run("admin", "task new shift ICE --number 3").await;
    assert!(
        out.contains("ICE#3 would start on 2030-12-25, a holiday"),
        "{out}"
    );
    assert!(out.contains("rotation set holidays ICE ignore"), "{out}");
    assert_eq!(t.tasks().await.len(), 5);

    // `ignore` holds it after all.
    let out = t.run("admin", "rotation set holidays ICE ignore").await;
    assert_eq!(
        out,
        "In **ICE** holidays are ignored. See the holidays with `/lotto holiday list --rotation ICE`."
    );
    t.run("admin", "task new shift ICE --number 3").await;
    assert_eq!(
        t.task("ICE#3").await.expected_start,
        ts("2030-12-25T09:00:00Z")
    );
}

#[tokio::test]
async fn a_shift_policy_moves_the_start_to_the_next_working_day_and_keeps_the_end() {
    let t = spawn_app().await;
    t.run(
        "admin",
        "rotation new ICE --period weekly --beginning 2030-03-04T09:00 --tz Europe/Berlin",
    )
    .await;
    t.run("admin", "rotation set holidays ICE shift").await;
    t.run("admin", "holiday add 2030-03-04 --rotation ICE")
        .await;
    t.run(
        "admin",
        "task new shift ICE --number 0 --now=2030-03-01T00:00Z",
    )
    .await;
    let task = t.task("ICE#0").await;
    assert_eq!(task.expected_start, ts("2030-03-05T08:00:00Z"));
    assert_eq!(
        task.expected_start + task.expected_duration,
        ts("2030-03-11T08:00:00Z")
    );
}

#[tokio::test]
async fn a_task_made_before_its_day_became_a_holiday_is_not_filled() {
    let t = spawn_app().await;
    t.mm.add_user("ann").time_zone("UTC");
    t.run(
        "admin",
        "rotation new ICE --period weekly --beginning 2030-03-04T09:00 --tz UTC",
    )
    .await;
    t.run("ann", "user join ICE").await;
    t.run("admin", "task new shift ICE --number 0").await;
    t.run("admin", "holiday add 2030-03-04").await;
    let out = t.run("admin", "task fill ICE#0").await;
    assert!(
        out.contains("ICE#0 starts on 2030-03-04, a holiday"),
        "{out}"
    );
    assert!(t.users_on("ICE#0").await.is_empty());
    t.run("admin", "holiday remove 2030-03-04").await;
    t.run("admin", "task fill ICE#0").await;
    assert_eq!(t.users_on("ICE#0").await, ["ann"]);
}

#[tokio::test]
async fn holidays_are_listed_and_only_admins_or_owners_change_them() {
    let t = spawn_app().await;
    t.mm.add_user("ann").time_zone("UTC");
    t.mm.add_user("bob").time_zone("UTC");
    t.run(
        "ann",
        "rotation new ICE --period weekly --beginning 2030-03-04T09:00 --tz UTC",
    )
    .await;
    t.run("admin", "holiday add 2030-12-25 --name Christmas")
        .await;

    // Everyone's holidays are the bot admins'; a rotation's own are its owners'.
    let out = t.run("ann", "holiday add 2030-12-26").await;
    assert!(out.contains("Only bot admins"), "{out}");
    let out = t.run("bob", "holiday add 2030-12-26 --rotation ICE").await;
    assert!(out.contains("Only owners of ICE"), "{out}");
    t.run(
        "ann",
        "holiday add 2030-12-26 --name \"Boxing Day\" --rotation ICE",
    )
    .await;
    let out = t.run("ann", "holiday add 2030-12-26 --rotation ICE").await;
    assert!(out.contains("already a holiday for ICE"), "{out}");

    let list = t
        .run(
            "admin",
            "holiday list --rotation ICE --now=2030-12-01T00:00Z",
        )
        .await;
    assert_eq!(
        list,
        "Holidays for **ICE** (in ICE shifts starting on a holiday are skipped):\n\
         - **2030-12-25** (Wed) Christmas, for every rotation\n\
         - **2030-12-26** (Thu) Boxing Day, for ICE"
    );

    // Bad input: a clear error, nothing changed.
    for (bad, says) in [
        ("holiday add 2030-02-30", "is not a date"),
        ("holiday add 30.12.2030", "YYYY-MM-DD"),
        (
            "holiday add 2030-12-27 --rotation NOPE",
            "No active rotation",
        ),
        ("holiday remove 2030-12-24", "not a holiday"),
        ("rotation set holidays ICE sometimes", "skip"),
        ("rotation set holidays NOPE skip", "No active rotation"),
    ] {
        let out = t.run("admin", bad).await;
        assert!(out.contains(says), "{bad}: {out}");
    }
    let json = t
        .run("admin", "holiday list --json --now=2030-12-01T00:00Z")
        .await;
    assert_eq!(json.matches("\"day\"").count(), 2, "{json}");
}
