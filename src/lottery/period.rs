//! How often shifts recur. Calendar arithmetic happens in the rotation's IANA time zone, so a weekly
//! Monday 09:00 shift stays at 09:00 local across daylight-saving changes; months clamp to the last
//! day (Jan 31 + 1 month = Feb 28/29).
//!
//! Shift `n` always starts at `beginning + n` calendar steps, computed afresh from the beginning and
//! never chained from the previous shift, so clamping does not drift: a monthly rotation that begins
//! on Jan 31 runs Jan 31, Feb 28, Mar 31, Apr 30. Wall-clock times that a daylight-saving change
//! skips or repeats are resolved as `local_time` documents (gap: moved forward by the gap; fold: the
//! first occurrence). Shift 0 is always exactly `beginning`.

use chrono::{DateTime, Datelike, Days, Months, NaiveDateTime, TimeDelta, Utc};
use chrono_tz::Tz;
use std::fmt;
use std::str::FromStr;

use super::duration::{format_duration, parse_duration};
use super::local_time::{resolve_local, to_local};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PeriodError {
    #[error(
        "`{0}` is not a period: use daily, weekly, biweekly, monthly, or a duration such as `3d` or `12h`"
    )]
    Invalid(String),
    #[error("a custom period must be at least one hour, not `{0}`")]
    TooShort(String),
    #[error("shift number {0} is too far from the rotation's beginning: no calendar reaches it")]
    OutOfRange(i64),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Period {
    Daily,
    Weekly,
    Biweekly,
    Monthly,
    /// A fixed span of real time (not calendar days), at least one hour.
    Every(TimeDelta),
}

impl FromStr for Period {
    type Err = PeriodError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let t = s.trim().to_ascii_lowercase();
        Ok(match t.as_str() {
            "d" | "day" | "daily" => Period::Daily,
            "w" | "week" | "weekly" => Period::Weekly,
            "2weeks" | "2w" | "biweekly" | "bi-weekly" | "fortnightly" => Period::Biweekly,
            "m" | "month" | "monthly" => Period::Monthly,
            _ => {
                let d = parse_duration(&t).map_err(|_| PeriodError::Invalid(s.to_string()))?;
                if d < TimeDelta::hours(1) {
                    return Err(PeriodError::TooShort(s.to_string()));
                }
                Period::Every(d)
            }
        })
    }
}

impl fmt::Display for Period {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Period::Daily => f.write_str("daily"),
            Period::Weekly => f.write_str("weekly"),
            Period::Biweekly => f.write_str("biweekly"),
            Period::Monthly => f.write_str("monthly"),
            Period::Every(d) => write!(f, "every {}", format_duration(*d)),
        }
    }
}

impl Period {
    /// The stored/input form: `daily`, `weekly`, `biweekly`, `monthly` or a duration like `3d`.
    pub fn to_input(&self) -> String {
        match self {
            Period::Every(d) => format_duration(*d),
            other => other.to_string(),
        }
    }
}

/// Average length of a month: 30.42 days, as upstream, so weights keep upstream's scale.
const MONTH_SECONDS: i64 = 2_628_288;

impl Period {
    /// The typical length of one period, which sets how fast lottery weights grow.
    /// A month is 730.08 h (upstream's figure); calendar periods ignore daylight-saving hours.
    pub fn average_duration(&self) -> TimeDelta {
        match self {
            Period::Daily => TimeDelta::days(1),
            Period::Weekly => TimeDelta::weeks(1),
            Period::Biweekly => TimeDelta::weeks(2),
            Period::Monthly => TimeDelta::seconds(MONTH_SECONDS),
            Period::Every(d) => *d,
        }
    }

    /// Start of shift `n` (negative counts back), computed in `tz`'s local time; see the module doc.
    pub fn try_shift_start(
        &self,
        beginning: DateTime<Utc>,
        tz: Tz,
        n: i64,
    ) -> Result<DateTime<Utc>, PeriodError> {
        if n == 0 {
            return Ok(beginning);
        }
        let out = || PeriodError::OutOfRange(n);
        match self {
            Period::Every(d) => {
                if *d <= TimeDelta::zero() {
                    return Err(PeriodError::TooShort(format_duration(*d)));
                }
                let step = i32::try_from(n)
                    .ok()
                    .and_then(|k| d.checked_mul(k))
                    .ok_or_else(out)?;
                beginning.checked_add_signed(step).ok_or_else(out)
            }
            Period::Daily => step_days(beginning, tz, n, 1).ok_or_else(out),
            Period::Weekly => step_days(beginning, tz, n, 7).ok_or_else(out),
            Period::Biweekly => step_days(beginning, tz, n, 14).ok_or_else(out),
            Period::Monthly => {
                let local = to_local(beginning, tz);
                let months = Months::new(u32::try_from(n.unsigned_abs()).map_err(|_| out())?);
                let shifted = if n > 0 {
                    local.checked_add_months(months)
                } else {
                    local.checked_sub_months(months)
                };
                shifted.and_then(|l| resolve_local(l, tz)).ok_or_else(out)
            }
        }
    }

    /// Start of shift `n`, like `try_shift_start`, saturating at chrono's earliest/latest instant for
    /// shift numbers no calendar reaches (millions of years away), so it never fails or panics.
    pub fn shift_start(&self, beginning: DateTime<Utc>, tz: Tz, n: i64) -> DateTime<Utc> {
        self.try_shift_start(beginning, tz, n).unwrap_or(if n < 0 {
            DateTime::<Utc>::MIN_UTC
        } else {
            DateTime::<Utc>::MAX_UTC
        })
    }

    /// The shift whose `[start_n, start_n+1)` contains `t`; `None` before the beginning.
    ///
    /// Constant time: an estimate from the elapsed calendar time, corrected by a step or two (a
    /// daylight-saving hour can move a boundary across `t`), so far-future times cost nothing extra.
    pub fn shift_number_at(
        &self,
        beginning: DateTime<Utc>,
        tz: Tz,
        t: DateTime<Utc>,
    ) -> Option<i64> {
        if t < beginning {
            return None;
        }
        let estimate = match self {
            Period::Every(d) => {
                let step = d.num_milliseconds();
                if step <= 0 {
                    return None;
                }
                (t - beginning).num_milliseconds() / step
            }
            Period::Daily => local_days_between(beginning, t, tz),
            Period::Weekly => local_days_between(beginning, t, tz).div_euclid(7),
            Period::Biweekly => local_days_between(beginning, t, tz).div_euclid(14),
            Period::Monthly => {
                let (b, l) = (to_local(beginning, tz), to_local(t, tz));
                i64::from(l.year() - b.year()) * 12 + i64::from(l.month()) - i64::from(b.month())
            }
        };
        // Shift starts strictly increase with n, so walking towards `t` converges; the estimate is
        // at most a step or two off, and the bound only guards against a bug turning into a hang.
        let mut n = estimate.max(0);
        for _ in 0..64 {
            if self.try_shift_start(beginning, tz, n).is_ok_and(|s| s > t) {
                n -= 1;
            } else if self
                .try_shift_start(beginning, tz, n + 1)
                .is_ok_and(|s| s <= t)
            {
                n += 1;
            } else {
                return Some(n);
            }
        }
        None
    }
}

/// Adds `n * step` calendar days to the local date-time, keeping the wall-clock time.
fn step_days(beginning: DateTime<Utc>, tz: Tz, n: i64, step: i64) -> Option<DateTime<Utc>> {
    let local = to_local(beginning, tz);
    let days = Days::new(n.checked_mul(step)?.unsigned_abs());
    let shifted: NaiveDateTime = if n > 0 {
        local.checked_add_days(days)?
    } else {
        local.checked_sub_days(days)?
    };
    resolve_local(shifted, tz)
}

/// Whole local calendar days from `a` to `b` (wall clock), an estimate for the day-based periods.
fn local_days_between(a: DateTime<Utc>, b: DateTime<Utc>, tz: Tz) -> i64 {
    (to_local(b, tz) - to_local(a, tz)).num_days()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_words_and_durations() {
        assert_eq!("Weekly".parse::<Period>(), Ok(Period::Weekly));
        assert_eq!("bi-weekly".parse::<Period>(), Ok(Period::Biweekly));
        assert_eq!("m".parse::<Period>(), Ok(Period::Monthly));
        assert_eq!(
            "3d".parse::<Period>(),
            Ok(Period::Every(TimeDelta::days(3)))
        );
        assert!(matches!(
            "30m".parse::<Period>(),
            Err(PeriodError::TooShort(_))
        ));
        assert!("workday".parse::<Period>().is_err());
        for p in ["daily", "weekly", "biweekly", "monthly", "3d"] {
            assert_eq!(p.parse::<Period>().unwrap().to_input(), p);
        }
    }
}
