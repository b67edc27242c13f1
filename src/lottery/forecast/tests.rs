use chrono::TimeZone;

use super::*;
use crate::lottery::fill::{Assigned, Candidate};
use crate::lottery::ids::{RotationId, TaskId};
use crate::lottery::needs::Needs;
use crate::lottery::period::Period;
use crate::lottery::skill::{Level, SkillLevel, SkillName, Skills};

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2030, 3, 4, 9, 0, 0).unwrap()
}

fn user(name: &str) -> UserId {
    UserId::new(name)
}

fn skills(list: &[&str]) -> Skills {
    list.iter()
        .map(|s| (SkillName::parse(s).unwrap(), Level::Beginner))
        .collect()
}

fn candidate(name: &str, skill_list: &[&str]) -> Candidate {
    Candidate {
        user: user(name),
        skills: skills(skill_list),
        last_served: None,
        joined_at: t0() - TimeDelta::weeks(4),
        unavailable: Vec::new(),
    }
}

fn needs(list: &[(&str, u32)]) -> Needs {
    let mut n = Needs::new();
    for (s, c) in list {
        n.set(s.parse::<SkillLevel>().unwrap(), *c);
    }
    n
}

/// Weekly shift `n` needing `require`, among `candidates`.
fn shift(n: i64, require: Needs, candidates: Vec<Candidate>) -> ForecastShift {
    let interval = Interval::starting_at(t0() + TimeDelta::weeks(n), TimeDelta::weeks(1));
    ForecastShift::Draw {
        request: FillRequest {
            rotation: RotationId(1),
            task: TaskId(-1 - n),
            seed: 0,
            fuzz: 0,
            period: Period::Weekly,
            beginning: t0() - TimeDelta::weeks(4),
            interval,
            for_time: interval.start,
            require,
            limit: Needs::new(),
            assigned: Vec::new(),
            candidates,
        },
        grace: TimeDelta::zero(),
    }
}

fn run(shifts: Vec<ForecastShift>) -> ForecastReport {
    forecast(&Forecast {
        shifts,
        tz: chrono_tz::UTC,
        seed: 42,
        draws: DEFAULT_DRAWS,
    })
}

fn team() -> Vec<Candidate> {
    vec![
        candidate("ann", &[]),
        candidate("bob", &[]),
        candidate("cy", &[]),
    ]
}

#[test]
fn each_shift_counts_as_many_services_per_draw_as_it_needs_people() {
    let report = run((0..4)
        .map(|n| shift(n, needs(&[("any", 2)]), team()))
        .collect());
    assert_eq!(report.draws, 1_000);
    for odds in &report.shifts {
        assert_eq!(odds.unfilled, 0);
        assert_eq!(odds.served.values().sum::<u32>(), 2 * 1_000);
        assert!(odds.served.values().all(|&n| n <= 1_000));
    }
}

#[test]
fn equal_members_get_about_equal_odds_and_the_draws_replay() {
    let shifts: Vec<_> = vec![shift(0, needs(&[("any", 1)]), team())];
    let report = run(shifts.clone());
    for n in report.shifts[0].served.values() {
        assert!((250..=420).contains(n), "{report:?}");
    }
    assert_eq!(report, run(shifts));
}

#[test]
fn a_draw_carries_its_picks_into_the_later_shifts() {
    // Two people, both on shift 0, a week's grace after it: in every draw nobody is left for shift 1.
    let pair = vec![candidate("ann", &[]), candidate("bob", &[])];
    let mut shifts = vec![
        shift(0, needs(&[("any", 2)]), pair.clone()),
        shift(1, needs(&[("any", 1)]), pair),
    ];
    for s in &mut shifts {
        if let ForecastShift::Draw { grace, .. } = s {
            *grace = TimeDelta::weeks(1);
        }
    }
    let report = run(shifts);
    assert_eq!(report.shifts[0].served.values().sum::<u32>(), 2_000);
    assert_eq!(report.shifts[1].unfilled, 1_000, "{report:?}");
    assert!(report.shifts[1].served.is_empty());
}

#[test]
fn someone_away_for_the_shift_never_serves_on_it() {
    let mut people = team();
    people[1].unavailable.push(Unavailability::new(
        Interval::starting_at(t0() - TimeDelta::days(1), TimeDelta::days(3)),
        Reason::Personal,
    ));
    let report = run(vec![shift(0, needs(&[("any", 2)]), people)]);
    assert_eq!(report.shifts[0].served.get(&user("bob")), None);
    assert_eq!(report.shifts[0].served.get(&user("ann")), Some(&1_000));
}

#[test]
fn a_member_without_the_skill_never_appears_for_a_skill_need() {
    let people = vec![
        candidate("ann", &["webapp"]),
        candidate("bob", &[]),
        candidate("cy", &["webapp"]),
    ];
    let report = run((0..3)
        .map(|n| shift(n, needs(&[("webapp", 1)]), people.clone()))
        .collect());
    for odds in &report.shifts {
        assert!(!odds.served.contains_key(&user("bob")), "{report:?}");
    }
}

#[test]
fn settled_shifts_are_certain_and_their_grace_keeps_people_out_of_the_next() {
    let interval = Interval::starting_at(t0(), TimeDelta::weeks(1));
    let fixed = ForecastShift::Fixed {
        interval,
        users: vec![user("ann")],
        grace: TimeDelta::weeks(2),
    };
    let report = run(vec![
        fixed,
        ForecastShift::NotHeld,
        shift(2, needs(&[("any", 1)]), team()),
    ]);
    assert_eq!(report.shifts[0].served.get(&user("ann")), Some(&1_000));
    assert!(report.shifts[1].served.is_empty());
    // Shift 2 starts two weeks after shift 0, inside ann's grace (until three weeks after).
    assert_eq!(report.shifts[2].served.get(&user("ann")), None);
    assert_eq!(report.shifts[2].served.values().sum::<u32>(), 1_000);
}

#[test]
fn a_shift_nobody_can_fill_is_counted_unfilled_and_people_on_it_still_count() {
    let mut request = shift(0, needs(&[("webapp", 2)]), vec![candidate("bob", &[])]);
    if let ForecastShift::Draw { request, .. } = &mut request {
        request.assigned.push(Assigned {
            user: user("ann"),
            skills: skills(&["webapp"]),
        });
    }
    let report = run(vec![request]);
    assert_eq!(report.shifts[0].unfilled, 1_000);
    assert_eq!(report.shifts[0].served.get(&user("ann")), Some(&1_000));
    assert_eq!(report.shifts[0].served.get(&user("bob")), None);
}
