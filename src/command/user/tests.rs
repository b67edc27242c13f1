use super::super::{Command, UserRef, parse};
use super::*;
use crate::lottery::Level;

fn user(text: &str) -> UserCommand {
    match parse(text).unwrap().command {
        Command::User(u) => u,
        other => panic!("{text}: {other:?}"),
    }
}

fn users(names: &[&str]) -> Who {
    Who::Users(names.iter().map(|n| UserRef::parse(n).unwrap()).collect())
}

#[test]
fn join_and_leave_default_to_the_acting_user() {
    let UserCommand::Join { who, starting, .. } = user("user join ICE") else {
        panic!()
    };
    assert_eq!((who, starting), (Who::Me, None));
    let UserCommand::Join { who, starting, .. } = user("user join @a ICE @b --starting=2026-03-01")
    else {
        panic!()
    };
    assert_eq!(who, users(&["a", "b"]));
    assert!(starting.is_some());
    assert_eq!(
        user("user leave -r ICE @a,@b"),
        UserCommand::Leave {
            rotation: RotationName::parse("ICE").unwrap(),
            who: users(&["a", "b"])
        }
    );
    assert!(parse("user join").is_err());
    assert!(parse("user join ICE SET").is_err());
    assert!(parse("user join ICE @a,b").is_err());
}

#[test]
fn qualify_collects_levels_from_lists_and_repeats() {
    let UserCommand::Qualify { who, skills } =
        user("user qualify @a -s webapp-2,server --skill mobile-expert")
    else {
        panic!()
    };
    assert_eq!(who, users(&["a"]));
    let got: Vec<(String, Level)> = skills.iter().map(|(s, l)| (s.to_string(), *l)).collect();
    assert_eq!(
        got,
        [
            ("mobile".into(), Level::Expert),
            ("server".into(), Level::Beginner),
            ("webapp".into(), Level::Intermediate)
        ]
    );
    assert!(parse("user qualify").is_err());
    assert!(parse("user qualify -s any").is_err());
    let err = parse("user qualify -s webapp-2,webapp-3").unwrap_err();
    assert!(err.to_string().contains("`webapp`"), "{err}");
}

#[test]
fn disqualify_needs_skills_or_all() {
    assert_eq!(
        user("user disqualify --all"),
        UserCommand::Disqualify {
            who: Who::Me,
            skills: DisqualifySkills::All
        }
    );
    let UserCommand::Disqualify {
        skills: DisqualifySkills::These(names),
        ..
    } = user("user disqualify @x -s webapp,server")
    else {
        panic!()
    };
    assert_eq!(names.len(), 2);
    assert!(parse("user disqualify").is_err());
    assert!(parse("user disqualify --all -s webapp").is_err());
    assert!(parse("user disqualify -s webapp-3").is_err());
}

#[test]
fn unavailable_adds_or_clears() {
    assert!(matches!(
        user("user unavailable --start 2026-03-02 --finish 2026-03-07"),
        UserCommand::Unavailable {
            change: UnavailableChange::Add { .. },
            ..
        }
    ));
    assert!(matches!(
        user("user unavailable @a --clear"),
        UserCommand::Unavailable {
            change: UnavailableChange::Clear { range: None },
            ..
        }
    ));
    assert!(matches!(
        user("user unavailable --clear --start today --finish tomorrow"),
        UserCommand::Unavailable {
            change: UnavailableChange::Clear { range: Some(_) },
            ..
        }
    ));
    for bad in [
        "user unavailable",
        "user unavailable --start today",
        "user unavailable --clear --finish today",
    ] {
        assert!(parse(bad).is_err(), "{bad}");
    }
}

#[test]
fn show_takes_only_mentions() {
    assert_eq!(user("user show"), UserCommand::Show { who: Who::Me });
    assert_eq!(
        user("user show @a @a"),
        UserCommand::Show { who: users(&["a"]) }
    );
    let err = parse("user show alice").unwrap_err();
    assert!(err.to_string().ends_with("Did you mean `@alice`?"), "{err}");
}
