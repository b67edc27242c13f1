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
mod tests;
