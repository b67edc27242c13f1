//! Setting the autopilot up by command, reading it back in words, and one run's report: steps that
//! are off say "not configured", and a run has no one-run lag (a shift created in a run is filled,
//! scheduled and started in that same run when it is due).

use crate::support::app::spawn_app;

fn lines(reply: &str) -> Vec<String> {
    reply
        .lines()
        .filter_map(|l| l.strip_prefix("- "))
        .map(str::to_string)
        .collect()
}

#[tokio::test]
async fn set_autopilot_changes_only_the_flags_given_and_show_reads_it_in_words() {
    let t = spawn_app().await;
    t.mm.add_user("ann").time_zone("UTC");
    t.run(
        "admin",
        "rotation new ICE --period weekly --beginning 2030-03-04T09:00 --tz UTC",
    )
    .await;

    let reply = t
        .run("admin", "rotation autopilot ICE --now=2030-03-01T09:00")
        .await;
    assert_eq!(
        lines(&reply),
        [
            "finish reminder: not configured",
            "finish: not configured",
            "create shifts: not configured",
            "fill and schedule: not configured",
            "start reminder: not configured",
            "start: not configured",
        ]
    );

    let steps = [
        (
            "--create-prior 4w",
            "The autopilot of **ICE** creates shifts 4 weeks ahead.",
        ),
        (
            "--schedule --schedule-prior 3d",
            "The autopilot of **ICE** creates shifts 4 weeks ahead, fills and schedules tasks 3 days before they start.",
        ),
        (
            "--create=false --remind-start-prior 1d12h",
            "The autopilot of **ICE** fills and schedules tasks 3 days before they start, reminds people 1 day and 12 hours before a task starts.",
        ),
        ("--off", "The autopilot of **ICE** is off."),
        // Turning a step back on restores its lead time.
        (
            "--create --start-finish",
            "The autopilot of **ICE** creates shifts 4 weeks ahead, starts and finishes tasks on time.",
        ),
    ];
    for (flags, expected) in steps {
        let out = t
            .run("admin", &format!("rotation set autopilot ICE {flags}"))
            .await;
        assert_eq!(out, expected, "{flags}");
    }
    let show = t.run("admin", "rotation show ICE").await;
    assert!(
        show.contains(
            "- **Autopilot:** on: creates shifts 4 weeks ahead, starts and finishes tasks on time\n"
        ),
        "{show}"
    );

    // Only owners may change it; the change is refused whole.
    let out = t.run("ann", "rotation set autopilot ICE --schedule").await;
    assert!(!out.contains("The autopilot of"), "{out}");
    let out = t.run("admin", "rotation set autopilot ICE --off").await;
    assert_eq!(out, "The autopilot of **ICE** is off.");
    let show = t.run("admin", "rotation show ICE").await;
    assert!(
        show.contains("- **Autopilot:** off (turn it on with"),
        "{show}"
    );
}

#[tokio::test]
async fn a_shift_created_in_a_run_is_filled_and_started_in_the_same_run() {
    let t = spawn_app().await;
    t.mm.add_user("ann").time_zone("UTC");
    for cmd in [
        "rotation new ICE --period weekly --beginning 2030-03-04T09:00 --tz UTC",
        "user join ICE @ann",
        "rotation set autopilot ICE --create-prior 1w --schedule-prior 1d --remind-start-prior 1h \
         --remind-finish-prior 1d --start-finish",
    ] {
        t.run("admin", cmd).await;
    }
    // Turned on in the middle of shift #0: it is created, filled, scheduled and started at once;
    // too late for its start reminder.
    let reply = t
        .run("admin", "rotation autopilot ICE --now=2030-03-05T10:00")
        .await;
    assert_eq!(
        lines(&reply),
        [
            "finish reminder: nothing to do",
            "finish: nothing to do",
            "create shifts: created ICE#0, ICE#1",
            "fill and schedule: scheduled ICE#0 (@ann)",
            "start reminder: nothing to do",
            "start: started ICE#0",
        ],
        "{reply}"
    );
    t.deliver().await;
    let ann = t.mm.dms_to("ann");
    let heads: Vec<&str> = ann.iter().map(|m| m.lines().next().unwrap()).collect();
    assert_eq!(
        heads,
        [
            "#### Welcome to ICE!",
            "#### You're on ICE#0",
            "#### ICE#0 has started"
        ]
    );
    // Started on time, at its planned start, though the run came a day later.
    let start = t.task("ICE#0").await.actual_start;
    assert_eq!(
        start,
        Some(
            chrono::DateTime::parse_from_rfc3339("2030-03-04T09:00:00Z")
                .unwrap()
                .timestamp()
        )
    );

    // A run with nothing due says so for each step that is on.
    let reply = t
        .run("admin", "rotation autopilot ICE --now=2030-03-05T11:00")
        .await;
    assert!(
        lines(&reply).iter().all(|l| l.ends_with(": nothing to do")),
        "{reply}"
    );
}

#[tokio::test]
async fn only_owners_and_admins_run_the_autopilot_and_only_admins_travel_in_time() {
    let t = spawn_app().await;
    t.mm.add_user("ann").time_zone("UTC");
    t.run(
        "admin",
        "rotation new ICE --period weekly --beginning 2030-03-04T09:00 --tz UTC",
    )
    .await;
    t.run("admin", "rotation owner add ICE @ann").await;
    let out = t
        .run("ann", "rotation autopilot ICE --now=2030-03-05T10:00")
        .await;
    assert!(out.contains("Only bot admins can use `--now`"), "{out}");
    let out = t.run("ann", "rotation autopilot ICE").await;
    assert!(out.starts_with("Ran the autopilot on **ICE**"), "{out}");
}
