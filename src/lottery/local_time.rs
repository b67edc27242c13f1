//! Turning a wall-clock time in a rotation's zone into an instant, deterministically, even when the
//! clock skips (spring forward) or repeats (fall back) that time.
//!
//! The rules are those of RFC 5545 and JavaScript's Temporal "compatible" mode, which calendar users
//! already live with:
//! - **Gap** (the local time does not exist, e.g. 02:30 on the night Berlin springs forward): read
//!   the time with the offset in force just *before* the change, which lands the same distance past
//!   the change: 02:30 → 03:30 local.
//! - **Fold** (the local time happens twice, e.g. 01:30 on the night New York falls back): take the
//!   *earlier* instant, the first time the clock shows it.

use chrono::{DateTime, LocalResult, NaiveDateTime, Offset, TimeDelta, TimeZone, Utc};
use chrono_tz::Tz;

/// The instant a wall clock in `tz` shows `local`, with gaps and folds resolved as documented above.
/// `None` only at the far edges of chrono's range.
pub fn resolve_local(local: NaiveDateTime, tz: Tz) -> Option<DateTime<Utc>> {
    match tz.from_local_datetime(&local) {
        LocalResult::Single(t) => Some(t.with_timezone(&Utc)),
        LocalResult::Ambiguous(earliest, _) => Some(earliest.with_timezone(&Utc)),
        LocalResult::None => {
            // Find the offset in force before the gap: transitions are hours apart at most, and
            // zones do not change twice within a day and a half.
            let probe = local.checked_sub_signed(TimeDelta::hours(36))?.and_utc();
            let before = tz.offset_from_utc_datetime(&probe.naive_utc()).fix();
            let utc = local
                .checked_sub_signed(TimeDelta::seconds(i64::from(before.local_minus_utc())))?;
            Some(utc.and_utc())
        }
    }
}

/// The wall-clock time in `tz` at instant `t`.
pub fn to_local(t: DateTime<Utc>, tz: Tz) -> NaiveDateTime {
    t.with_timezone(&tz).naive_local()
}

/// `t + d` as a calendar in `tz` reads it: a whole number of days lands at the same wall-clock time
/// (a week of grace after a 09:00 handover ends at 09:00 local, even across a DST change, when that
/// week is 167 or 169 hours); any other span is an exact duration. Saturates instead of overflowing.
pub fn add_wall_clock(t: DateTime<Utc>, d: TimeDelta, tz: Tz) -> DateTime<Utc> {
    let exact = t.checked_add_signed(d).unwrap_or(if d < TimeDelta::zero() {
        DateTime::<Utc>::MIN_UTC
    } else {
        DateTime::<Utc>::MAX_UTC
    });
    if d.is_zero() || d.num_seconds() % 86_400 != 0 {
        return exact;
    }
    to_local(t, tz)
        .checked_add_signed(d)
        .and_then(|local| resolve_local(local, tz))
        .unwrap_or(exact)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    fn local(y: i32, m: u32, d: u32, h: u32, min: u32) -> NaiveDateTime {
        NaiveDate::from_ymd_opt(y, m, d)
            .unwrap()
            .and_hms_opt(h, min, 0)
            .unwrap()
    }

    fn utc(y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
        local(y, m, d, h, min).and_utc()
    }

    #[test]
    fn ordinary_times_use_the_offset_of_the_day() {
        let berlin = chrono_tz::Europe::Berlin;
        assert_eq!(
            resolve_local(local(2026, 1, 5, 9, 0), berlin),
            Some(utc(2026, 1, 5, 8, 0))
        );
        assert_eq!(
            resolve_local(local(2026, 7, 6, 9, 0), berlin),
            Some(utc(2026, 7, 6, 7, 0))
        );
    }

    #[test]
    fn a_time_in_the_spring_gap_moves_forward_by_the_gap() {
        // Berlin 2026-03-29: 02:00 CET jumps to 03:00 CEST (01:00 UTC).
        let t = resolve_local(local(2026, 3, 29, 2, 30), chrono_tz::Europe::Berlin).unwrap();
        assert_eq!(t, utc(2026, 3, 29, 1, 30));
        assert_eq!(
            to_local(t, chrono_tz::Europe::Berlin),
            local(2026, 3, 29, 3, 30)
        );
    }

    #[test]
    fn a_repeated_time_in_the_autumn_fold_takes_the_first_occurrence() {
        // New York 2026-11-01: 02:00 EDT falls back to 01:00 EST; 01:30 happens twice.
        let t = resolve_local(local(2026, 11, 1, 1, 30), chrono_tz::America::New_York).unwrap();
        assert_eq!(t, utc(2026, 11, 1, 5, 30), "01:30 EDT, not 01:30 EST");
    }

    #[test]
    fn whole_days_keep_the_wall_clock_across_dst() {
        let berlin = chrono_tz::Europe::Berlin;
        // 2030-03-25 09:00 CET; the clocks spring forward on 2030-03-31.
        let t = resolve_local(local(2030, 3, 25, 9, 0), berlin).unwrap();
        let week = add_wall_clock(t, TimeDelta::weeks(1), berlin);
        assert_eq!(to_local(week, berlin), local(2030, 4, 1, 9, 0));
        assert_eq!(week - t, TimeDelta::hours(167));
        // Spans that aren't whole days stay exact.
        let hours = add_wall_clock(t, TimeDelta::hours(170), berlin);
        assert_eq!(hours - t, TimeDelta::hours(170));
        // UTC has no DST: a week is 168 hours.
        assert_eq!(
            add_wall_clock(t, TimeDelta::weeks(1), Tz::UTC) - t,
            TimeDelta::hours(168)
        );
    }
}
