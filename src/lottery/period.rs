//! How often shifts recur. Calendar arithmetic happens in the rotation's IANA time zone, so a weekly
//! Monday 09:00 shift stays at 09:00 local across daylight-saving changes; months clamp to the last
//! day (Jan 31 + 1 month = Feb 28/29).

use chrono::TimeDelta;
use std::fmt;
use std::str::FromStr;

use super::duration::{format_duration, parse_duration};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PeriodError {
    #[error(
        "`{0}` is not a period: use daily, weekly, biweekly, monthly, or a duration such as `3d` or `12h`"
    )]
    Invalid(String),
    #[error("a custom period must be at least one hour, not `{0}`")]
    TooShort(String),
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
