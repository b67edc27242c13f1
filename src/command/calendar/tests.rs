use super::super::{Command, ParseErrorKind, parse};
use super::*;

fn cal(text: &str) -> CalendarCommand {
    match parse(text).unwrap().command {
        Command::Calendar(c) => c,
        other => panic!("{text}: {other:?}"),
    }
}

#[test]
fn connect_graph_and_ics() {
    assert_eq!(
        cal("calendar connect graph"),
        CalendarCommand::Connect {
            source: CalendarSource::Graph { email: None },
            user: None
        }
    );
    let CalendarCommand::Connect {
        source: CalendarSource::Graph { email: Some(e) },
        user: Some(u),
    } = cal("calendar connect graph alice@example.com @alice")
    else {
        panic!()
    };
    assert_eq!((e.as_str(), u.as_str()), ("alice@example.com", "alice"));
    assert!(matches!(
        cal("calendar connect ics https://cal.example.com/a.ics?k=1"),
        CalendarCommand::Connect {
            source: CalendarSource::Ics { .. },
            user: None
        }
    ));
    assert!(parse("calendar connect ics ftp://x.org/a.ics").is_err());
    assert!(parse("calendar connect ics").is_err());
    assert!(parse("calendar connect graph not-an-email").is_err());
}

#[test]
fn one_user_at_most() {
    let err = parse("calendar show @a @b").unwrap_err();
    assert!(
        matches!(err.kind(), ParseErrorKind::TooManyUsers { .. }),
        "{err}"
    );
    assert!(matches!(
        cal("calendar show @a"),
        CalendarCommand::Show { user: Some(_) }
    ));
    assert_eq!(
        cal("calendar resume"),
        CalendarCommand::Resume { user: None }
    );
    assert_eq!(
        cal("calendar disconnect"),
        CalendarCommand::Disconnect { user: None }
    );
}

#[test]
fn settings_take_their_words() {
    assert_eq!(
        cal("calendar set busy DND"),
        CalendarCommand::SetBusy {
            mode: BusyMode::Dnd,
            user: None
        }
    );
    assert_eq!(
        cal("calendar set notices off"),
        CalendarCommand::SetNotices {
            on: false,
            user: None
        }
    );
    assert_eq!(
        cal("calendar set custom-status on"),
        CalendarCommand::SetCustomStatus {
            on: true,
            user: None
        }
    );
    for bad in [
        "calendar set busy busy",
        "calendar set notices maybe",
        "calendar set notices",
        "calendar set busy",
    ] {
        assert!(parse(bad).is_err(), "{bad}");
    }
}

#[test]
fn pause_needs_a_positive_duration() {
    assert_eq!(
        cal("calendar pause 2h"),
        CalendarCommand::Pause {
            duration: TimeDelta::hours(2),
            user: None
        }
    );
    assert_eq!(
        cal("calendar pause 1d @bob").to_input(),
        "calendar pause 1d @bob"
    );
    assert!(parse("calendar pause 0").is_err());
    assert!(parse("calendar pause soon").is_err());
    assert!(parse("calendar pause").is_err());
    assert_eq!(cal("calendar sync"), CalendarCommand::Sync);
    assert_eq!(cal("calendar consent-url"), CalendarCommand::ConsentUrl);
}
