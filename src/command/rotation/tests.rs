use super::super::{Command, ParseErrorKind, parse};
use super::*;

fn rot(text: &str) -> RotationCommand {
    match parse(text).unwrap().command {
        Command::Rotation(r) => r,
        other => panic!("{text}: {other:?}"),
    }
}

fn name(s: &str) -> RotationName {
    RotationName::parse(s).unwrap()
}

#[test]
fn new_applies_static_defaults_and_leaves_contextual_ones_open() {
    let RotationCommand::New(n) = rot("rotation new ICE") else {
        panic!()
    };
    assert_eq!(n.name, name("ICE"));
    assert_eq!(
        (n.period, n.task_type, n.fuzz, n.fill_type),
        (Period::Weekly, TaskType::Shift, 0, FillType::SolarLottery)
    );
    assert_eq!((n.beginning, n.seed, n.tz), (None, None, None));
}

#[test]
fn new_reads_every_flag_in_both_styles() {
    let RotationCommand::New(n) = rot(
        "rotation new SET --period=monthly --beginning 2026-03-02T09:00 --task-type=ticket --seed 42 --fuzz=2 --tz europe/berlin --fill-type solar-lottery",
    ) else {
        panic!()
    };
    assert_eq!(n.period, Period::Monthly);
    assert_eq!(
        n.beginning,
        Some(DateTimeArg::parse("2026-03-02T09:00").unwrap())
    );
    assert_eq!(
        (n.task_type, n.seed, n.fuzz),
        (TaskType::Ticket, Some(42), 2)
    );
    assert_eq!(n.tz, Some(chrono_tz::Europe::Berlin));
    let RotationCommand::New(n) = rot("rotation new X --period 3d") else {
        panic!()
    };
    assert_eq!(n.period, Period::Every(TimeDelta::days(3)));
}

#[test]
fn new_rejects_bad_values_naming_the_flag() {
    for (text, needle) in [
        ("rotation new ICE --period fortnight", "`--period`"),
        ("rotation new ICE --fuzz 101", "`101`"),
        ("rotation new ICE --seed -1", "`-1`"),
        ("rotation new ICE --task-type shfit", "`shfit`"),
        ("rotation new ICE --fill-type queue", "`queue`"),
        ("rotation new ICE --tz Europe/Berln", "Europe/Berlin"),
        ("rotation new \"I C E\"", "`I C E`"),
    ] {
        let err = parse(text).unwrap_err();
        assert!(err.to_string().contains(needle), "{text}: {err}");
    }
    assert!(matches!(
        parse("rotation new").unwrap_err().kind(),
        ParseErrorKind::MissingArgument { .. }
    ));
}

#[test]
fn single_rotation_commands_take_a_positional_or_the_flag() {
    assert_eq!(
        rot("rotation show ICE"),
        RotationCommand::Show {
            rotation: name("ICE"),
            members: false
        }
    );
    assert_eq!(
        rot("rotation show ICE --members"),
        RotationCommand::Show {
            rotation: name("ICE"),
            members: true
        }
    );
    assert_eq!(
        rot("rotation show -r ICE"),
        RotationCommand::Show {
            rotation: name("ICE"),
            members: false
        }
    );
    assert_eq!(
        rot("rotation archive --rotation=ICE"),
        RotationCommand::Archive(name("ICE"))
    );
    assert_eq!(
        rot("rotation autopilot ICE"),
        RotationCommand::Autopilot(name("ICE"))
    );
    assert_eq!(rot("rotation list"), RotationCommand::List);
    let err = parse("rotation show -r ICE SET").unwrap_err();
    assert!(
        matches!(err.kind(), ParseErrorKind::UnexpectedArgument { token, .. } if token == "SET")
    );
    assert!(parse("rotation list extra").is_err());
    assert!(parse("rotation show ICE @bob").is_err());
}

#[test]
fn owners_need_mentions() {
    assert_eq!(
        rot("rotation owner add ICE @Alice @bob @alice"),
        RotationCommand::OwnerAdd {
            rotation: name("ICE"),
            users: vec![
                UserRef::parse("alice").unwrap(),
                UserRef::parse("bob").unwrap()
            ]
        }
    );
    assert!(matches!(
        rot("rotation owner remove @bob ICE"),
        RotationCommand::OwnerRemove { .. }
    ));
    let err = parse("rotation owner add ICE").unwrap_err();
    assert!(err.to_string().contains("`@user`"), "{err}");
}
