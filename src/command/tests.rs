use super::*;

fn help_topic(text: &str) -> Vec<String> {
    match parse(text).unwrap().command {
        Command::Help { topic, text } => {
            assert!(!text.is_empty());
            topic
        }
        other => panic!("{text}: expected help, got {other:?}"),
    }
}

#[test]
fn help_comes_from_every_spelling() {
    assert!(help_topic("").is_empty());
    assert!(help_topic("   ").is_empty());
    assert!(help_topic("help").is_empty());
    assert!(help_topic("--help").is_empty());
    assert_eq!(help_topic("rotation"), ["rotation"]);
    assert_eq!(help_topic("help rotation"), ["rotation"]);
    assert_eq!(help_topic("rotation help"), ["rotation"]);
    assert_eq!(help_topic("Rotation SET"), ["rotation", "set"]);
    assert_eq!(
        help_topic("help rotation set autopilot"),
        ["rotation", "set", "autopilot"]
    );
    assert_eq!(help_topic("rotation new -h"), ["rotation", "new"]);
    assert_eq!(
        help_topic("rotation new ICE --period nonsense --help"),
        ["rotation", "new"]
    );
    assert_eq!(help_topic("task new"), ["task", "new"]);
    assert_eq!(help_topic("calendar set"), ["calendar", "set"]);
}

#[test]
fn help_text_is_the_usage_of_that_level() {
    let Command::Help { text, .. } = parse("help user").unwrap().command else {
        panic!()
    };
    assert_eq!(Some(text), usage(&["user"]));
}

#[test]
fn global_flags_work_anywhere_on_every_command() {
    let inv = parse("--json rotation list").unwrap();
    assert!(inv.json && inv.now.is_none());
    let inv = parse("rotation --now 2026-03-01T09:00Z autopilot ICE").unwrap();
    assert_eq!(
        inv.now,
        Some(DateTimeArg::parse("2026-03-01T09:00Z").unwrap())
    );
    assert!(!inv.json);
    let inv = parse(r#"user show --now="2026-03-01 09:00 Europe/Berlin" --json=true"#).unwrap();
    assert!(inv.json && inv.now.is_some());
    assert!(!parse("info --json=false").unwrap().json);
    assert!(parse("info --json --json").is_err());
    assert!(parse("info --now").is_err());
    let err = parse("info --now=yesterday").unwrap_err();
    assert!(
        err.to_string().contains("`--now`") && err.to_string().contains("`yesterday`"),
        "{err}"
    );
}

#[test]
fn typos_get_suggestions_for_commands_and_flags() {
    let cases = [
        ("rotaton list", "`rotation`"),
        ("rotation shwo ICE", "`show`"),
        ("rotation set autopliot ICE", "`autopilot`"),
        ("rotation new ICE --peroid weekly", "`--period`"),
        ("task list ICE --al", "`--all`"),
        ("info --jsno", "`--json`"),
        ("calender sync", "`calendar`"),
        ("hlep", "`help`"),
    ];
    for (text, suggestion) in cases {
        let err = parse(text).unwrap_err();
        let msg = err.to_string();
        assert!(
            msg.contains(&format!("Did you mean {suggestion}?")),
            "{text}: {msg}"
        );
    }
}

#[test]
fn errors_carry_the_usage_of_their_level() {
    let err = parse("rotation nope").unwrap_err();
    assert_eq!(err.topic(), ["rotation"]);
    assert_eq!(Some(err.usage().to_string()), usage(&["rotation"]));
    let err = parse("rotation new ICE --bogus").unwrap_err();
    assert_eq!(err.topic(), ["rotation", "new"]);
    assert!(err.usage().contains("--period"));
    assert!(
        err.to_markdown()
            .starts_with("**`--bogus` is not a flag of `/lotto rotation new`.**")
    );
    let err = parse("nope").unwrap_err();
    assert!(err.topic().is_empty() && err.usage().contains("/lotto rotation"));
}

#[test]
fn flags_before_the_command_word_are_explained() {
    let err = parse("rotation --period weekly new ICE").unwrap_err();
    assert!(
        matches!(err.kind(), ParseErrorKind::MissingSubcommand { token, .. } if token == "--period"),
        "{err}"
    );
    let err = parse("\"rotation\" list").unwrap_err();
    assert!(
        matches!(err.kind(), ParseErrorKind::MissingSubcommand { .. }),
        "{err}"
    );
}

#[test]
fn limits_are_enforced_with_clear_messages() {
    let err = parse(&"a".repeat(MAX_TEXT_LEN + 1)).unwrap_err();
    assert!(err.to_string().contains("4097 characters"), "{err}");
    let err = parse(&"x ".repeat(MAX_TOKENS + 1)).unwrap_err();
    assert!(
        matches!(err.kind(), ParseErrorKind::TooManyTokens { .. }),
        "{err}"
    );
    let err = parse("task new ticket ICE --summary \"oops").unwrap_err();
    assert!(err.to_string().contains("`\"oops`"), "{err}");
}

#[test]
fn repeated_and_valueless_flags_are_errors() {
    let err = parse("rotation new ICE --fuzz 1 --fuzz=2").unwrap_err();
    assert!(matches!(err.kind(), ParseErrorKind::RepeatedFlag { flag } if flag == "--fuzz"));
    let err = parse("rotation new ICE --period").unwrap_err();
    assert!(err.to_string().contains("`--period=weekly`"), "{err}");
    let err = parse("rotation new ICE --period --fuzz 1").unwrap_err();
    assert!(
        matches!(err.kind(), ParseErrorKind::MissingValue { .. }),
        "{err}"
    );
    let err = parse("task list ICE --all=maybe").unwrap_err();
    assert!(
        matches!(err.kind(), ParseErrorKind::BadSwitch { .. }),
        "{err}"
    );
}

#[test]
fn short_flags_take_values_in_three_spellings() {
    for text in [
        "task new shift ICE -n 4",
        "task new shift ICE -n=4",
        "task new shift ICE -n4",
    ] {
        let Command::Task(TaskCommand::NewShift { number, .. }) = parse(text).unwrap().command
        else {
            panic!("{text}")
        };
        assert_eq!(number, Some(4), "{text}");
    }
}

#[test]
fn quoted_tokens_are_never_flags_or_mentions() {
    let Command::Task(TaskCommand::NewTicket { summary, .. }) =
        parse(r#"task new ticket ICE --summary "--json @bob""#)
            .unwrap()
            .command
    else {
        panic!()
    };
    assert_eq!(summary.unwrap().as_str(), "--json @bob");
    assert!(
        !parse(r#"task new ticket ICE --summary "--json""#)
            .unwrap()
            .json
    );
}

#[test]
fn canonical_text_round_trips() {
    for text in [
        "info",
        "help rotation set",
        "rotation new ICE --period 3d --beginning \"2026-03-02 09:00 Europe/Berlin\" --seed 7 --tz America/New_York",
        "rotation set autopilot ICE --create --create-prior=2w --remind-finish=false",
        "rotation set require ICE -s a-2,b --count 3",
        "rotation set limit ICE --clear",
        "rotation owner add ICE @a @b",
        "task new ticket ICE --summary “say \\\"hi\\\" \\\\ there”",
        "task assign ICE#3 @a -f --json --now today",
        "user qualify @x -s web.app-expert,db",
        "user unavailable @a --clear --start 2026-03-01T09:00+02:00 --finish 2026-03-02",
        "calendar connect ics https://x.org/a.ics?b=1&c=2 @a",
    ] {
        let first = parse(text).unwrap();
        let canonical = first.to_input();
        let second = parse(&canonical).unwrap_or_else(|e| panic!("{canonical}: {e}"));
        assert_eq!(first, second, "{text} -> {canonical}");
        assert_eq!(second.to_input(), canonical);
    }
}
