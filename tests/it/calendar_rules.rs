//! The status rules as a table: each row is a calendar, the person's current status (and manual
//! flag), what the bot set before → what the bot does now and what it tells the person.

use chrono::{DateTime, TimeZone, Utc};
use solar_lottery::calendar::rules::{
    BusyStatus, CustomStatus, CustomStatusChange, CustomStatusMemory, MattermostStatus, Memory,
    PreviousStatus, Settings, StatusKind, StatusMemory, StatusWrite, UnavailabilityChange,
};
use solar_lottery::calendar::{
    Availability, Block, CalendarView, RuleInput, RunKey, RunKind, Span, decide,
};

/// 2026-03-02 (a Monday) at hh:mm UTC; the person lives in Berlin (UTC+1 then).
fn at(h: u32, m: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 2, h, m, 0).unwrap()
}
fn day(d: u32, h: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, d, h, 0, 0).unwrap()
}
fn span(a: DateTime<Utc>, b: DateTime<Utc>) -> Span {
    Span::new(a, b).unwrap()
}
fn block(a: Availability, from: DateTime<Utc>, to: DateTime<Utc>) -> Block {
    Block::new(span(from, to), a)
}
fn now() -> DateTime<Utc> {
    at(10, 30)
}
fn status(kind: StatusKind, manual: bool) -> MattermostStatus {
    MattermostStatus::new(kind, manual)
}
fn dnd_until(t: DateTime<Utc>) -> MattermostStatus {
    MattermostStatus {
        kind: StatusKind::Dnd,
        manual: true,
        dnd_end_time: Some(t),
    }
}
fn write_dnd(t: DateTime<Utc>) -> StatusWrite {
    StatusWrite::Dnd { until: Some(t) }
}
/// Memory after the bot set DND for the busy run starting at `run_start`.
fn bot_set_dnd(
    run_start: DateTime<Utc>,
    until: DateTime<Utc>,
    before: (StatusKind, bool),
) -> Memory {
    Memory {
        status: Some(StatusMemory {
            run: RunKey::new(RunKind::Busy, run_start),
            set: Some(write_dnd(until)),
            before: Some(PreviousStatus {
                kind: before.0,
                manual: before.1,
            }),
        }),
        ..Memory::default()
    }
}
fn oof_memory(
    run_start: DateTime<Utc>,
    end: DateTime<Utc>,
    custom: Option<CustomStatus>,
) -> Memory {
    Memory {
        custom_status: Some(CustomStatusMemory {
            run: RunKey::new(RunKind::OutOfOffice, run_start),
            set: custom,
        }),
        unavailability: Some(span(run_start, end)),
        ..Memory::default()
    }
}
fn own_custom(expires: Option<DateTime<Utc>>) -> CustomStatus {
    CustomStatus {
        emoji: "coffee".into(),
        text: "Lunch with the team".into(),
        expires_at: expires,
    }
}

struct Case {
    name: &'static str,
    calendar: Vec<Block>,
    status: MattermostStatus,
    custom: Option<CustomStatus>,
    before: Memory,
    settings: Settings,
    // → expected
    write: Option<StatusWrite>,
    custom_change: Option<CustomStatusChange>,
    unavailability: Option<UnavailabilityChange>,
    /// `None`: no notice; `Some(parts)`: a notice containing each part.
    notice: Option<Vec<&'static str>>,
    /// Extra check on the memory the bot stores afterwards.
    memory: fn(&Memory) -> bool,
}

impl Default for Case {
    fn default() -> Self {
        Self {
            name: "",
            calendar: vec![],
            status: status(StatusKind::Online, false),
            custom: None,
            before: Memory::default(),
            settings: Settings::default(),
            write: None,
            custom_change: None,
            unavailability: None,
            notice: None,
            memory: |_| true,
        }
    }
}

fn cases() -> Vec<Case> {
    use Availability::*;
    let busy_10_11 = || vec![block(Busy, at(10, 0), at(11, 0))];
    let oof_week = || vec![block(OutOfOffice, day(2, 0), day(6, 17))];
    vec![
        Case {
            name: "busy block, online → DND until the block ends, with a notice",
            calendar: busy_10_11(),
            write: Some(write_dnd(at(11, 0))),
            notice: Some(vec![
                "**Do Not Disturb** until 12:00",
                "a busy block",
                "/lotto calendar pause 2h",
            ]),
            memory: |m| {
                m.status.as_ref().is_some_and(|s| {
                    s.before
                        == Some(PreviousStatus {
                            kind: StatusKind::Online,
                            manual: false,
                        })
                })
            },
            ..Case::default()
        },
        Case {
            name: "tentative block → DND, notice says tentative",
            calendar: vec![block(Tentative, at(10, 0), at(10, 45))],
            write: Some(write_dnd(at(10, 45))),
            notice: Some(vec!["a tentative block", "until 11:45"]),
            ..Case::default()
        },
        Case {
            name: "busy with busy status away → Away (no end time)",
            calendar: busy_10_11(),
            settings: Settings {
                busy_status: BusyStatus::Away,
                ..Settings::default()
            },
            write: Some(StatusWrite::Away),
            notice: Some(vec!["**Away**"]),
            ..Case::default()
        },
        Case {
            name: "back-to-back and overlapping blocks → DND until the end of the whole run",
            calendar: vec![
                block(Busy, at(10, 0), at(11, 0)),
                block(Busy, at(11, 0), at(12, 0)),
                block(Tentative, at(11, 30), at(12, 30)),
                block(Busy, at(14, 0), at(15, 0)),
            ],
            write: Some(write_dnd(at(12, 30))),
            notice: Some(vec!["until 13:30"]),
            ..Case::default()
        },
        Case {
            name: "block ending at an odd second → DND end rounded up to the minute",
            calendar: vec![block(
                Busy,
                at(10, 0),
                at(11, 0) + chrono::TimeDelta::seconds(20),
            )],
            write: Some(write_dnd(at(11, 1))),
            notice: Some(vec!["until 12:01"]),
            ..Case::default()
        },
        Case {
            name: "free again, status still the bot's DND, was online → online",
            status: dnd_until(at(10, 15)),
            before: bot_set_dnd(at(9, 0), at(10, 15), (StatusKind::Online, false)),
            write: Some(StatusWrite::Online),
            notice: Some(vec!["free again", "back to **Online**"]),
            memory: |m| m.status.is_none(),
            ..Case::default()
        },
        Case {
            name: "free again, was away by choice → away again",
            status: dnd_until(at(10, 15)),
            before: bot_set_dnd(at(9, 0), at(10, 15), (StatusKind::Away, true)),
            write: Some(StatusWrite::Away),
            notice: Some(vec!["back to **Away**"]),
            ..Case::default()
        },
        Case {
            name: "free again, was away automatically (idle) → online",
            status: dnd_until(at(10, 15)),
            before: bot_set_dnd(at(9, 0), at(10, 15), (StatusKind::Away, false)),
            write: Some(StatusWrite::Online),
            notice: Some(vec!["back to **Online**"]),
            ..Case::default()
        },
        Case {
            name: "free again, but the person switched to online themselves → nothing",
            status: status(StatusKind::Online, false),
            before: bot_set_dnd(at(9, 0), at(10, 15), (StatusKind::Away, true)),
            memory: |m| m.status.is_none(),
            ..Case::default()
        },
        Case {
            name: "free again, person set their own DND (other end time) → nothing",
            status: dnd_until(at(16, 0)),
            before: bot_set_dnd(at(9, 0), at(10, 15), (StatusKind::Online, false)),
            memory: |m| m.status.is_none(),
            ..Case::default()
        },
        Case {
            name: "same busy run, person went back to online by hand → not overridden",
            calendar: busy_10_11(),
            status: status(StatusKind::Online, false),
            before: bot_set_dnd(at(10, 0), at(11, 0), (StatusKind::Online, false)),
            memory: |m| {
                m.status
                    .as_ref()
                    .is_some_and(|s| s.run == RunKey::new(RunKind::Busy, at(10, 0)))
            },
            ..Case::default()
        },
        Case {
            name: "same busy run, bot's DND still in place → not written twice",
            calendar: busy_10_11(),
            status: dnd_until(at(11, 0)),
            before: bot_set_dnd(at(10, 0), at(11, 0), (StatusKind::Online, false)),
            ..Case::default()
        },
        Case {
            name: "same busy run grew (meeting appended), bot's DND in place → end moved",
            calendar: vec![
                block(Busy, at(10, 0), at(11, 0)),
                block(Busy, at(11, 0), at(12, 0)),
            ],
            status: dnd_until(at(11, 0)),
            before: bot_set_dnd(at(10, 0), at(11, 0), (StatusKind::Online, false)),
            write: Some(write_dnd(at(12, 0))),
            notice: Some(vec!["now lasts until 13:00"]),
            memory: |m| {
                m.status.as_ref().is_some_and(|s| {
                    s.before
                        == Some(PreviousStatus {
                            kind: StatusKind::Online,
                            manual: false,
                        })
                })
            },
            ..Case::default()
        },
        Case {
            name: "a new busy run while the previous run's DND is still the bot's → DND again, keeps what came before",
            calendar: vec![block(Busy, at(10, 20), at(11, 0))],
            status: dnd_until(at(10, 15)),
            before: bot_set_dnd(at(9, 0), at(10, 15), (StatusKind::Away, true)),
            write: Some(write_dnd(at(11, 0))),
            notice: Some(vec!["**Do Not Disturb** until 12:00"]),
            memory: |m| {
                m.status.as_ref().is_some_and(|s| {
                    s.before
                        == Some(PreviousStatus {
                            kind: StatusKind::Away,
                            manual: true,
                        })
                        && s.run == RunKey::new(RunKind::Busy, at(10, 20))
                })
            },
            ..Case::default()
        },
        Case {
            name: "a new busy run after the person overrode the previous one → DND for the new event",
            calendar: vec![block(Busy, at(10, 20), at(11, 0))],
            status: status(StatusKind::Online, false),
            before: bot_set_dnd(at(9, 0), at(10, 15), (StatusKind::Online, false)),
            write: Some(write_dnd(at(11, 0))),
            notice: Some(vec!["**Do Not Disturb**"]),
            ..Case::default()
        },
        Case {
            name: "busy, but the person is offline → left alone, looked at again next run",
            calendar: busy_10_11(),
            status: status(StatusKind::Offline, true),
            memory: |m| m.status.is_none(),
            ..Case::default()
        },
        Case {
            name: "busy, Mattermost out-of-office (auto-responder) → left alone",
            calendar: busy_10_11(),
            status: status(StatusKind::OutOfOffice, true),
            memory: |m| m.status.is_none(),
            ..Case::default()
        },
        Case {
            name: "busy, person already in DND by choice → nothing set, nothing restored later",
            calendar: busy_10_11(),
            status: status(StatusKind::Dnd, true),
            memory: |m| m.status.as_ref().is_some_and(|s| s.set.is_none()),
            ..Case::default()
        },
        Case {
            name: "busy with busy status away, person already away → nothing",
            calendar: busy_10_11(),
            status: status(StatusKind::Away, true),
            settings: Settings {
                busy_status: BusyStatus::Away,
                ..Settings::default()
            },
            ..Case::default()
        },
        Case {
            name: "busy, person away by choice → DND, remembers the manual away",
            calendar: busy_10_11(),
            status: status(StatusKind::Away, true),
            write: Some(write_dnd(at(11, 0))),
            notice: Some(vec!["**Do Not Disturb**"]),
            memory: |m| {
                m.status.as_ref().is_some_and(|s| {
                    s.before
                        == Some(PreviousStatus {
                            kind: StatusKind::Away,
                            manual: true,
                        })
                })
            },
            ..Case::default()
        },
        Case {
            name: "paused → nothing changes in Mattermost and the memory stays as it was",
            calendar: vec![
                block(Busy, at(10, 0), at(11, 0)),
                block(WorkingElsewhere, at(8, 0), at(17, 0)),
            ],
            settings: Settings {
                paused_until: Some(at(12, 0)),
                ..Settings::default()
            },
            memory: |m| *m == Memory::default(),
            ..Case::default()
        },
        Case {
            name: "pause over (paused_until in the past) → rules apply again",
            calendar: busy_10_11(),
            settings: Settings {
                paused_until: Some(at(10, 0)),
                ..Settings::default()
            },
            write: Some(write_dnd(at(11, 0))),
            notice: Some(vec!["**Do Not Disturb**"]),
            ..Case::default()
        },
        Case {
            name: "busy status off → no status change",
            calendar: busy_10_11(),
            settings: Settings {
                busy_status: BusyStatus::Off,
                ..Settings::default()
            },
            memory: |m| m.status.is_none(),
            ..Case::default()
        },
        Case {
            name: "out of office, no custom status → 'Out of office' until its end, and unavailable",
            calendar: oof_week(),
            custom_change: Some(CustomStatusChange::Set(CustomStatus::out_of_office(day(
                6, 17,
            )))),
            unavailability: Some(UnavailabilityChange::Upsert {
                span: span(day(2, 0), day(6, 17)),
                replaces: None,
            }),
            notice: Some(vec![
                "“Out of office” until Fri 6 Mar 18:00",
                "shows you out of office",
                "rotations will not pick you",
            ]),
            ..Case::default()
        },
        Case {
            name: "out of office with busy status off → custom status and unavailability still apply",
            calendar: {
                let mut c = oof_week();
                c.push(block(Busy, at(10, 0), at(11, 0)));
                c
            },
            settings: Settings {
                busy_status: BusyStatus::Off,
                ..Settings::default()
            },
            custom_change: Some(CustomStatusChange::Set(CustomStatus::out_of_office(day(
                6, 17,
            )))),
            unavailability: Some(UnavailabilityChange::Upsert {
                span: span(day(2, 0), day(6, 17)),
                replaces: None,
            }),
            notice: Some(vec!["Out of office"]),
            ..Case::default()
        },
        Case {
            name: "out of office, person has their own custom status → kept; still unavailable",
            calendar: oof_week(),
            custom: Some(own_custom(None)),
            unavailability: Some(UnavailabilityChange::Upsert {
                span: span(day(2, 0), day(6, 17)),
                replaces: None,
            }),
            notice: Some(vec!["rotations will not pick you"]),
            memory: |m| m.custom_status.as_ref().is_some_and(|c| c.set.is_none()),
            ..Case::default()
        },
        Case {
            name: "out of office, person's own custom status has expired → bot sets its own",
            calendar: oof_week(),
            custom: Some(own_custom(Some(at(9, 0)))),
            custom_change: Some(CustomStatusChange::Set(CustomStatus::out_of_office(day(
                6, 17,
            )))),
            unavailability: Some(UnavailabilityChange::Upsert {
                span: span(day(2, 0), day(6, 17)),
                replaces: None,
            }),
            notice: Some(vec!["Out of office"]),
            ..Case::default()
        },
        Case {
            name: "same out-of-office run, person cleared the bot's custom status → not set again",
            calendar: oof_week(),
            custom: None,
            before: oof_memory(
                day(2, 0),
                day(6, 17),
                Some(CustomStatus::out_of_office(day(6, 17))),
            ),
            ..Case::default()
        },
        Case {
            name: "same out-of-office run, bot's custom status in place → nothing twice",
            calendar: oof_week(),
            custom: Some(CustomStatus::out_of_office(day(6, 17))),
            before: oof_memory(
                day(2, 0),
                day(6, 17),
                Some(CustomStatus::out_of_office(day(6, 17))),
            ),
            ..Case::default()
        },
        Case {
            name: "out of office extended by a day → custom status and unavailability follow",
            calendar: vec![block(OutOfOffice, day(2, 0), day(7, 17))],
            custom: Some(CustomStatus::out_of_office(day(6, 17))),
            before: oof_memory(
                day(2, 0),
                day(6, 17),
                Some(CustomStatus::out_of_office(day(6, 17))),
            ),
            custom_change: Some(CustomStatusChange::Set(CustomStatus::out_of_office(day(
                7, 17,
            )))),
            unavailability: Some(UnavailabilityChange::Upsert {
                span: span(day(2, 0), day(7, 17)),
                replaces: Some(span(day(2, 0), day(6, 17))),
            }),
            notice: Some(vec!["until Sat 7 Mar 18:00"]),
            ..Case::default()
        },
        Case {
            name: "out of office over, bot's custom status still there → cleared; unavailability kept as history",
            calendar: vec![],
            custom: Some(CustomStatus::out_of_office(at(9, 0))),
            before: Memory {
                custom_status: Some(CustomStatusMemory {
                    run: RunKey::new(RunKind::OutOfOffice, day(1, 0)),
                    set: Some(CustomStatus::out_of_office(at(9, 0))),
                }),
                unavailability: Some(span(day(1, 0), at(9, 0))),
                ..Memory::default()
            },
            custom_change: Some(CustomStatusChange::Clear),
            notice: Some(vec!["cleared the “Out of office” custom status"]),
            memory: |m| m.custom_status.is_none() && m.unavailability.is_none(),
            ..Case::default()
        },
        Case {
            name: "out of office removed from the calendar before it ended → unavailability removed",
            calendar: vec![],
            custom: Some(own_custom(None)),
            before: oof_memory(day(2, 0), day(6, 17), None),
            unavailability: Some(UnavailabilityChange::Remove {
                span: span(day(2, 0), day(6, 17)),
            }),
            notice: Some(vec!["rotations may pick you again"]),
            ..Case::default()
        },
        Case {
            name: "working elsewhere → custom status only, no status, no unavailability",
            calendar: vec![block(WorkingElsewhere, at(8, 0), at(17, 0))],
            custom_change: Some(CustomStatusChange::Set(CustomStatus::working_elsewhere(
                at(17, 0),
            ))),
            notice: Some(vec![
                "“Working elsewhere” until 18:00",
                "shows you working elsewhere",
            ]),
            ..Case::default()
        },
        Case {
            name: "custom status off, out of office → unavailability only",
            calendar: oof_week(),
            settings: Settings {
                custom_status: false,
                ..Settings::default()
            },
            unavailability: Some(UnavailabilityChange::Upsert {
                span: span(day(2, 0), day(6, 17)),
                replaces: None,
            }),
            notice: Some(vec!["rotations will not pick you"]),
            ..Case::default()
        },
        Case {
            name: "notices off → the change is made, nothing is sent",
            calendar: busy_10_11(),
            settings: Settings {
                notices: false,
                ..Settings::default()
            },
            write: Some(write_dnd(at(11, 0))),
            ..Case::default()
        },
        Case {
            name: "free calendar, nothing remembered → nothing",
            calendar: vec![block(Free, at(10, 0), at(11, 0))],
            ..Case::default()
        },
    ]
}

#[test]
fn every_rule_row_decides_as_expected() {
    let mut failures = Vec::new();
    for case in cases() {
        let input = RuleInput {
            now: now(),
            settings: case.settings.clone(),
            status: case.status,
            custom_status: case.custom.clone(),
            memory: case.before.clone(),
            view: CalendarView::at(&case.calendar, now()),
            tz: chrono_tz::Europe::Berlin,
        };
        let d = decide(&input);
        let mut problems = Vec::new();
        if d.status != case.write {
            problems.push(format!(
                "status write {:?}, expected {:?}",
                d.status, case.write
            ));
        }
        if d.custom_status != case.custom_change {
            problems.push(format!(
                "custom status {:?}, expected {:?}",
                d.custom_status, case.custom_change
            ));
        }
        if d.unavailability != case.unavailability {
            problems.push(format!(
                "unavailability {:?}, expected {:?}",
                d.unavailability, case.unavailability
            ));
        }
        match (&d.notice, &case.notice) {
            (None, None) => {}
            (Some(n), Some(parts)) => {
                let text = n.text();
                for part in parts {
                    if !text.contains(part) {
                        problems.push(format!("notice lacks {part:?}: {text}"));
                    }
                }
                if n.changes.len()
                    != [
                        d.status.is_some(),
                        d.custom_status.is_some(),
                        d.unavailability.is_some(),
                    ]
                    .iter()
                    .filter(|c| **c)
                    .count()
                {
                    problems.push(format!(
                        "notice should list each change once: {:?}",
                        n.changes
                    ));
                }
            }
            (got, want) => {
                problems.push(format!("notice {got:?}, expected one: {}", want.is_some()))
            }
        }
        if !(case.memory)(&d.memory) {
            problems.push(format!("memory check failed: {:?}", d.memory));
        }
        // Running the same input again with the new memory and the status as written must be quiet.
        if d.changes_anything() && !case.settings.is_paused(now()) {
            let mut again = input.clone();
            again.memory = d.memory.clone();
            if let Some(w) = d.status {
                again.status = MattermostStatus {
                    kind: w.kind(),
                    manual: w.kind() != StatusKind::Online,
                    dnd_end_time: match w {
                        StatusWrite::Dnd { until } => until,
                        _ => None,
                    },
                };
            }
            match &d.custom_status {
                Some(CustomStatusChange::Set(c)) => again.custom_status = Some(c.clone()),
                Some(CustomStatusChange::Clear) => again.custom_status = None,
                None => {}
            }
            let second = decide(&again);
            if second.changes_anything() || second.notice.is_some() {
                problems.push(format!("second run is not quiet: {second:?}"));
            }
        }
        if !problems.is_empty() {
            failures.push(format!("{}:\n  {}", case.name, problems.join("\n  ")));
        }
    }
    assert!(
        failures.is_empty(),
        "{} rows failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn notices_never_contain_the_subject() {
    let secret = "Confidential merger talk";
    let blocks = vec![
        Block::new(span(at(10, 0), at(11, 0)), Availability::Busy)
            .with_subject(Some(secret.into())),
    ];
    let input = RuleInput {
        now: now(),
        settings: Settings::default(),
        status: status(StatusKind::Online, false),
        custom_status: None,
        memory: Memory::default(),
        view: CalendarView::at(&blocks, now()),
        tz: chrono_tz::UTC,
    };
    let d = decide(&input);
    let text = d.notice.unwrap().text();
    assert!(text.contains("until 11:00"), "{text}");
    assert!(!text.contains(secret));
    assert!(!format!("{:?}", blocks[0]).contains(secret));
}

#[test]
fn memory_round_trips_through_json() {
    let mut m = bot_set_dnd(at(10, 0), at(11, 0), (StatusKind::Away, true));
    m.custom_status = oof_memory(
        day(2, 0),
        day(6, 17),
        Some(CustomStatus::out_of_office(day(6, 17))),
    )
    .custom_status;
    m.unavailability = Some(span(day(2, 0), day(6, 17)));
    let json = serde_json::to_string(&m).unwrap();
    assert_eq!(serde_json::from_str::<Memory>(&json).unwrap(), m);
    assert!(
        serde_json::from_str::<Span>(
            r#"{"start":"2026-03-02T10:00:00Z","end":"2026-03-02T09:00:00Z"}"#
        )
        .is_err()
    );
}
