use super::super::{Command, ParseErrorKind, RotationName, parse};
use super::*;
use chrono::TimeDelta;

fn rot(text: &str) -> RotationCommand {
    match parse(text).unwrap().command {
        Command::Rotation(r) => r,
        other => panic!("{text}: {other:?}"),
    }
}

fn ice() -> RotationName {
    RotationName::parse("ICE").unwrap()
}

#[test]
fn autopilot_changes_only_what_is_given() {
    let RotationCommand::SetAutopilot {
        change: AutopilotChange::Update(s),
        ..
    } = rot("rotation set autopilot ICE --create --create-prior 2w --remind-start=false")
    else {
        panic!()
    };
    assert_eq!(
        s,
        AutopilotUpdate {
            create: Some(true),
            create_prior: Some(TimeDelta::weeks(2)),
            remind_start: Some(false),
            ..Default::default()
        }
    );
    assert_eq!(
        rot("rotation set autopilot ICE --off"),
        RotationCommand::SetAutopilot {
            rotation: ice(),
            change: AutopilotChange::Off
        }
    );
}

#[test]
fn autopilot_rejects_off_with_others_and_nothing_at_all() {
    let err = parse("rotation set autopilot ICE --off --schedule").unwrap_err();
    assert!(
        matches!(err.kind(), ParseErrorKind::Conflict { second, .. } if second == "--schedule"),
        "{err}"
    );
    let err = parse("rotation set autopilot ICE").unwrap_err();
    assert!(
        matches!(err.kind(), ParseErrorKind::NothingToChange { .. }),
        "{err}"
    );
    assert!(parse("rotation set autopilot ICE --create=maybe").is_err());
    assert!(parse("rotation set autopilot ICE --create-prior 1y").is_err());
}

#[test]
fn fill_needs_seed_or_fuzz() {
    assert_eq!(
        rot("rotation set fill ICE --fuzz 3"),
        RotationCommand::SetFill {
            rotation: ice(),
            seed: None,
            fuzz: Some(3)
        }
    );
    assert!(parse("rotation set fill ICE").is_err());
    assert!(parse("rotation set fill ICE --fuzz 1000").is_err());
}

#[test]
fn require_and_limit_take_comma_lists_and_defaults() {
    let RotationCommand::SetRequire(n) =
        rot("rotation set require ICE -s webapp-2,server --skill=mobile-expert --count 2")
    else {
        panic!()
    };
    let skills: Vec<String> = n.skills.iter().map(SkillLevel::to_input).collect();
    assert_eq!(skills, ["webapp-2", "server-1", "mobile-4"]);
    assert_eq!(n.action, NeedAction::Count(2));
    let RotationCommand::SetLimit(n) = rot("rotation set limit ICE") else {
        panic!()
    };
    assert_eq!(
        (n.skills, n.action),
        (vec![SkillLevel::Any], NeedAction::Count(1))
    );
    let RotationCommand::SetLimit(n) = rot("rotation set limit ICE --skills netops --count 0")
    else {
        panic!()
    };
    assert_eq!(n.action, NeedAction::Count(0));
    let RotationCommand::SetRequire(n) = rot("rotation set require ICE -s any --clear") else {
        panic!()
    };
    assert_eq!(n.action, NeedAction::Clear);
}

#[test]
fn require_rejects_zero_conflicts_and_bad_skills() {
    assert!(parse("rotation set require ICE --count 0").is_err());
    assert!(parse("rotation set require ICE --count 1001").is_err());
    assert!(parse("rotation set require ICE --count 2 --clear").is_err());
    let err = parse("rotation set require ICE -s webapp-9").unwrap_err();
    assert!(err.to_string().contains("`9`"), "{err}");
    assert!(parse("rotation set require ICE -s ,").is_err());
}

#[test]
fn task_defaults_accept_zero_and_need_one_flag() {
    assert_eq!(
        rot("rotation set task ICE --grace 0 --duration 3d"),
        RotationCommand::SetTask {
            rotation: ice(),
            duration: Some(TimeDelta::days(3)),
            grace: Some(TimeDelta::zero())
        }
    );
    assert!(parse("rotation set task ICE").is_err());
}
