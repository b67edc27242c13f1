use super::*;
use chrono_tz::{America, Europe, Pacific};

fn utc(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

fn at(input: &str, tz: Tz) -> Result<DateTime<Utc>, DateTimeError> {
    DateTimeArg::parse(input)?.resolve(tz, utc("2026-03-10T15:00:00Z"))
}

#[test]
fn local_forms_use_the_users_zone() {
    let berlin = Europe::Berlin;
    assert_eq!(at("2026-03-01", berlin), Ok(utc("2026-02-28T23:00:00Z")));
    assert_eq!(
        at("2026-03-01T09:00", berlin),
        Ok(utc("2026-03-01T08:00:00Z"))
    );
    assert_eq!(
        at("2026-03-01t09:00:30", berlin),
        Ok(utc("2026-03-01T08:00:30Z"))
    );
    assert_eq!(
        at("2026-03-01 09:00", berlin),
        Ok(utc("2026-03-01T08:00:00Z"))
    );
    assert_eq!(
        at("2026-07-01 09:00", berlin),
        Ok(utc("2026-07-01T07:00:00Z"))
    );
}

#[test]
fn typed_zones_and_offsets_win_over_the_users_zone() {
    let ny = America::New_York;
    for (input, expected) in [
        ("2026-03-01T09:00Z", "2026-03-01T09:00:00Z"),
        ("2026-03-01T09:00 UTC", "2026-03-01T09:00:00Z"),
        ("2026-03-01T09:00utc", "2026-03-01T09:00:00Z"),
        ("2026-03-01T09:00+02:00", "2026-03-01T07:00:00Z"),
        ("2026-03-01T09:00+0200", "2026-03-01T07:00:00Z"),
        ("2026-03-01T09:00-05", "2026-03-01T14:00:00Z"),
        ("2026-03-01T09:00:00.5+02:00", "2026-03-01T07:00:00.5Z"),
        ("2026-03-01T09:00[Europe/Berlin]", "2026-03-01T08:00:00Z"),
        ("2026-03-01 09:00 europe/berlin", "2026-03-01T08:00:00Z"),
        ("2026-03-01[Europe/Berlin]", "2026-02-28T23:00:00Z"),
        ("2026-03-01 Europe/Berlin", "2026-02-28T23:00:00Z"),
        ("2026-03-01Z", "2026-03-01T00:00:00Z"),
    ] {
        assert_eq!(at(input, ny), Ok(utc(expected)), "{input}");
    }
}

#[test]
fn relative_words_follow_the_users_calendar() {
    let now = utc("2026-03-10T23:30:00Z");
    let berlin = Europe::Berlin; // already 2026-03-11 00:30 there
    let resolve = |s: &str| DateTimeArg::parse(s).unwrap().resolve(berlin, now).unwrap();
    assert_eq!(resolve("now"), now);
    assert_eq!(resolve("Today"), utc("2026-03-10T23:00:00Z"));
    assert_eq!(resolve("tomorrow"), utc("2026-03-11T23:00:00Z"));
}

#[test]
fn a_time_in_the_spring_gap_is_an_error_with_a_suggestion() {
    let err = at("2026-03-29T02:30", Europe::Berlin).unwrap_err();
    let text = err.to_string();
    assert!(
        text.contains("`2026-03-29 02:30` does not exist in Europe/Berlin"),
        "{text}"
    );
    assert!(text.contains("`03:30`"), "{text}");
    // With an offset the same wall-clock time is fine.
    assert!(at("2026-03-29T02:30+01:00", Europe::Berlin).is_ok());
}

#[test]
fn a_time_in_the_autumn_fold_takes_the_earlier_instant() {
    assert_eq!(
        at("2026-10-25T02:30", Europe::Berlin),
        Ok(utc("2026-10-25T00:30:00Z"))
    );
}

#[test]
fn a_skipped_midnight_starts_the_day_at_the_jump() {
    // Samoa skipped 30 December 2011 entirely; the day "starts" when 31 December began.
    assert_eq!(
        at("2011-12-30", Pacific::Apia),
        Ok(utc("2011-12-30T10:00:00Z"))
    );
}

#[test]
fn rejects_malformed_and_impossible_values() {
    for bad in [
        "",
        "2026",
        "2026-3-1",
        "01.03.2026",
        "2026-03-01T9:00",
        "2026-03-01T09",
        "2026-03-01T09:00 +02:00x",
        "2026-03-01T09:00 Berlin 1",
        "yesterday",
    ] {
        assert!(DateTimeArg::parse(bad).is_err(), "{bad:?}");
    }
    assert!(matches!(
        DateTimeArg::parse("2026-02-30"),
        Err(DateTimeError::NoSuchDay(_))
    ));
    assert!(matches!(
        DateTimeArg::parse("2026-03-01T24:00"),
        Err(DateTimeError::NoSuchTime(_))
    ));
    assert!(matches!(
        DateTimeArg::parse("2026-03-01T23:59:60"),
        Err(DateTimeError::NoSuchTime(_))
    ));
    assert!(matches!(
        DateTimeArg::parse("2026-03-01T09:00+24:00"),
        Err(DateTimeError::BadOffset(_))
    ));
    assert!(matches!(
        DateTimeArg::parse("0001-01-01"),
        Err(DateTimeError::YearOutOfRange(_))
    ));
    assert!(matches!(
        DateTimeArg::parse("2026-03-01T09:00[Europe/Berln]"),
        Err(DateTimeError::Zone(_))
    ));
}

#[test]
fn display_is_the_canonical_input_form() {
    for (input, canonical) in [
        ("2026-03-01", "2026-03-01"),
        ("2026-03-01 09:00", "2026-03-01T09:00"),
        ("2026-03-01T09:00:30", "2026-03-01T09:00:30"),
        ("2026-03-01T09:00:00.250Z", "2026-03-01T09:00:00.250Z"),
        ("2026-03-01T09:00 UTC", "2026-03-01T09:00Z"),
        ("2026-03-01T09:00[UTC]", "2026-03-01T09:00Z"),
        ("2026-03-01T09:00+00:00", "2026-03-01T09:00Z"),
        ("2026-03-01T09:00-0530", "2026-03-01T09:00-05:30"),
        (
            "2026-03-01 09:00 europe/berlin",
            "2026-03-01T09:00[Europe/Berlin]",
        ),
        ("TODAY", "today"),
    ] {
        let parsed = DateTimeArg::parse(input).unwrap();
        assert_eq!(parsed.to_string(), canonical, "{input}");
        assert_eq!(DateTimeArg::parse(canonical), Ok(parsed), "{canonical}");
    }
}
