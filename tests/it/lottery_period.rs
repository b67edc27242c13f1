//! Periods in the rotation's time zone: DST changes, gaps and folds, month ends, and the shift
//! number ↔ start time round trip.

use chrono::{DateTime, Datelike, LocalResult, NaiveDate, TimeDelta, TimeZone, Timelike, Utc};
use chrono_tz::Tz;
use proptest::prelude::*;
use solar_lottery::lottery::{Period, ShiftSchedule, local_time, shift_interval};

fn at(tz: Tz, y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
    tz.with_ymd_and_hms(y, m, d, h, min, 0)
        .earliest()
        .unwrap()
        .with_timezone(&Utc)
}

fn utc(y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, m, d, h, min, 0).unwrap()
}

fn local_hm(t: DateTime<Utc>, tz: Tz) -> (u32, u32) {
    let l = t.with_timezone(&tz);
    (l.hour(), l.minute())
}

#[test]
fn weekly_monday_0900_berlin_stays_0900_across_march_and_october_changes() {
    let tz = chrono_tz::Europe::Berlin;
    // 2026: summer time from Mar 29, winter time from Oct 25.
    let b = at(tz, 2026, 3, 16, 9, 0);
    assert_eq!(b, utc(2026, 3, 16, 8, 0));
    let starts: Vec<_> = (0..4)
        .map(|n| Period::Weekly.shift_start(b, tz, n))
        .collect();
    assert_eq!(
        starts,
        vec![
            utc(2026, 3, 16, 8, 0),
            utc(2026, 3, 23, 8, 0),
            utc(2026, 3, 30, 7, 0),
            utc(2026, 4, 6, 7, 0)
        ]
    );
    let across = shift_interval(Period::Weekly, b, tz, TimeDelta::zero(), 1).unwrap();
    assert_eq!(across.duration(), TimeDelta::hours(167));

    let b = at(tz, 2026, 10, 19, 9, 0);
    let s1 = Period::Weekly.shift_start(b, tz, 1);
    assert_eq!(s1, utc(2026, 10, 26, 8, 0));
    assert_eq!(local_hm(s1, tz), (9, 0));
    let across = shift_interval(Period::Weekly, b, tz, TimeDelta::zero(), 0).unwrap();
    assert_eq!(across.duration(), TimeDelta::hours(169));
}

#[test]
fn weekly_and_biweekly_new_york_stay_0900_across_march_and_november_changes() {
    let tz = chrono_tz::America::New_York;
    // 2026: EDT from Mar 8, EST from Nov 1.
    let b = at(tz, 2026, 3, 2, 9, 0);
    assert_eq!(b, utc(2026, 3, 2, 14, 0));
    assert_eq!(Period::Weekly.shift_start(b, tz, 1), utc(2026, 3, 9, 13, 0));
    let b = at(tz, 2026, 10, 26, 9, 0);
    assert_eq!(
        Period::Weekly.shift_start(b, tz, 1),
        utc(2026, 11, 2, 14, 0)
    );
    // A year of weekly and biweekly shifts: all at 09:00 local, all on Monday.
    for period in [Period::Weekly, Period::Biweekly] {
        for n in 0..53 {
            let s = period.shift_start(b, tz, n);
            assert_eq!(local_hm(s, tz), (9, 0), "{period} shift {n}");
            assert_eq!(
                s.with_timezone(&tz).weekday(),
                chrono::Weekday::Mon,
                "{period} shift {n}"
            );
        }
    }
}

#[test]
fn a_daily_time_inside_the_spring_gap_moves_forward_by_the_gap() {
    let tz = chrono_tz::Europe::Berlin;
    let b = at(tz, 2026, 3, 27, 2, 30);
    assert_eq!(b, utc(2026, 3, 27, 1, 30));
    // Mar 29 02:30 does not exist: 03:30 CEST, i.e. 02:30 read with the winter offset.
    let gap = Period::Daily.shift_start(b, tz, 2);
    assert_eq!(gap, utc(2026, 3, 29, 1, 30));
    assert_eq!(local_hm(gap, tz), (3, 30));
    // The day after is back at 02:30, now in summer time.
    assert_eq!(Period::Daily.shift_start(b, tz, 3), utc(2026, 3, 30, 0, 30));
    assert_eq!(Period::Daily.shift_number_at(b, tz, gap), Some(2));
}

#[test]
fn a_daily_time_inside_the_autumn_fold_takes_the_first_occurrence() {
    let tz = chrono_tz::America::New_York;
    let b = at(tz, 2026, 10, 30, 1, 30);
    let fold = Period::Daily.shift_start(b, tz, 2);
    assert_eq!(fold, utc(2026, 11, 1, 5, 30), "01:30 EDT");
    let next = Period::Daily.shift_start(b, tz, 3);
    assert_eq!(next, utc(2026, 11, 2, 6, 30), "01:30 EST");
    let s = shift_interval(Period::Daily, b, tz, TimeDelta::zero(), 2).unwrap();
    assert_eq!(s.duration(), TimeDelta::hours(25));
}

#[test]
fn monthly_from_jan_31_clamps_each_month_without_drifting() {
    let tz = chrono_tz::UTC;
    let b = utc(2026, 1, 31, 9, 0);
    let starts: Vec<_> = (0..5)
        .map(|n| Period::Monthly.shift_start(b, tz, n))
        .collect();
    assert_eq!(
        starts,
        vec![
            utc(2026, 1, 31, 9, 0),
            utc(2026, 2, 28, 9, 0),
            utc(2026, 3, 31, 9, 0),
            utc(2026, 4, 30, 9, 0),
            utc(2026, 5, 31, 9, 0)
        ]
    );
    // Leap year.
    let b = utc(2028, 1, 31, 9, 0);
    assert_eq!(
        Period::Monthly.shift_start(b, tz, 1),
        utc(2028, 2, 29, 9, 0)
    );
    // Counting back clamps too.
    let b = utc(2026, 3, 31, 9, 0);
    assert_eq!(
        Period::Monthly.shift_start(b, tz, -1),
        utc(2026, 2, 28, 9, 0)
    );
}

#[test]
fn monthly_shift_numbers_follow_the_clamped_starts() {
    let tz = chrono_tz::UTC;
    let b = utc(2026, 1, 31, 9, 0);
    let p = Period::Monthly;
    assert_eq!(p.shift_number_at(b, tz, utc(2026, 1, 31, 8, 59)), None);
    assert_eq!(p.shift_number_at(b, tz, b), Some(0));
    assert_eq!(p.shift_number_at(b, tz, utc(2026, 2, 28, 8, 59)), Some(0));
    assert_eq!(p.shift_number_at(b, tz, utc(2026, 2, 28, 9, 0)), Some(1));
    assert_eq!(p.shift_number_at(b, tz, utc(2026, 3, 30, 23, 0)), Some(1));
    assert_eq!(p.shift_number_at(b, tz, utc(2026, 3, 31, 9, 0)), Some(2));
}

#[test]
fn monthly_berlin_keeps_local_time_across_dst() {
    let tz = chrono_tz::Europe::Berlin;
    let b = at(tz, 2026, 1, 15, 9, 0);
    for n in 0..24 {
        let s = Period::Monthly.shift_start(b, tz, n);
        assert_eq!(local_hm(s, tz), (9, 0));
        assert_eq!(s.with_timezone(&tz).day(), 15);
    }
}

#[test]
fn every_duration_periods_are_fixed_steps_of_real_time() {
    let tz = chrono_tz::Europe::Berlin;
    let b = at(tz, 2026, 3, 27, 9, 0);
    let p = Period::Every(TimeDelta::hours(72));
    assert_eq!(p.shift_start(b, tz, 1), b + TimeDelta::hours(72));
    assert_eq!(p.shift_start(b, tz, 10), b + TimeDelta::hours(720));
    assert_eq!(p.shift_start(b, tz, -1), b - TimeDelta::hours(72));
    assert_eq!(p.shift_number_at(b, tz, b + TimeDelta::hours(71)), Some(0));
    assert_eq!(p.shift_number_at(b, tz, b + TimeDelta::hours(72)), Some(1));
    // Fixed steps do not follow the local clock: across the DST change 09:00 becomes 10:00.
    assert_eq!(local_hm(p.shift_start(b, tz, 1), tz), (10, 0));
}

#[test]
fn far_future_times_resolve_directly() {
    let tz = chrono_tz::America::New_York;
    let b = at(tz, 2026, 1, 5, 9, 0);
    let t = utc(9000, 6, 1, 12, 0);
    for p in [
        Period::Daily,
        Period::Weekly,
        Period::Biweekly,
        Period::Monthly,
        Period::Every(TimeDelta::hours(5)),
    ] {
        let n = p.shift_number_at(b, tz, t).unwrap();
        assert!(p.shift_start(b, tz, n) <= t, "{p}");
        assert!(p.shift_start(b, tz, n + 1) > t, "{p}");
    }
}

#[test]
fn average_durations_match_upstream() {
    assert_eq!(Period::Daily.average_duration(), TimeDelta::hours(24));
    assert_eq!(Period::Weekly.average_duration(), TimeDelta::hours(168));
    assert_eq!(Period::Biweekly.average_duration(), TimeDelta::hours(336));
    assert_eq!(
        Period::Monthly.average_duration(),
        TimeDelta::seconds(2_628_288)
    );
    assert_eq!(
        Period::Every(TimeDelta::hours(72)).average_duration(),
        TimeDelta::hours(72)
    );
}

#[test]
fn out_of_range_shift_numbers_saturate_or_error_without_panicking() {
    let b = utc(2026, 1, 1, 0, 0);
    for p in [
        Period::Daily,
        Period::Monthly,
        Period::Every(TimeDelta::hours(1)),
    ] {
        assert!(p.try_shift_start(b, chrono_tz::UTC, i64::MAX).is_err());
        assert_eq!(
            p.shift_start(b, chrono_tz::UTC, i64::MAX),
            DateTime::<Utc>::MAX_UTC
        );
        assert_eq!(
            p.shift_start(b, chrono_tz::UTC, i64::MIN),
            DateTime::<Utc>::MIN_UTC
        );
    }
    let s = ShiftSchedule {
        period: Period::Weekly,
        beginning: b,
        tz: chrono_tz::UTC,
        duration: TimeDelta::zero(),
    };
    assert!(s.interval(i64::MAX).is_err());
    assert_eq!(s.number_at(utc(2026, 1, 8, 0, 0)), Some(1));
}

const ZONES: [Tz; 7] = [
    chrono_tz::UTC,
    chrono_tz::Europe::Berlin,
    chrono_tz::America::New_York,
    chrono_tz::Australia::Sydney,
    chrono_tz::Australia::Lord_Howe,
    chrono_tz::Asia::Kolkata,
    chrono_tz::America::Santiago,
];

fn period() -> impl Strategy<Value = Period> {
    prop_oneof![
        Just(Period::Daily),
        Just(Period::Weekly),
        Just(Period::Biweekly),
        Just(Period::Monthly),
        (1i64..2000).prop_map(|h| Period::Every(TimeDelta::minutes(h * 37))),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn shift_numbers_and_starts_are_inverse(
        zone in 0..ZONES.len(),
        p in period(),
        secs in 946_684_800i64..2_208_988_800,
        n in 0i64..1500,
        frac in 0.0f64..1.0,
    ) {
        let tz = ZONES[zone];
        let b = DateTime::from_timestamp(secs, 0).unwrap();
        let start = p.shift_start(b, tz, n);
        let next = p.shift_start(b, tz, n + 1);
        prop_assert!(start < next, "starts must increase: {start} !< {next}");
        prop_assert_eq!(p.shift_number_at(b, tz, start), Some(n));
        let inside = start + TimeDelta::seconds(((next - start).num_seconds() as f64 * frac) as i64);
        prop_assert_eq!(p.shift_number_at(b, tz, inside), Some(n));
        prop_assert_eq!(p.shift_number_at(b, tz, b - TimeDelta::seconds(1)), None);
    }

    #[test]
    fn calendar_periods_keep_the_wall_clock_unless_it_does_not_exist(
        zone in 0..ZONES.len(),
        kind in 0usize..4,
        secs in 946_684_800i64..2_208_988_800,
        n in 1i64..600,
    ) {
        let tz = ZONES[zone];
        let p = [Period::Daily, Period::Weekly, Period::Biweekly, Period::Monthly][kind];
        let b = DateTime::from_timestamp(secs, 0).unwrap();
        let lb = local_time::to_local(b, tz);
        let expected_date = match p {
            Period::Daily => lb.date() + TimeDelta::days(n),
            Period::Weekly => lb.date() + TimeDelta::days(7 * n),
            Period::Biweekly => lb.date() + TimeDelta::days(14 * n),
            _ => {
                let months = lb.year() * 12 + lb.month0() as i32 + n as i32;
                let (y, m0) = (months.div_euclid(12), months.rem_euclid(12) as u32);
                let mut d = lb.day();
                while NaiveDate::from_ymd_opt(y, m0 + 1, d).is_none() { d -= 1; }
                NaiveDate::from_ymd_opt(y, m0 + 1, d).unwrap()
            }
        };
        let expected = expected_date.and_time(lb.time());
        let got = local_time::to_local(p.shift_start(b, tz, n), tz);
        match tz.from_local_datetime(&expected) {
            LocalResult::None => {
                // In a gap: pushed forward, by at most the gap (never more than 2 hours).
                prop_assert!(got > expected && got - expected <= TimeDelta::hours(2));
            }
            _ => prop_assert_eq!(got, expected),
        }
    }
}
