//! Property tests for the `/lotto` grammar: nothing a user can type makes the parser panic, every
//! error is a readable sentence that names what it did not understand, and valid commands survive
//! a round trip through their canonical text.

use chrono::{NaiveDate, NaiveTime, TimeDelta};
use proptest::prelude::*;
use solar_lottery::command::lexer::{quote, sanitize};
use solar_lottery::command::{
    Command, DateTimeArg, NeedAction, ParseError, ParseErrorKind, RotationCommand, RotationName,
    Summary, TaskCommand, TaskRef, UnavailableChange, UserCommand, UserRef, Who, ZoneSpec, parse,
};
use solar_lottery::lottery::{SkillLevel, format_duration, parse_duration};

/// A readable sentence: starts with a capital letter or a backtick, ends with punctuation.
fn assert_sentence(err: &ParseError, input: &str) {
    let msg = err.to_string();
    let first = msg.chars().next();
    assert!(
        first.is_some_and(|c| c.is_uppercase() || c == '`'),
        "{input:?} gave an error that does not start a sentence: {msg:?}"
    );
    assert!(
        msg.ends_with(['.', '?', '!']),
        "{input:?} gave an error without final punctuation: {msg:?}"
    );
    assert!(!err.usage().is_empty(), "{input:?}: no usage for {msg:?}");
    assert!(err.to_markdown().contains(err.usage()));
}

/// When the input has no quotes or escapes, the text an error complains about is in the input.
fn assert_names_input(err: &ParseError, input: &str) {
    if input.contains(['"', '“', '”', '\\', '`']) {
        return;
    }
    let named = match err.kind() {
        ParseErrorKind::UnknownCommand { word, .. } => word,
        ParseErrorKind::UnknownFlag { flag, .. } => flag,
        ParseErrorKind::UnexpectedArgument { token, .. } => token,
        ParseErrorKind::MissingSubcommand { token, .. } => token,
        _ => return,
    };
    let named = named.trim_end_matches('…');
    assert!(
        sanitize(input)
            .to_lowercase()
            .contains(&named.to_lowercase()),
        "{input:?}: the error names {named:?}, which is not in the input: {err}"
    );
}

fn check(input: &str) {
    if let Err(err) = parse(input) {
        assert_sentence(&err, input);
        assert_names_input(&err, input);
    }
}

const PIECES: &[&str] = &[
    "rotation",
    "task",
    "user",
    "skill",
    "calendar",
    "info",
    "help",
    "new",
    "list",
    "show",
    "archive",
    "autopilot",
    "set",
    "fill",
    "require",
    "limit",
    "owner",
    "add",
    "remove",
    "shift",
    "ticket",
    "assign",
    "unassign",
    "schedule",
    "start",
    "finish",
    "join",
    "leave",
    "qualify",
    "disqualify",
    "unavailable",
    "delete",
    "connect",
    "graph",
    "ics",
    "disconnect",
    "busy",
    "notices",
    "custom-status",
    "pause",
    "resume",
    "sync",
    "consent-url",
    "--json",
    "--now",
    "--help",
    "-h",
    "-r",
    "--rotation",
    "--period",
    "--beginning",
    "--task-type",
    "--seed",
    "--fuzz",
    "--tz",
    "--fill-type",
    "--off",
    "--create",
    "--create-prior",
    "--schedule",
    "--start-finish",
    "--remind-start-prior",
    "-s",
    "--skill",
    "--skills",
    "--count",
    "--clear",
    "--all",
    "--duration",
    "--grace",
    "-n",
    "--number",
    "--summary",
    "-f",
    "--force",
    "--starting",
    "--start",
    "--finish",
    "ICE",
    "ICE#3",
    "#",
    "@bob",
    "@",
    "@a,@b",
    "@a,b",
    "2026-03-01",
    "2026-03-01T09:00",
    "2026-03-29T02:30",
    "2026-03-01T09:00[Europe/Berlin]",
    "today",
    "now",
    "1h30m",
    "3d",
    "0",
    "-1",
    "99999999999999999999",
    "weekly",
    "webapp-2,server",
    "any",
    "on",
    "off",
    "dnd",
    "https://x.org/a.ics",
    "a@b.org",
    "\"",
    "“",
    "”",
    "\\",
    "=",
    ",",
    "--",
    "-",
    "é",
    "🦀",
    "\u{0}",
    "\u{202e}",
    "true",
    "false",
    "=true",
    "=maybe",
];

fn soup() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        8 => proptest::sample::select(PIECES).prop_map(str::to_string),
        1 => "\\PC{0,8}",
        1 => ".{0,4}",
    ];
    let sep = proptest::sample::select(&[" ", " ", " ", "", "=", "\t", "\u{a0}"][..]);
    let tail = prop::collection::vec((piece, sep), 0..16).prop_map(|parts| {
        parts
            .into_iter()
            .map(|(p, s)| format!("{p}{s}"))
            .collect::<String>()
    });
    // Mostly start with a real command, so the soup reaches each command's own argument handling.
    let path = prop_oneof![
        3 => proptest::sample::select(PATHS).prop_map(|p| format!("{p} ")),
        1 => Just(String::new()),
    ];
    (path, tail).prop_map(|(p, t)| p + &t)
}

const PATHS: &[&str] = &[
    "info",
    "help",
    "rotation new",
    "rotation list",
    "rotation show",
    "rotation archive",
    "rotation autopilot",
    "rotation set autopilot",
    "rotation set fill",
    "rotation set require",
    "rotation set limit",
    "rotation set task",
    "rotation owner add",
    "rotation owner remove",
    "task new shift",
    "task new ticket",
    "task assign",
    "task unassign",
    "task fill",
    "task schedule",
    "task start",
    "task finish",
    "task show",
    "task list",
    "user join",
    "user leave",
    "user qualify",
    "user disqualify",
    "user show",
    "user unavailable",
    "skill list",
    "skill new",
    "skill delete",
    "calendar connect graph",
    "calendar connect ics",
    "calendar disconnect",
    "calendar show",
    "calendar set busy",
    "calendar set notices",
    "calendar set custom-status",
    "calendar pause",
    "calendar resume",
    "calendar sync",
    "calendar consent-url",
];

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_text_never_panics_and_errors_are_sentences(input in any::<String>()) {
        check(&input);
    }

    #[test]
    fn token_soups_never_panic_and_errors_name_the_input(input in soup()) {
        check(&input);
    }
}

#[test]
fn hand_picked_nasty_inputs_never_panic_and_errors_name_them() {
    let long_word = "x".repeat(5000);
    let many_mentions = "@a ".repeat(99);
    for input in [
        "\"",
        "“",
        "\\",
        "\"\\",
        "--",
        "-",
        "--=",
        "-=",
        "--now",
        "--now=",
        "--json=",
        "@",
        "@,",
        ",@",
        "#",
        "rotation new \"\"",
        "rotation new ICE --period=",
        "rotation new ICE --seed=18446744073709551616",
        "task fill \"ICE#3\"",
        "task fill ICE#",
        "user qualify -s ,,,",
        "user join ICE @a,,@b",
        "calendar connect ics \"https://x.org/a b\"",
        long_word.as_str(),
        many_mentions.as_str(),
        "help help help",
        "rotation help set help",
        "\u{feff}info",
        "info\u{0}",
    ] {
        check(input);
    }
}

// ---- round trips -------------------------------------------------------------------------------

fn rotation_name() -> impl Strategy<Value = RotationName> {
    "[A-Za-z0-9_.][A-Za-z0-9_.-]{0,63}".prop_map(|s| RotationName::parse(&s).unwrap())
}

fn user_ref() -> impl Strategy<Value = UserRef> {
    "[a-z0-9_.-]{1,20}".prop_map(|s| UserRef::parse(&s).unwrap())
}

fn users() -> impl Strategy<Value = Vec<UserRef>> {
    prop::collection::vec(user_ref(), 1..4).prop_map(|mut v| {
        let mut seen = Vec::new();
        v.retain(|u| {
            let fresh = !seen.contains(u);
            seen.push(u.clone());
            fresh
        });
        v
    })
}

fn duration() -> impl Strategy<Value = TimeDelta> {
    (0i64..=10 * 365 * 86400).prop_map(TimeDelta::seconds)
}

fn datetime() -> impl Strategy<Value = DateTimeArg> {
    let date = (1900i32..=2999, 1u32..=12, 1u32..=28)
        .prop_map(|(y, m, d)| NaiveDate::from_ymd_opt(y, m, d).unwrap());
    let time = prop::option::of(
        (
            0u32..24,
            0u32..60,
            0u32..60,
            prop::bool::ANY,
            0u32..1_000_000_000,
        )
            .prop_map(|(h, m, s, frac, n)| {
                NaiveTime::from_hms_nano_opt(h, m, s, if frac { n } else { 0 }).unwrap()
            }),
    );
    let zone = prop_oneof![
        Just(ZoneSpec::Acting),
        Just(ZoneSpec::Utc),
        (1i32..=(23 * 60 + 59), prop::bool::ANY).prop_map(|(mins, east)| {
            let secs = mins * 60 * if east { 1 } else { -1 };
            ZoneSpec::Offset(chrono::FixedOffset::east_opt(secs).unwrap())
        }),
        proptest::sample::select(chrono_tz::TZ_VARIANTS.as_slice())
            .prop_filter("UTC is written Z", |tz| *tz != chrono_tz::UTC)
            .prop_map(ZoneSpec::Named),
    ];
    prop_oneof![
        1 => prop_oneof![Just(DateTimeArg::Now), Just(DateTimeArg::Today), Just(DateTimeArg::Tomorrow)],
        6 => (date, time, zone).prop_map(|(date, time, zone)| DateTimeArg::At { date, time, zone }),
    ]
}

fn summary() -> impl Strategy<Value = Summary> {
    prop_oneof!["\\PC{1,200}", "[ a-z\"“”\\\\@-]{1,40}"]
        .prop_filter_map("needs text", |s| Summary::parse(&s).ok())
}

/// Joins token groups in a shuffled order: each group is a flag with its value, a mention, or the
/// single positional, so order must not matter.
fn shuffled(head: &str, groups: Vec<String>) -> impl Strategy<Value = String> {
    let head = head.to_string();
    Just(groups)
        .prop_shuffle()
        .prop_map(move |g| format!("{head} {}", g.join(" ")))
}

fn flag(name: &str, value: &str, inline: bool) -> String {
    if inline {
        format!("--{name}={value}")
    } else {
        format!("--{name} {value}")
    }
}

/// (typed text, the command it must parse to)
fn valid_command() -> impl Strategy<Value = (String, Command)> {
    let new_ticket = (
        rotation_name(),
        prop::option::of(summary()),
        prop::bool::ANY,
    )
        .prop_flat_map(|(rotation, summary, inline)| {
            let mut groups = vec![quote(rotation.as_str())];
            if let Some(s) = &summary {
                groups.push(flag("summary", &quote(s.as_str()), inline));
            }
            let cmd = Command::Task(TaskCommand::NewTicket { rotation, summary });
            shuffled("task new ticket", groups).prop_map(move |t| (t, cmd.clone()))
        });
    let assign = (rotation_name(), 0i64..1000, users(), prop::bool::ANY).prop_flat_map(
        |(rotation, number, users, force)| {
            let task = TaskRef { rotation, number };
            let mut groups = vec![quote(&task.to_string())];
            // Mentions keep their relative order (it is the order of `users`), so one group.
            groups.push(
                users
                    .iter()
                    .map(|u| format!("@{u}"))
                    .collect::<Vec<_>>()
                    .join(" "),
            );
            if force {
                groups.push("-f".into());
            }
            let cmd = Command::Task(TaskCommand::Assign { task, users, force });
            shuffled("task assign", groups).prop_map(move |t| (t, cmd.clone()))
        },
    );
    let unavailable = (
        prop::collection::vec(user_ref(), 0..3),
        datetime(),
        datetime(),
        prop::bool::ANY,
    )
        .prop_flat_map(|(mentioned, start, finish, inline)| {
            let mut mentioned_unique: Vec<UserRef> = Vec::new();
            for u in mentioned {
                if !mentioned_unique.contains(&u) {
                    mentioned_unique.push(u);
                }
            }
            let mut groups = vec![
                mentioned_unique
                    .iter()
                    .map(|u| format!("@{u}"))
                    .collect::<Vec<_>>()
                    .join(" "),
            ];
            groups.push(flag("start", &start.to_string(), inline));
            groups.push(flag("finish", &finish.to_string(), !inline));
            let cmd = Command::User(UserCommand::Unavailable {
                who: Who::from_mentions(mentioned_unique),
                change: UnavailableChange::Add { start, finish },
            });
            shuffled("user unavailable", groups).prop_map(move |t| (t, cmd.clone()))
        });
    let require = (
        rotation_name(),
        prop::collection::vec(("[a-z_.]{1,10}", 1u8..=4), 1..4),
        1u32..=1000,
    )
        .prop_filter_map("no reserved names", |(rotation, skills, count)| {
            let skills: Vec<SkillLevel> = skills
                .into_iter()
                .map(|(name, level)| format!("{name}-{level}").parse().ok())
                .collect::<Option<Vec<_>>>()?;
            let mut unique: Vec<SkillLevel> = Vec::new();
            for s in skills {
                if !unique.contains(&s) {
                    unique.push(s);
                }
            }
            Some((rotation, unique, count))
        })
        .prop_flat_map(|(rotation, skills, count)| {
            let list: Vec<String> = skills.iter().map(SkillLevel::to_input).collect();
            let groups = vec![
                format!("-r {}", quote(rotation.as_str())),
                format!("-s {}", list.join(",")),
                format!("--count={count}"),
            ];
            let cmd = Command::Rotation(RotationCommand::SetRequire(
                solar_lottery::command::NeedChange {
                    rotation,
                    skills,
                    action: NeedAction::Count(count),
                },
            ));
            shuffled("rotation set require", groups).prop_map(move |t| (t, cmd.clone()))
        });
    let set_task = (rotation_name(), prop::option::of(duration()), duration()).prop_flat_map(
        |(rotation, d, grace)| {
            let mut groups = vec![
                quote(rotation.as_str()),
                flag("grace", &format_duration(grace), false),
            ];
            if let Some(d) = d {
                groups.push(flag("duration", &format_duration(d), true));
            }
            let cmd = Command::Rotation(RotationCommand::SetTask {
                rotation,
                duration: d,
                grace: Some(grace),
            });
            shuffled("rotation set task", groups).prop_map(move |t| (t, cmd.clone()))
        },
    );
    prop_oneof![new_ticket, assign, unavailable, require, set_task]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 500, ..ProptestConfig::default() })]

    #[test]
    fn valid_commands_parse_to_what_was_typed_and_round_trip(
        (text, expected) in valid_command(),
        json in prop::bool::ANY,
        now in prop::option::of(datetime()),
    ) {
        let mut typed = text.clone();
        if json {
            typed = format!("--json {typed}");
        }
        if let Some(now) = &now {
            typed.push_str(&format!(" --now {now}"));
        }
        let parsed = parse(&typed).map_err(|e| TestCaseError::fail(format!("{typed}: {e}")))?;
        prop_assert_eq!(&parsed.command, &expected, "{}", typed);
        prop_assert_eq!(parsed.json, json);
        prop_assert_eq!(parsed.now, now);
        let canonical = parsed.to_input();
        let again = parse(&canonical).map_err(|e| TestCaseError::fail(format!("{canonical}: {e}")))?;
        prop_assert_eq!(again, parsed, "{}", canonical);
    }

    #[test]
    fn datetimes_round_trip_through_their_display(dt in datetime()) {
        prop_assert_eq!(DateTimeArg::parse(&dt.to_string()), Ok(dt));
    }

    #[test]
    fn resolving_never_panics_and_keeps_the_wall_clock(
        dt in datetime(),
        user_tz in proptest::sample::select(chrono_tz::TZ_VARIANTS.as_slice()),
        now_secs in 0i64..4_000_000_000,
    ) {
        let now = chrono::DateTime::from_timestamp(now_secs, 0).unwrap();
        let resolved = dt.resolve(user_tz, now);
        if let (Ok(instant), DateTimeArg::At { date, time: Some(time), zone }) = (&resolved, dt) {
            let wall = match zone {
                ZoneSpec::Acting => instant.with_timezone(&user_tz).naive_local(),
                ZoneSpec::Named(tz) => instant.with_timezone(&tz).naive_local(),
                ZoneSpec::Utc => instant.naive_utc(),
                ZoneSpec::Offset(o) => instant.with_timezone(&o).naive_local(),
            };
            prop_assert_eq!(wall, date.and_time(time));
        }
        if let Err(e) = resolved {
            prop_assert!(!e.to_string().is_empty());
        }
    }

    #[test]
    fn durations_round_trip_through_their_text(d in duration()) {
        prop_assert_eq!(parse_duration(&format_duration(d)), Ok(d));
    }
}
