//! Dates and times as typed, kept structured until the acting user's time zone is known.
//!
//! The parser cannot know whose zone a bare `2026-03-01T09:00` is in, so it records what was typed
//! (`DateTimeArg`) and the service calls [`DateTimeArg::resolve`] with the user's zone and the
//! transaction time. Accepted forms:
//!
//! - `now`, `today`, `tomorrow` (the last two: midnight in the user's zone);
//! - `2026-03-01` (midnight), `2026-03-01T09:00`, `2026-03-01T09:00:30`, `"2026-03-01 09:00"`;
//! - any of those with `Z`, an offset (`+02:00`, `+0200`, `-05`), a `UTC` suffix, or an IANA zone
//!   in brackets (`2026-03-01T09:00[Europe/Berlin]`) or after a space (`"2026-03-01 09:00 Europe/Berlin"`);
//! - RFC 3339 (`2026-03-01T09:00:00.5+02:00`).
//!
//! Daylight saving: a typed local time that falls in a gap (clocks jump forward) is an error that
//! suggests the first valid time after it; in a fold (clocks go back) the earlier instant wins.
//! A date alone whose midnight is skipped starts at the first instant of that day.

use std::fmt;

use chrono::{
    DateTime, Days, FixedOffset, LocalResult, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Utc,
};
use chrono_tz::Tz;
use nom::branch::alt;
use nom::bytes::complete::{tag_no_case, take_while_m_n, take_while1};
use nom::character::complete::{char, one_of, space0, space1};
use nom::combinator::{all_consuming, eof, opt, recognize};
use nom::sequence::{delimited, preceded, terminated};
use nom::{IResult, Parser};

use super::zone::{ZoneError, find_zone};

/// Earliest and latest years accepted: wide enough for any schedule, narrow enough to be sure
/// every computed time stays representable.
pub const MIN_YEAR: i32 = 1900;
pub const MAX_YEAR: i32 = 2999;

/// Where a typed local time is anchored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ZoneSpec {
    /// No zone typed: the acting user's Mattermost time zone.
    Acting,
    /// `Z` or `UTC`.
    Utc,
    /// A fixed offset such as `+02:00`.
    Offset(FixedOffset),
    /// An IANA zone such as `Europe/Berlin`.
    Named(Tz),
}

/// A date/time argument as typed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DateTimeArg {
    Now,
    Today,
    Tomorrow,
    At {
        date: NaiveDate,
        /// `None` means the start of the day.
        time: Option<NaiveTime>,
        zone: ZoneSpec,
    },
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DateTimeError {
    #[error(
        "`{0}` is not a date or time: write e.g. `2026-03-01`, `2026-03-01T09:00`, `2026-03-01T09:00Z`, `2026-03-01T09:00+02:00` or `2026-03-01T09:00[Europe/Berlin]`"
    )]
    Invalid(String),
    #[error("`{0}` is not a day on the calendar")]
    NoSuchDay(String),
    #[error("`{0}` is not a time of day: use hours 00–23 and minutes 00–59")]
    NoSuchTime(String),
    #[error("`{0}` is not a valid offset: use `+HH:MM` between -23:59 and +23:59")]
    BadOffset(String),
    #[error("the year in `{0}` is out of range: use {MIN_YEAR}–{MAX_YEAR}")]
    YearOutOfRange(String),
    #[error(transparent)]
    Zone(#[from] ZoneError),
    #[error(
        "{local} does not exist in {zone}: the clocks jump forward then. Use {suggestion} or give an offset"
    )]
    Nonexistent {
        local: String,
        zone: String,
        suggestion: String,
    },
    #[error("that date is too far from today")]
    OutOfRange,
}

/// The pieces of a datetime before any validation.
struct Raw<'a> {
    date: (&'a str, &'a str, &'a str),
    time: Option<RawTime<'a>>,
    zone: Option<RawZone<'a>>,
}

struct RawTime<'a> {
    hour: &'a str,
    minute: &'a str,
    second: Option<&'a str>,
    fraction: Option<&'a str>,
}

enum RawZone<'a> {
    Utc,
    Offset {
        sign: char,
        hours: &'a str,
        minutes: Option<&'a str>,
    },
    Named(&'a str),
}

fn digits(n: usize) -> impl FnMut(&str) -> IResult<&str, &str> {
    move |i| take_while_m_n(n, n, |c: char| c.is_ascii_digit()).parse(i)
}

fn date(i: &str) -> IResult<&str, (&str, &str, &str)> {
    (digits(4), char('-'), digits(2), char('-'), digits(2))
        .map(|(y, _, m, _, d)| (y, m, d))
        .parse(i)
}

fn time(i: &str) -> IResult<&str, RawTime<'_>> {
    let fraction = preceded(
        one_of(".,"),
        take_while_m_n(1, 9, |c: char| c.is_ascii_digit()),
    );
    (
        digits(2),
        char(':'),
        digits(2),
        opt((preceded(char(':'), digits(2)), opt(fraction))),
    )
        .map(|(hour, _, minute, rest)| RawTime {
            hour,
            minute,
            second: rest.as_ref().map(|(s, _)| *s),
            fraction: rest.and_then(|(_, f)| f),
        })
        .parse(i)
}

fn zone_name(i: &str) -> IResult<&str, &str> {
    recognize(take_while1(|c: char| {
        c.is_ascii_alphanumeric() || matches!(c, '/' | '_' | '-' | '+')
    }))
    .parse(i)
}

fn zone(i: &str) -> IResult<&str, RawZone<'_>> {
    let offset = (
        one_of("+-"),
        digits(2),
        opt(preceded(opt(char(':')), digits(2))),
    )
        .map(|(sign, hours, minutes)| RawZone::Offset {
            sign,
            hours,
            minutes,
        });
    alt((
        terminated(preceded(space0, tag_no_case("UTC")), eof).map(|_| RawZone::Utc),
        one_of("Zz").map(|_| RawZone::Utc),
        preceded(space0, offset),
        delimited(char('['), zone_name, char(']')).map(RawZone::Named),
        preceded(space1, zone_name).map(RawZone::Named),
    ))
    .parse(i)
}

fn datetime(i: &str) -> IResult<&str, Raw<'_>> {
    let separator = alt((one_of("Tt").map(|_| ()), space1.map(|_| ())));
    (date, opt(preceded(separator, time)), opt(zone))
        .map(|(date, time, zone)| Raw { date, time, zone })
        .parse(i)
}

impl DateTimeArg {
    /// Parses what the user typed; see the module documentation for the forms.
    pub fn parse(input: &str) -> Result<Self, DateTimeError> {
        let s = input.trim();
        let shown = super::lexer::shorten(s);
        match s.to_ascii_lowercase().as_str() {
            "now" => return Ok(DateTimeArg::Now),
            "today" => return Ok(DateTimeArg::Today),
            "tomorrow" => return Ok(DateTimeArg::Tomorrow),
            _ => {}
        }
        let (_, raw) = all_consuming(datetime)
            .parse(s)
            .map_err(|_| DateTimeError::Invalid(shown.clone()))?;
        let number = |t: &str| {
            t.parse::<u32>()
                .map_err(|_| DateTimeError::Invalid(shown.clone()))
        };
        let year: i32 = raw
            .date
            .0
            .parse()
            .map_err(|_| DateTimeError::Invalid(shown.clone()))?;
        if !(MIN_YEAR..=MAX_YEAR).contains(&year) {
            return Err(DateTimeError::YearOutOfRange(shown));
        }
        let date = NaiveDate::from_ymd_opt(year, number(raw.date.1)?, number(raw.date.2)?)
            .ok_or_else(|| DateTimeError::NoSuchDay(shown.clone()))?;
        let time = match raw.time {
            None => None,
            Some(t) => {
                let nanos = match t.fraction {
                    None => 0,
                    Some(f) => number(&format!("{f:0<9}"))?,
                };
                let second = t.second.map(number).transpose()?.unwrap_or(0);
                Some(
                    NaiveTime::from_hms_nano_opt(number(t.hour)?, number(t.minute)?, second, nanos)
                        .filter(|_| second < 60)
                        .ok_or_else(|| DateTimeError::NoSuchTime(shown.clone()))?,
                )
            }
        };
        let zone = match raw.zone {
            None => ZoneSpec::Acting,
            Some(RawZone::Utc) => ZoneSpec::Utc,
            Some(RawZone::Offset {
                sign,
                hours,
                minutes,
            }) => {
                let (h, m) = (
                    number(hours)?,
                    minutes.map(number).transpose()?.unwrap_or(0),
                );
                let secs = i32::try_from(h * 3600 + m * 60)
                    .map_err(|_| DateTimeError::BadOffset(shown.clone()))?;
                let secs = if sign == '-' { -secs } else { secs };
                if m >= 60 {
                    return Err(DateTimeError::BadOffset(shown));
                }
                if secs == 0 {
                    ZoneSpec::Utc
                } else {
                    ZoneSpec::Offset(
                        FixedOffset::east_opt(secs).ok_or(DateTimeError::BadOffset(shown))?,
                    )
                }
            }
            Some(RawZone::Named(name)) => match find_zone(name)? {
                chrono_tz::UTC => ZoneSpec::Utc,
                tz => ZoneSpec::Named(tz),
            },
        };
        Ok(DateTimeArg::At { date, time, zone })
    }

    /// The instant meant, given the acting user's zone and the transaction time `now`.
    pub fn resolve(&self, user_tz: Tz, now: DateTime<Utc>) -> Result<DateTime<Utc>, DateTimeError> {
        let today = now.with_timezone(&user_tz).date_naive();
        match *self {
            DateTimeArg::Now => Ok(now),
            DateTimeArg::Today => start_of_day(user_tz, today),
            DateTimeArg::Tomorrow => start_of_day(
                user_tz,
                today
                    .checked_add_days(Days::new(1))
                    .ok_or(DateTimeError::OutOfRange)?,
            ),
            DateTimeArg::At { date, time, zone } => match (time, zone) {
                (None, ZoneSpec::Acting) => start_of_day(user_tz, date),
                (None, ZoneSpec::Named(tz)) => start_of_day(tz, date),
                (None, ZoneSpec::Utc) => Ok(date.and_time(NaiveTime::MIN).and_utc()),
                (None, ZoneSpec::Offset(o)) => fixed(o, date.and_time(NaiveTime::MIN)),
                (Some(t), ZoneSpec::Acting) => local(user_tz, date.and_time(t)),
                (Some(t), ZoneSpec::Named(tz)) => local(tz, date.and_time(t)),
                (Some(t), ZoneSpec::Utc) => Ok(date.and_time(t).and_utc()),
                (Some(t), ZoneSpec::Offset(o)) => fixed(o, date.and_time(t)),
            },
        }
    }
}

fn fixed(offset: FixedOffset, local: NaiveDateTime) -> Result<DateTime<Utc>, DateTimeError> {
    offset
        .from_local_datetime(&local)
        .single()
        .map(|t| t.with_timezone(&Utc))
        .ok_or(DateTimeError::OutOfRange)
}

/// A typed wall-clock time in `tz`: a fold takes the earlier instant, a gap is an error.
fn local(tz: Tz, local: NaiveDateTime) -> Result<DateTime<Utc>, DateTimeError> {
    match tz.from_local_datetime(&local) {
        LocalResult::Single(t) | LocalResult::Ambiguous(t, _) => Ok(t.with_timezone(&Utc)),
        LocalResult::None => {
            let after = shift_past_gap(tz, local)?;
            Err(DateTimeError::Nonexistent {
                local: format!("`{}`", local.format("%Y-%m-%d %H:%M")),
                zone: tz.name().to_string(),
                suggestion: format!("`{}`", after.with_timezone(&tz).format("%H:%M")),
            })
        }
    }
}

/// Midnight in `tz`, or the first instant of that day when midnight is skipped.
fn start_of_day(tz: Tz, date: NaiveDate) -> Result<DateTime<Utc>, DateTimeError> {
    let midnight = date.and_time(NaiveTime::MIN);
    match tz.from_local_datetime(&midnight) {
        LocalResult::Single(t) | LocalResult::Ambiguous(t, _) => Ok(t.with_timezone(&Utc)),
        LocalResult::None => shift_past_gap(tz, midnight),
    }
}

/// The instant a skipped wall-clock time maps to when read with the offset in force just before
/// the gap: the moment the clocks jumped, or as far after it as the time was into the gap.
fn shift_past_gap(tz: Tz, local: NaiveDateTime) -> Result<DateTime<Utc>, DateTimeError> {
    let before = local
        .checked_sub_days(Days::new(1))
        .and_then(|t| tz.from_local_datetime(&t).earliest())
        .ok_or(DateTimeError::OutOfRange)?;
    let offset = chrono::Offset::fix(before.offset());
    fixed(offset, local)
}

impl fmt::Display for ZoneSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ZoneSpec::Acting => Ok(()),
            ZoneSpec::Utc => f.write_str("Z"),
            ZoneSpec::Offset(o) => write!(f, "{o}"),
            ZoneSpec::Named(tz) => write!(f, "[{}]", tz.name()),
        }
    }
}

impl fmt::Display for DateTimeArg {
    /// The canonical input form, without spaces, which parses back to the same value.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DateTimeArg::Now => f.write_str("now"),
            DateTimeArg::Today => f.write_str("today"),
            DateTimeArg::Tomorrow => f.write_str("tomorrow"),
            DateTimeArg::At { date, time, zone } => {
                write!(f, "{}", date.format("%Y-%m-%d"))?;
                if let Some(t) = time {
                    let pattern = if t.nanosecond_part() != 0 {
                        "T%H:%M:%S%.f"
                    } else if t.second_part() != 0 {
                        "T%H:%M:%S"
                    } else {
                        "T%H:%M"
                    };
                    write!(f, "{}", t.format(pattern))?;
                }
                write!(f, "{zone}")
            }
        }
    }
}

/// Small accessors so `Display` reads plainly.
trait TimeParts {
    fn second_part(&self) -> u32;
    fn nanosecond_part(&self) -> u32;
}

impl TimeParts for NaiveTime {
    fn second_part(&self) -> u32 {
        chrono::Timelike::second(self)
    }
    fn nanosecond_part(&self) -> u32 {
        chrono::Timelike::nanosecond(self)
    }
}

impl std::str::FromStr for DateTimeArg {
    type Err = DateTimeError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        DateTimeArg::parse(s)
    }
}

#[cfg(test)]
mod tests {
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
}
