//! Shifts: the `n`-th occurrence of a rotation's period, as a task interval.

use chrono::{DateTime, TimeDelta, Utc};
use chrono_tz::Tz;

use super::interval::Interval;
use super::period::{Period, PeriodError};

/// The rotation settings that place shifts in time.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ShiftSchedule {
    pub period: Period,
    /// Start of shift 0.
    pub beginning: DateTime<Utc>,
    /// The zone the period's calendar arithmetic happens in.
    pub tz: Tz,
    /// Task duration; zero (or negative) means "the whole period", as upstream.
    pub duration: TimeDelta,
}

impl ShiftSchedule {
    /// Shift `n`: it starts at `period.shift_start(n)` and lasts `duration`, or until shift `n + 1`
    /// starts when `duration` is zero, so a monthly shift from Jan 31 covers Jan 31 – Feb 28 and a
    /// weekly one across a DST change lasts 167 or 169 hours.
    pub fn interval(&self, n: i64) -> Result<Interval, PeriodError> {
        let start = self.period.try_shift_start(self.beginning, self.tz, n)?;
        if self.duration > TimeDelta::zero() {
            return Ok(Interval::starting_at(start, self.duration));
        }
        let next = n.checked_add(1).ok_or(PeriodError::OutOfRange(n))?;
        let finish = self.period.try_shift_start(self.beginning, self.tz, next)?;
        Ok(Interval::new(start, finish))
    }

    /// The shift whose period contains `t`; `None` before the beginning.
    pub fn number_at(&self, t: DateTime<Utc>) -> Option<i64> {
        self.period.shift_number_at(self.beginning, self.tz, t)
    }
}

/// Shift `n`'s interval for the given rotation settings; see `ShiftSchedule::interval`.
pub fn shift_interval(
    period: Period,
    beginning: DateTime<Utc>,
    tz: Tz,
    duration: TimeDelta,
    n: i64,
) -> Result<Interval, PeriodError> {
    ShiftSchedule {
        period,
        beginning,
        tz,
        duration,
    }
    .interval(n)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn default_duration_is_the_whole_period_and_a_set_one_wins() {
        let beginning = Utc.with_ymd_and_hms(2026, 1, 31, 9, 0, 0).unwrap();
        let tz = chrono_tz::UTC;
        let s = shift_interval(Period::Monthly, beginning, tz, TimeDelta::zero(), 1).unwrap();
        assert_eq!(s.start, Utc.with_ymd_and_hms(2026, 2, 28, 9, 0, 0).unwrap());
        assert_eq!(
            s.finish,
            Utc.with_ymd_and_hms(2026, 3, 31, 9, 0, 0).unwrap()
        );
        let s = shift_interval(Period::Monthly, beginning, tz, TimeDelta::hours(8), 1).unwrap();
        assert_eq!(s.duration(), TimeDelta::hours(8));
    }

    #[test]
    fn far_away_shift_numbers_are_errors_not_panics() {
        let beginning = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
        let sched = ShiftSchedule {
            period: Period::Daily,
            beginning,
            tz: chrono_tz::UTC,
            duration: TimeDelta::zero(),
        };
        assert!(matches!(
            sched.interval(i64::MAX),
            Err(PeriodError::OutOfRange(_))
        ));
        assert!(sched.interval(-5).is_ok());
    }
}
