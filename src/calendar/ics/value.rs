//! iCalendar values the `icalendar` crate leaves to us: resolving DATE / DATE-TIME values to
//! instants in the right zone, and DURATION (`P1DT2H`, `PT30M`, `P1W`).

use crate::calendar::tz::{local_to_utc, resolve_tz};
use chrono::{DateTime, NaiveDate, TimeDelta, Utc};
use chrono_tz::Tz;
use icalendar::{CalendarDateTime, DatePerhapsTime};
use nom::Parser;
use nom::character::complete::{char, digit1, one_of};
use nom::combinator::{all_consuming, map_res, opt};
use nom::sequence::{preceded, terminated};

/// A DTSTART-like value after zone resolution.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Moment {
    /// A DATE (all-day): a day in the person's zone.
    Day(NaiveDate),
    /// A DATE-TIME with the zone its recurrences follow (wall-clock time across DST).
    At { utc: DateTime<Utc>, zone: Tz },
}

impl Moment {
    /// `floating` is the zone for times without `Z` or `TZID` (and for unknown `TZID`s).
    pub fn resolve(value: &DatePerhapsTime, floating: Tz) -> Self {
        match value {
            DatePerhapsTime::Date(day) => Self::Day(*day),
            DatePerhapsTime::DateTime(CalendarDateTime::Utc(utc)) => Self::At {
                utc: *utc,
                zone: Tz::UTC,
            },
            DatePerhapsTime::DateTime(CalendarDateTime::Floating(naive)) => Self::At {
                utc: local_to_utc(floating, *naive),
                zone: floating,
            },
            DatePerhapsTime::DateTime(CalendarDateTime::WithTimezone { date_time, tzid }) => {
                let zone = resolve_tz(tzid).unwrap_or(floating);
                Self::At {
                    utc: local_to_utc(zone, *date_time),
                    zone,
                }
            }
        }
    }
}

/// Midnight starting `day` in `tz`.
pub fn start_of_day(day: NaiveDate, tz: Tz) -> DateTime<Utc> {
    local_to_utc(tz, day.and_time(chrono::NaiveTime::MIN))
}

fn count<'a>(
    unit: char,
) -> impl Parser<&'a str, Output = Option<i64>, Error = nom::error::Error<&'a str>> {
    opt(terminated(map_res(digit1, str::parse::<i64>), char(unit)))
}

/// RFC 5545 §3.3.6 `dur-value`.
pub fn parse_duration(input: &str) -> Option<TimeDelta> {
    let time = preceded(char('T'), (count('H'), count('M'), count('S')));
    let mut parser = all_consuming((
        opt(one_of("+-")),
        char('P'),
        count('W'),
        count('D'),
        opt(time),
    ));
    let (_, (sign, _, weeks, days, time)) = parser.parse(input.trim()).ok()?;
    let (hours, minutes, seconds) = time.unwrap_or((None, None, None));
    if [weeks, days, hours, minutes, seconds]
        .iter()
        .all(Option::is_none)
    {
        return None;
    }
    let parts = [
        (weeks, 7 * 86_400),
        (days, 86_400),
        (hours, 3_600),
        (minutes, 60),
        (seconds, 1),
    ];
    let secs = parts.into_iter().try_fold(0i64, |total, (n, unit)| {
        total.checked_add(n.unwrap_or(0).checked_mul(unit)?)
    })?;
    let delta = TimeDelta::try_seconds(secs)?;
    Some(if sign == Some('-') { -delta } else { delta })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_ical_durations() {
        assert_eq!(parse_duration("PT30M"), Some(TimeDelta::minutes(30)));
        assert_eq!(parse_duration("P1DT2H"), Some(TimeDelta::hours(26)));
        assert_eq!(parse_duration("P2W"), Some(TimeDelta::days(14)));
        assert_eq!(parse_duration("-PT15M"), Some(TimeDelta::minutes(-15)));
        assert_eq!(parse_duration("P"), None);
        assert_eq!(parse_duration("1h"), None);
    }
}
