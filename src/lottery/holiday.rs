//! Holidays: days on a rotation's wall clock when its shifts are skipped, moved to the next working
//! day, or left alone, as the rotation says. Pure: the store hands in the days, the caller the shift.

use std::collections::BTreeSet;
use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, NaiveDate, TimeDelta, Utc};
use chrono_tz::Tz;

use super::local_time::{resolve_local, to_local};

/// What a rotation does with a shift that starts on a holiday.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum HolidayPolicy {
    /// The shift is not created (the autopilot passes it by; a fill refuses it).
    #[default]
    Skip,
    /// The shift starts at the same time on the next day that is not a holiday, and keeps its end.
    Shift,
    /// Holidays change nothing.
    Ignore,
}

impl HolidayPolicy {
    pub fn as_str(self) -> &'static str {
        match self {
            HolidayPolicy::Skip => "skip",
            HolidayPolicy::Shift => "shift",
            HolidayPolicy::Ignore => "ignore",
        }
    }

    /// What the policy does, in words, for replies.
    pub fn describe(self) -> &'static str {
        match self {
            HolidayPolicy::Skip => "shifts starting on a holiday are skipped",
            HolidayPolicy::Shift => {
                "shifts starting on a holiday start on the next working day instead"
            }
            HolidayPolicy::Ignore => "holidays are ignored",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{0}` is not a holiday policy: use `skip`, `shift` or `ignore`")]
pub struct HolidayPolicyError(pub String);

impl FromStr for HolidayPolicy {
    type Err = HolidayPolicyError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_lowercase().as_str() {
            "skip" => Ok(HolidayPolicy::Skip),
            "shift" | "move" => Ok(HolidayPolicy::Shift),
            "ignore" => Ok(HolidayPolicy::Ignore),
            _ => Err(HolidayPolicyError(s.chars().take(40).collect())),
        }
    }
}

impl fmt::Display for HolidayPolicy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What becomes of one shift.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ShiftOnHoliday {
    /// Not on a holiday, or the policy ignores them: the shift as planned.
    Keep {
        start: DateTime<Utc>,
        duration: TimeDelta,
    },
    /// Moved off the holiday `from`; it ends when it would have.
    Moved {
        start: DateTime<Utc>,
        duration: TimeDelta,
        from: NaiveDate,
    },
    /// Not held: it starts on the holiday `on` (or, moved, would have nothing left).
    Skipped { on: NaiveDate },
}

/// The most days a shift is moved forward looking for a working day (a year of holidays in a row
/// is a data-entry mistake, not a schedule).
const MAX_MOVE_DAYS: u32 = 366;

/// Applies `policy` to the shift starting at `start` for `duration`, given the holidays (dates on
/// the rotation's wall clock in `tz`).
pub fn apply(
    policy: HolidayPolicy,
    holidays: &BTreeSet<NaiveDate>,
    tz: Tz,
    start: DateTime<Utc>,
    duration: TimeDelta,
) -> ShiftOnHoliday {
    let local = to_local(start, tz);
    let day = local.date();
    if policy == HolidayPolicy::Ignore || !holidays.contains(&day) {
        return ShiftOnHoliday::Keep { start, duration };
    }
    if policy == HolidayPolicy::Skip {
        return ShiftOnHoliday::Skipped { on: day };
    }
    let finish = start + duration;
    let next = day
        .iter_days()
        .skip(1)
        .take(MAX_MOVE_DAYS as usize)
        .find(|d| !holidays.contains(d));
    let moved = next.and_then(|d| resolve_local(d.and_time(local.time()), tz));
    match moved {
        Some(new_start) if new_start < finish => ShiftOnHoliday::Moved {
            start: new_start,
            duration: finish - new_start,
            from: day,
        },
        _ => ShiftOnHoliday::Skipped { on: day },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().to_utc()
    }

    fn days(list: &[&str]) -> BTreeSet<NaiveDate> {
        list.iter().map(|d| d.parse().unwrap()).collect()
    }

    const BERLIN: Tz = chrono_tz::Europe::Berlin;

    #[test]
    fn a_shift_off_the_holidays_is_kept_whatever_the_policy() {
        let start = at("2026-12-21T08:00:00Z");
        for p in [
            HolidayPolicy::Skip,
            HolidayPolicy::Shift,
            HolidayPolicy::Ignore,
        ] {
            assert_eq!(
                apply(
                    p,
                    &days(&["2026-12-25"]),
                    BERLIN,
                    start,
                    TimeDelta::weeks(1)
                ),
                ShiftOnHoliday::Keep {
                    start,
                    duration: TimeDelta::weeks(1)
                }
            );
        }
    }

    #[test]
    fn the_holiday_is_the_date_on_the_rotations_wall_clock() {
        // 23:30 UTC on the 24th is already the 25th in Berlin.
        let start = at("2026-12-24T23:30:00Z");
        let h = days(&["2026-12-25"]);
        assert!(matches!(
            apply(HolidayPolicy::Skip, &h, BERLIN, start, TimeDelta::days(1)),
            ShiftOnHoliday::Skipped { .. }
        ));
        assert!(matches!(
            apply(HolidayPolicy::Skip, &h, Tz::UTC, start, TimeDelta::days(1)),
            ShiftOnHoliday::Keep { .. }
        ));
    }

    #[test]
    fn a_moved_shift_starts_on_the_next_working_day_and_keeps_its_end() {
        // Monday 2026-12-28 09:00 Berlin; Monday and Tuesday are holidays.
        let start = at("2026-12-28T08:00:00Z");
        let h = days(&["2026-12-28", "2026-12-29"]);
        let out = apply(HolidayPolicy::Shift, &h, BERLIN, start, TimeDelta::weeks(1));
        assert_eq!(
            out,
            ShiftOnHoliday::Moved {
                start: at("2026-12-30T08:00:00Z"),
                duration: TimeDelta::days(5),
                from: "2026-12-28".parse().unwrap(),
            }
        );
    }

    #[test]
    fn a_daily_shift_moved_past_its_own_end_is_skipped() {
        let start = at("2026-12-25T08:00:00Z");
        let out = apply(
            HolidayPolicy::Shift,
            &days(&["2026-12-25"]),
            BERLIN,
            start,
            TimeDelta::days(1),
        );
        assert!(matches!(out, ShiftOnHoliday::Skipped { .. }));
    }

    #[test]
    fn policies_parse_and_print() {
        for p in ["skip", "shift", "ignore"] {
            assert_eq!(p.parse::<HolidayPolicy>().unwrap().as_str(), p);
        }
        assert!("sometimes".parse::<HolidayPolicy>().is_err());
    }
}
