//! Holidays from a published calendar (`holiday feed <url>`): the days its entries cover whole, as
//! public-holiday calendars publish them (all-day entries, often yearly recurring). An entry that
//! covers only part of a day (a timed meeting, a half day off) makes no holiday.

use chrono::{Days, NaiveDate, NaiveTime};
use chrono_tz::Tz;
use std::collections::BTreeMap;

use super::SourceError;
use super::ics::blocks_in;
use super::model::Span;
use crate::lottery::local_time::resolve_local;

/// Most holidays one feed makes (a feed of every day would be no calendar of holidays).
pub const MAX_DAYS: usize = 500;
/// Longest name kept for one holiday.
pub const MAX_NAME: usize = 100;

/// One day a feed makes a holiday.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FeedDay {
    pub day: NaiveDate,
    /// The entry's summary (several entries on one day: joined with " / ").
    pub name: Option<String>,
}

/// The days in `[from, to)` (on the wall clock of `tz`) that the calendar's entries cover whole.
pub fn holiday_days(
    ics_text: &str,
    from: NaiveDate,
    to: NaiveDate,
    tz: Tz,
) -> Result<Vec<FeedDay>, SourceError> {
    let midnight = |d: NaiveDate| resolve_local(d.and_time(NaiveTime::MIN), tz);
    let (Some(start), Some(end)) = (midnight(from), midnight(to)) else {
        return Ok(Vec::new());
    };
    let Ok(window) = Span::new(start, end) else {
        return Ok(Vec::new());
    };
    let mut days: BTreeMap<NaiveDate, Vec<String>> = BTreeMap::new();
    for block in blocks_in(ics_text, window, tz)? {
        let mut day = block.start().with_timezone(&tz).date_naive();
        while day < to {
            let (Some(begins), Some(next)) = (midnight(day), day.checked_add_days(Days::new(1)))
            else {
                break;
            };
            let Some(ends) = midnight(next) else { break };
            if begins >= block.end() {
                break;
            }
            if day >= from && begins >= block.start() && ends <= block.end() {
                let names = days.entry(day).or_default();
                if let Some(s) = block.subject().map(str::trim).filter(|s| !s.is_empty())
                    && !names.iter().any(|n| n == s)
                {
                    names.push(s.to_string());
                }
                if days.len() > MAX_DAYS {
                    return Err(SourceError::InvalidIcs(format!(
                        "it makes more than {MAX_DAYS} holidays in a year"
                    )));
                }
            }
            day = next;
        }
    }
    Ok(days
        .into_iter()
        .map(|(day, names)| FeedDay {
            day,
            name: (!names.is_empty()).then(|| names.join(" / ").chars().take(MAX_NAME).collect()),
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, m, day).unwrap()
    }

    const FEED: &str = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\n\
BEGIN:VEVENT\r\nUID:xmas\r\nDTSTART;VALUE=DATE:20201225\r\nDTEND;VALUE=DATE:20201227\r\n\
RRULE:FREQ=YEARLY\r\nSUMMARY:Christmas\r\nTRANSP:TRANSPARENT\r\nEND:VEVENT\r\n\
BEGIN:VEVENT\r\nUID:ny\r\nDTSTART;VALUE=DATE:20270101\r\nSUMMARY:New Year\r\nEND:VEVENT\r\n\
BEGIN:VEVENT\r\nUID:party\r\nDTSTART:20261218T150000Z\r\nDTEND:20261218T180000Z\r\n\
SUMMARY:Office party\r\nEND:VEVENT\r\n\
BEGIN:VEVENT\r\nUID:eve\r\nDTSTART;VALUE=DATE:20261224\r\nDTEND;VALUE=DATE:20261225\r\n\
SUMMARY:Christmas Eve\r\nSTATUS:CANCELLED\r\nEND:VEVENT\r\n\
END:VCALENDAR\r\n";

    #[test]
    fn whole_days_become_holidays_with_their_names_and_part_days_do_not() {
        let days = holiday_days(FEED, d(12, 1), d(12, 31), chrono_tz::Europe::Berlin).unwrap();
        assert_eq!(
            days,
            vec![
                FeedDay {
                    day: d(12, 25),
                    name: Some("Christmas".into())
                },
                FeedDay {
                    day: d(12, 26),
                    name: Some("Christmas".into())
                },
            ]
        );
    }

    #[test]
    fn the_window_bounds_the_days_and_a_date_only_entry_is_one_day() {
        let days = holiday_days(FEED, d(12, 26), d(12, 31), chrono_tz::UTC).unwrap();
        assert_eq!(days.iter().map(|f| f.day).collect::<Vec<_>>(), [d(12, 26)]);
        let next = NaiveDate::from_ymd_opt(2027, 1, 5).unwrap();
        let days = holiday_days(FEED, d(12, 31), next, chrono_tz::UTC).unwrap();
        assert_eq!(
            days,
            vec![FeedDay {
                day: NaiveDate::from_ymd_opt(2027, 1, 1).unwrap(),
                name: Some("New Year".into())
            }]
        );
    }

    #[test]
    fn text_that_is_no_calendar_is_an_error() {
        assert!(holiday_days("<html>", d(1, 1), d(2, 1), chrono_tz::UTC).is_err());
    }
}
