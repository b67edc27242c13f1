//! Durations as people type them: `30m`, `1h30m`, `300h`, `3d`, `2w`, `90s`, `0`.
//!
//! A day is 24 hours and a week 7 days here: these are spans of time (grace, reminders, lead times),
//! not calendar steps; calendar arithmetic lives in `period`.

use chrono::TimeDelta;

/// Longest accepted duration: ten years is far beyond any sensible rotation setting.
pub const MAX_DURATION_SECS: i64 = 10 * 366 * 24 * 3600;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DurationError {
    #[error(
        "`{0}` is not a duration: write a number and a unit, e.g. `30m`, `1h30m`, `300h`, `3d` or `2w`"
    )]
    Invalid(String),
    #[error("`{0}` is too long: durations go up to ten years")]
    TooLong(String),
}

/// Parses a non-negative duration made of `<number><unit>` parts, units `w d h m s`.
pub fn parse_duration(input: &str) -> Result<TimeDelta, DurationError> {
    let s = input.trim();
    let invalid = || DurationError::Invalid(input.to_string());
    if s == "0" {
        return Ok(TimeDelta::zero());
    }
    if s.is_empty() {
        return Err(invalid());
    }
    let mut total: i64 = 0;
    let mut rest = s;
    while !rest.is_empty() {
        let digits = rest.chars().take_while(|c| c.is_ascii_digit()).count();
        if digits == 0 || digits > 12 {
            return Err(invalid());
        }
        let n: i64 = rest[..digits].parse().map_err(|_| invalid())?;
        rest = &rest[digits..];
        let unit = rest.chars().next().ok_or_else(invalid)?;
        let secs = match unit.to_ascii_lowercase() {
            'w' => 7 * 24 * 3600,
            'd' => 24 * 3600,
            'h' => 3600,
            'm' => 60,
            's' => 1,
            _ => return Err(invalid()),
        };
        rest = &rest[unit.len_utf8()..];
        total = n
            .checked_mul(secs)
            .and_then(|v| v.checked_add(total))
            .ok_or_else(|| DurationError::TooLong(input.to_string()))?;
        if total > MAX_DURATION_SECS {
            return Err(DurationError::TooLong(input.to_string()));
        }
    }
    Ok(TimeDelta::seconds(total))
}

/// Formats a duration in the same units `parse_duration` reads, largest first: `1w2d`, `1h30m`, `0`.
pub fn format_duration(d: TimeDelta) -> String {
    let mut secs = d.num_seconds();
    if secs == 0 {
        return "0".to_string();
    }
    let mut out = String::new();
    if secs < 0 {
        out.push('-');
        secs = -secs;
    }
    for (unit, size) in [
        ("w", 7 * 86400),
        ("d", 86400),
        ("h", 3600),
        ("m", 60),
        ("s", 1),
    ] {
        if secs >= size {
            out.push_str(&format!("{}{unit}", secs / size));
            secs %= size;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_every_unit_and_combinations() {
        assert_eq!(parse_duration("30m"), Ok(TimeDelta::minutes(30)));
        assert_eq!(parse_duration("1h30m"), Ok(TimeDelta::minutes(90)));
        assert_eq!(parse_duration("300h"), Ok(TimeDelta::hours(300)));
        assert_eq!(parse_duration("3d"), Ok(TimeDelta::days(3)));
        assert_eq!(parse_duration("2w"), Ok(TimeDelta::weeks(2)));
        assert_eq!(parse_duration("90s"), Ok(TimeDelta::seconds(90)));
        assert_eq!(parse_duration("0"), Ok(TimeDelta::zero()));
        assert_eq!(parse_duration("1W2D"), Ok(TimeDelta::days(9)));
    }

    #[test]
    fn rejects_garbage_and_absurd_lengths() {
        for bad in [
            "",
            "h",
            "5",
            "5x",
            "-5m",
            "1.5h",
            "1h 30m",
            "m5",
            "99999999999999w",
        ] {
            assert!(parse_duration(bad).is_err(), "{bad} should fail");
        }
        assert!(matches!(
            parse_duration("600w"),
            Err(DurationError::TooLong(_))
        ));
    }

    #[test]
    fn formatting_round_trips() {
        for s in ["1w", "1h30m", "1w5d12h", "45s", "0"] {
            assert_eq!(format_duration(parse_duration(s).unwrap()), s);
        }
        assert_eq!(format_duration(parse_duration("300h").unwrap()), "1w5d12h");
    }
}
