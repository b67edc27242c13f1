use super::super::{Command, RotationCommand, parse};
use super::*;

fn presence(text: &str) -> PresenceChange {
    match parse(text).unwrap().command {
        Command::Rotation(RotationCommand::SetPresence { change, .. }) => change,
        other => panic!("{other:?}"),
    }
}

fn oncall(text: &str) -> OncallChange {
    match parse(text).unwrap().command {
        Command::Rotation(RotationCommand::SetOncallStatus { change, .. }) => change,
        other => panic!("{other:?}"),
    }
}

fn error(text: &str) -> String {
    parse(text).unwrap_err().to_string()
}

#[test]
fn who_takes_an_optional_rotation() {
    assert_eq!(parse("who").unwrap().command, Command::Who(None));
    let one = Command::Who(Some(RotationName::parse("ICE").unwrap()));
    assert_eq!(parse("who ICE").unwrap().command, one);
    assert_eq!(parse("who -r ICE --json").unwrap().command, one);
    assert!(parse("who ICE OPS").is_err());
}

#[test]
fn presence_takes_a_duration_from_a_minute_to_a_week_and_a_channel() {
    assert_eq!(
        presence("rotation set presence ICE --absent-after 15m --channel ~Town-Square"),
        PresenceChange::On {
            absent_after: TimeDelta::minutes(15),
            channel: Some("town-square".into())
        }
    );
    assert_eq!(
        presence("rotation set presence ICE --absent-after 7d"),
        PresenceChange::On {
            absent_after: TimeDelta::days(7),
            channel: None
        }
    );
    assert_eq!(
        presence("rotation set presence ICE --off"),
        PresenceChange::Off
    );
    for (text, says) in [
        (
            "rotation set presence ICE --absent-after 59s",
            "out of range",
        ),
        (
            "rotation set presence ICE --absent-after 7d1m",
            "out of range",
        ),
        ("rotation set presence ICE --absent-after soon", "duration"),
        (
            "rotation set presence ICE --absent-after 5m --channel ~a/b",
            "not a channel name",
        ),
        (
            "rotation set presence ICE --off --absent-after 5m",
            "can't be used together",
        ),
        ("rotation set presence ICE", "needs at least one of"),
    ] {
        let e = error(text);
        assert!(e.contains(says), "{text}: {e}");
    }
}

#[test]
fn oncall_status_takes_an_emoji_and_at_most_100_characters() {
    assert_eq!(
        oncall(r#"rotation set oncall-status ICE --emoji :Pager: --text "On call: {rotation}""#),
        OncallChange::On {
            emoji: "pager".into(),
            text: "On call: {rotation}".into()
        }
    );
    assert_eq!(
        oncall("rotation set oncall-status ICE --off"),
        OncallChange::Off
    );
    let long = "x".repeat(101);
    for (text, says) in [
        (
            format!("rotation set oncall-status ICE --emoji pager --text {long}"),
            "101 characters",
        ),
        (
            "rotation set oncall-status ICE --emoji pa:ger --text x".into(),
            "not an emoji name",
        ),
        (
            "rotation set oncall-status ICE --emoji pager".into(),
            "`--text`",
        ),
        (
            "rotation set oncall-status ICE --off --emoji pager".into(),
            "can't be used together",
        ),
    ] {
        let e = error(&text);
        assert!(e.contains(says), "{text}: {e}");
    }
    let ok = format!(
        "rotation set oncall-status ICE --emoji pager --text {}",
        "x".repeat(100)
    );
    assert!(parse(&ok).is_ok());
}

#[test]
fn canonical_input_parses_back() {
    for text in [
        "who",
        "who ICE",
        "rotation set presence ICE --absent-after 15m --channel ~ops",
        "rotation set presence ICE --off",
        r#"rotation set oncall-status ICE --emoji pager --text "On call: {rotation}""#,
        "rotation set oncall-status ICE --off",
    ] {
        let inv = parse(text).unwrap();
        assert_eq!(parse(&inv.to_input()).unwrap(), inv, "{text}");
    }
}
