//! The business rules as a table, run end to end: each row is a person with a Microsoft 365 calendar
//! (fake Graph), their Mattermost status before (fake Mattermost, manual flag included) and a few
//! sync runs; each step says what the bot writes and which notice DM arrives. What the bot set
//! before is whatever the earlier steps of the row made it set.

use chrono::{DateTime, Utc};
use futures_util::StreamExt;

use super::harness::{Cal, at};
use crate::support::fake_graph::FakeItem;

/// A calendar entry: Graph status, start and end in minutes after `t0`.
type Item = (&'static str, i64, i64);

struct Step {
    /// Minutes after `t0` the sync runs at.
    at: i64,
    /// The calendar changes before this run.
    reschedule: Option<&'static [Item]>,
    /// The person sets their own status first: (status, manual).
    user_sets: Option<(&'static str, bool)>,
    /// What the bot writes: (status, DND end in minutes after `t0`).
    writes: Option<(&'static str, Option<i64>)>,
    /// A phrase the one notice DM of this run contains; `None`: no DM.
    notice: Option<&'static str>,
    /// The custom status text afterwards (`""`: none); `None`: not checked.
    custom_after: Option<&'static str>,
}

const STEP: Step = Step {
    at: 0,
    reschedule: None,
    user_sets: None,
    writes: None,
    notice: None,
    custom_after: None,
};

struct Row {
    name: &'static str,
    calendar: &'static [Item],
    /// The status before the first run: (status, manual).
    status: (&'static str, bool),
    /// The person's own custom status before the first run.
    own_custom_status: Option<&'static str>,
    /// Commands run first: (who, text); `{me}` is the person.
    setup: &'static [(&'static str, &'static str)],
    steps: Vec<Step>,
}

fn rows() -> Vec<Row> {
    vec![
        Row {
            name: "busy: DND until the meeting ends, once, then back online",
            calendar: &[("busy", -30, 60)],
            status: ("online", false),
            own_custom_status: None,
            setup: &[],
            steps: vec![
                Step {
                    writes: Some(("dnd", Some(60))),
                    notice: Some(
                        "I set your status to **Do Not Disturb** until 12:00 because of a busy block in your calendar.",
                    ),
                    custom_after: Some(""),
                    ..STEP
                },
                Step { at: 30, ..STEP },
                Step {
                    at: 60,
                    writes: Some(("online", None)),
                    notice: Some(
                        "Your calendar is free again, so I set your status back to **Online**.",
                    ),
                    ..STEP
                },
                Step { at: 90, ..STEP },
            ],
        },
        Row {
            name: "tentative counts as busy; a manual Away comes back afterwards",
            calendar: &[("tentative", 0, 30)],
            status: ("away", true),
            own_custom_status: None,
            setup: &[],
            steps: vec![
                Step {
                    writes: Some(("dnd", Some(30))),
                    notice: Some("because of a tentative block"),
                    ..STEP
                },
                Step {
                    at: 30,
                    writes: Some(("away", None)),
                    notice: Some("set your status back to **Away**"),
                    ..STEP
                },
            ],
        },
        Row {
            name: "an automatic Away is not restored: online instead",
            calendar: &[("busy", 0, 30)],
            status: ("away", false),
            own_custom_status: None,
            setup: &[],
            steps: vec![
                Step {
                    writes: Some(("dnd", Some(30))),
                    notice: Some("**Do Not Disturb**"),
                    ..STEP
                },
                Step {
                    at: 30,
                    writes: Some(("online", None)),
                    notice: Some("back to **Online**"),
                    ..STEP
                },
            ],
        },
        Row {
            name: "offline people are left alone",
            calendar: &[("busy", 0, 60)],
            status: ("offline", false),
            own_custom_status: None,
            setup: &[],
            steps: vec![Step { ..STEP }, Step { at: 60, ..STEP }],
        },
        Row {
            name: "their own DND stays theirs: nothing set, nothing restored",
            calendar: &[("busy", 0, 60)],
            status: ("dnd", true),
            own_custom_status: None,
            setup: &[],
            steps: vec![Step { ..STEP }, Step { at: 60, ..STEP }],
        },
        Row {
            name: "a manual change mid-meeting wins and is not overridden for that meeting",
            calendar: &[("busy", 0, 120)],
            status: ("online", false),
            own_custom_status: None,
            setup: &[],
            steps: vec![
                Step {
                    writes: Some(("dnd", Some(120))),
                    notice: Some("**Do Not Disturb** until 13:00"),
                    ..STEP
                },
                Step {
                    at: 30,
                    user_sets: Some(("online", true)),
                    ..STEP
                },
                Step { at: 60, ..STEP },
                // Not the bot's status any more, so not the bot's to restore.
                Step { at: 120, ..STEP },
            ],
        },
        Row {
            name: "back-to-back meetings make one DND until the last ends",
            calendar: &[("busy", -15, 30), ("busy", 30, 90)],
            status: ("online", false),
            own_custom_status: None,
            setup: &[],
            steps: vec![
                Step {
                    writes: Some(("dnd", Some(90))),
                    notice: Some("until 12:30"),
                    ..STEP
                },
                Step { at: 45, ..STEP },
            ],
        },
        Row {
            name: "a meeting that grows moves the DND end, and says so",
            calendar: &[("busy", 0, 60)],
            status: ("online", false),
            own_custom_status: None,
            setup: &[],
            steps: vec![
                Step {
                    writes: Some(("dnd", Some(60))),
                    notice: Some("until 12:00"),
                    ..STEP
                },
                Step {
                    at: 30,
                    reschedule: Some(&[("busy", 0, 90)]),
                    writes: Some(("dnd", Some(90))),
                    notice: Some(
                        "Your calendar changed, so **Do Not Disturb** now lasts until 12:30.",
                    ),
                    ..STEP
                },
            ],
        },
        Row {
            name: "busy status Away",
            calendar: &[("busy", 0, 60)],
            status: ("online", false),
            own_custom_status: None,
            setup: &[("{me}", "calendar set busy away")],
            steps: vec![
                Step {
                    writes: Some(("away", None)),
                    notice: Some("I set your status to **Away** because of a busy block"),
                    ..STEP
                },
                Step {
                    at: 60,
                    writes: Some(("online", None)),
                    notice: Some("back to **Online**"),
                    ..STEP
                },
            ],
        },
        Row {
            name: "busy status off leaves the status alone",
            calendar: &[("busy", 0, 60)],
            status: ("online", false),
            own_custom_status: None,
            setup: &[("{me}", "calendar set busy off")],
            steps: vec![Step { ..STEP }, Step { at: 60, ..STEP }],
        },
        Row {
            name: "notices off: the change is made without a DM",
            calendar: &[("busy", 0, 60)],
            status: ("online", false),
            own_custom_status: None,
            setup: &[("{me}", "calendar set notices off")],
            steps: vec![
                Step {
                    writes: Some(("dnd", Some(60))),
                    ..STEP
                },
                Step {
                    at: 60,
                    writes: Some(("online", None)),
                    ..STEP
                },
            ],
        },
        Row {
            name: "paused: nothing changes in Mattermost until the pause ends",
            calendar: &[("busy", 0, 60), ("busy", 100, 160)],
            status: ("online", false),
            own_custom_status: None,
            // Admins act for others; `--now` puts the pause on the tests' clock (until t0 + 90 min).
            setup: &[("admin", "calendar pause 2h @{me} --now=2030-03-04T09:30Z")],
            steps: vec![
                Step { ..STEP },
                Step {
                    at: 110,
                    writes: Some(("dnd", Some(160))),
                    notice: Some("until 13:40"),
                    ..STEP
                },
            ],
        },
        Row {
            name: "out of office: custom status until it ends, status untouched",
            calendar: &[("oof", -60, 4320)],
            status: ("online", false),
            own_custom_status: None,
            setup: &[],
            steps: vec![
                Step {
                    notice: Some(
                        "I set your custom status to “Out of office” until Thu 7 Mar 11:00 because your calendar shows you out of office.",
                    ),
                    custom_after: Some("Out of office"),
                    ..STEP
                },
                Step {
                    at: 30,
                    custom_after: Some("Out of office"),
                    ..STEP
                },
                // The time off is cancelled: the bot takes its custom status back.
                Step {
                    at: 60,
                    reschedule: Some(&[]),
                    notice: Some("I cleared the “Out of office” custom status I had set."),
                    custom_after: Some(""),
                    ..STEP
                },
            ],
        },
        Row {
            name: "out of office over their own custom status: theirs stays",
            calendar: &[("oof", -60, 4320)],
            status: ("online", false),
            own_custom_status: Some("Hiking in the Alps"),
            setup: &[],
            steps: vec![Step {
                notice: Some("so rotations will not pick you until then"),
                custom_after: Some("Hiking in the Alps"),
                ..STEP
            }],
        },
        Row {
            name: "working elsewhere: custom status only",
            calendar: &[("workingElsewhere", -60, 420)],
            status: ("online", false),
            own_custom_status: None,
            setup: &[],
            steps: vec![Step {
                notice: Some("I set your custom status to “Working elsewhere” until 18:00"),
                custom_after: Some("Working elsewhere"),
                ..STEP
            }],
        },
        Row {
            name: "busy while out of office: DND and the custom status in one notice",
            calendar: &[("oof", -60, 480), ("busy", 0, 30)],
            status: ("online", false),
            own_custom_status: None,
            setup: &[],
            steps: vec![Step {
                writes: Some(("dnd", Some(30))),
                notice: Some("**Do Not Disturb** until 11:30"),
                custom_after: Some("Out of office"),
                ..STEP
            }],
        },
    ]
}

fn items(list: &[Item]) -> Vec<FakeItem> {
    list.iter()
        .map(|(status, from, to)| {
            FakeItem::new(status, at(*from), at(*to)).subject("Board meeting about the merger")
        })
        .collect()
}

fn dnd_end(minutes: Option<i64>) -> i64 {
    minutes.map(|m| at(m).timestamp()).unwrap_or(0)
}

async fn run_row(row: Row) {
    let name = row.name;
    let cal = Cal::start().await;
    let ann = cal.person("ann").status(row.status.0, row.status.1);
    if let Some(text) = row.own_custom_status {
        ann.custom_status("mountain", text, None::<DateTime<Utc>>);
    }
    let email = "ann@contoso.example";
    cal.graph.set_schedule(email, items(row.calendar));
    let out = cal.run("ann", "calendar connect graph").await;
    assert!(
        out.contains("Connected your Microsoft 365 calendar (`ann@contoso.example`)"),
        "{name}: {out}"
    );
    for (who, text) in row.setup {
        let who = who.replace("{me}", "ann");
        let out = cal.run(&who, &text.replace("{me}", "ann")).await;
        assert!(
            !out.contains("Only"),
            "{name}: setup `{text}` failed: {out}"
        );
    }

    for (i, step) in row.steps.iter().enumerate() {
        if let Some(list) = step.reschedule {
            cal.graph.set_schedule(email, items(list));
        }
        if let Some((status, manual)) = step.user_sets {
            cal.mm.set_status_as_user("ann", status, manual);
        }
        let writes_before = cal.writes_for("ann").len();
        let dms_before = cal.dms("ann").await.len();
        let out = cal.sync_at(at(step.at)).await;
        assert!(
            out.starts_with("Calendar sync as of"),
            "{name} step {i}: {out}"
        );

        let writes = cal.writes_for("ann")[writes_before..].to_vec();
        let expected: Vec<(String, i64, u16)> = step
            .writes
            .iter()
            .map(|(status, end)| (status.to_string(), dnd_end(*end), 200))
            .collect();
        assert_eq!(writes, expected, "{name} step {i} (at +{} min)", step.at);

        let dms = cal.dms("ann").await;
        let new: Vec<&String> = dms[dms_before..].iter().collect();
        match step.notice {
            Some(phrase) => {
                assert_eq!(new.len(), 1, "{name} step {i}: {new:?}");
                assert!(
                    new[0].contains(phrase),
                    "{name} step {i}: `{phrase}` not in\n{}",
                    new[0]
                );
                assert!(
                    new[0].contains("/lotto calendar pause"),
                    "{name}: {}",
                    new[0]
                );
                assert!(new[0].contains("Europe/Berlin"), "{name}: {}", new[0]);
                assert!(
                    !new[0].contains("merger"),
                    "{name}: a subject leaked: {}",
                    new[0]
                );
            }
            None => assert!(new.is_empty(), "{name} step {i}: unexpected DM {new:?}"),
        }
        if let Some(text) = step.custom_after {
            let now = cal
                .mm
                .custom_status_of("ann")
                .map(|c| c.text)
                .unwrap_or_default();
            assert_eq!(now, text, "{name} step {i}: custom status");
        }
    }
    // The rows share this test's runtime: a finished row's bot stops, and its connections close.
    cal.app.kill();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_row_of_the_business_rules_holds_end_to_end() {
    // Each row is a whole bot with its own database: a few at a time, so that on Postgres the rows
    // and the tests running beside them stay well inside the server's 100 connections.
    futures_util::stream::iter(rows().into_iter().map(run_row))
        .buffer_unordered(4)
        .collect::<Vec<()>>()
        .await;
}
