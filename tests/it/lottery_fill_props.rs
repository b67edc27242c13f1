//! Property tests of the fill over random rotations, users, skills, needs, limits and
//! unavailability: a successful fill meets every requirement, never exceeds a limit, never picks an
//! excluded user, and the same seed and state give the same result.

use crate::lottery_support::*;
use chrono::TimeDelta;
use proptest::prelude::*;
use solar_lottery::lottery::*;
use std::collections::HashSet;

const SKILLS: [&str; 3] = ["a", "b", "c"];

fn skill_level() -> impl Strategy<Value = SkillLevel> {
    prop_oneof![
        1 => Just(SkillLevel::Any),
        4 => (0..SKILLS.len(), 1u8..=4).prop_map(|(s, l)| SkillLevel::new(
            SKILLS[s].parse().unwrap(),
            Level::from_value(l).unwrap()
        )),
    ]
}

fn needs_of(max_entries: usize, max_count: u32) -> impl Strategy<Value = Needs> {
    prop::collection::vec((skill_level(), 0..=max_count), 0..=max_entries)
        .prop_map(|v| v.into_iter().collect())
}

fn skills() -> impl Strategy<Value = Skills> {
    prop::collection::btree_map(
        (0..SKILLS.len()).prop_map(|s| SKILLS[s].parse::<SkillName>().unwrap()),
        (1u8..=4).prop_map(|l| Level::from_value(l).unwrap()),
        0..=3,
    )
}

fn unavailability() -> impl Strategy<Value = Unavailability> {
    (-72i64..240, 0i64..120, 0u8..4, 1i64..=2, 8i64..=11).prop_map(
        |(start, len, kind, rotation, task)| {
            let interval =
                Interval::starting_at(t0() + TimeDelta::hours(start), TimeDelta::hours(len));
            let (rotation, task) = (RotationId(rotation), TaskId(task));
            let reason = match kind {
                0 => Reason::Personal,
                1 => Reason::Calendar,
                2 => Reason::Task { rotation, task },
                _ => Reason::Grace { rotation, task },
            };
            Unavailability::new(interval, reason)
        },
    )
}

fn candidate() -> impl Strategy<Value = Candidate> {
    (
        0usize..40,
        skills(),
        prop::option::of(-60i64..10),
        -100i64..10,
        prop::collection::vec(unavailability(), 0..=2),
    )
        .prop_map(|(id, skills, last, joined, unavailable)| Candidate {
            user: UserId::new(format!("u{id}")),
            skills,
            last_served: last.map(|d| t0() + days(d)),
            joined_at: t0() + days(joined),
            unavailable,
        })
}

fn fill_request() -> impl Strategy<Value = FillRequest> {
    (
        prop::collection::vec(candidate(), 0..30),
        needs_of(4, 4),
        needs_of(3, 7),
        prop::collection::vec((0usize..40, skills()), 0..3),
        any::<u64>(),
        0u32..4,
    )
        .prop_map(|(candidates, require, limit, on_task, seed, fuzz)| {
            let mut req = request(require, limit, candidates);
            req.seed = seed;
            req.fuzz = fuzz;
            let mut seen = HashSet::new();
            req.assigned = on_task
                .into_iter()
                .filter(|(id, _)| seen.insert(*id))
                .map(|(id, skills)| Assigned {
                    user: UserId::new(format!("u{id}")),
                    skills,
                })
                .collect();
            req
        })
}

/// The exclusion rules, restated independently of the implementation.
fn is_excluded(req: &FillRequest, c: &Candidate) -> bool {
    c.unavailable.iter().any(|u| {
        u.interval.overlaps(&req.interval)
            && match u.reason {
                Reason::Personal | Reason::Calendar => true,
                Reason::Task { rotation, task } => (rotation, task) != (req.rotation, req.task),
                Reason::Grace { rotation, task } => rotation == req.rotation && task != req.task,
            }
    })
}

/// The distinct members the fill may consider: first occurrence of each id, not already on the task.
fn pool(req: &FillRequest) -> Vec<&Candidate> {
    let on_task: HashSet<&UserId> = req.assigned.iter().map(|a| &a.user).collect();
    let mut seen = HashSet::new();
    req.candidates
        .iter()
        .filter(|c| !on_task.contains(&c.user) && seen.insert(&c.user))
        .collect()
}

/// Without limits, a fill is possible exactly when every need has enough qualified people.
fn feasible_ignoring_limits(req: &FillRequest) -> bool {
    let eligible: Vec<&Candidate> = pool(req)
        .into_iter()
        .filter(|c| !is_excluded(req, c))
        .collect();
    req.require.iter().all(|(sl, n)| {
        let have = req
            .assigned
            .iter()
            .filter(|a| sl.qualifies(&a.skills))
            .count()
            + eligible.iter().filter(|c| sl.qualifies(&c.skills)).count();
        have >= n as usize
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(600))]

    #[test]
    fn successful_fills_meet_needs_respect_limits_and_skip_excluded_users(req in fill_request()) {
        let result = fill(&req);
        prop_assert_eq!(&result, &fill(&req), "same seed and state must replay");
        let Ok(out) = result else { return Ok(()) };

        let pool = pool(&req);
        let mut picked = Vec::new();
        let mut seen = HashSet::new();
        for p in &out.picked {
            prop_assert!(seen.insert(&p.user), "{} picked twice", p.user);
            let c = pool.iter().find(|c| c.user == p.user);
            prop_assert!(c.is_some(), "{} is not an available member", p.user);
            let c = c.unwrap();
            prop_assert!(!is_excluded(&req, c), "{} is excluded", p.user);
            picked.push(&c.skills);
        }
        let on_task: Vec<&Skills> = req.assigned.iter().map(|a| &a.skills).collect();
        let count = |sl: &SkillLevel, people: &[&Skills]| people.iter().filter(|s| sl.qualifies(s)).count();
        for (sl, n) in req.require.iter() {
            prop_assert!(
                count(sl, &on_task) + count(sl, &picked) >= n as usize,
                "requirement {} {} unmet", n, sl
            );
        }
        for (sl, n) in req.limit.iter() {
            if count(sl, &picked) > 0 {
                prop_assert!(
                    count(sl, &on_task) + count(sl, &picked) <= n as usize,
                    "limit {} {} exceeded", n, sl
                );
            }
        }
        let wanted: u32 = req.require.iter().map(|(_, n)| n).sum();
        prop_assert!(out.picked.len() <= wanted as usize, "picked more than the needs ask for");
    }

    #[test]
    fn without_limits_a_fill_fails_only_when_no_choice_could_succeed(mut req in fill_request()) {
        req.limit = Needs::new();
        prop_assert_eq!(fill(&req).is_ok(), feasible_ignoring_limits(&req));
    }

    #[test]
    fn a_shortfall_is_consistent_with_the_request(req in fill_request()) {
        if !feasible_ignoring_limits(&req) {
            prop_assert!(fill(&req).is_err(), "limits can't make an impossible fill possible");
        }
        let Err(FillError::Insufficient(s)) = fill(&req) else { return Ok(()) };
        prop_assert!(s.remaining > s.candidates_left);
        prop_assert!(req.require.get(&s.need).is_some_and(|n| n >= s.remaining));
        let pool = pool(&req);
        for e in &s.excluded {
            let c = pool.iter().find(|c| c.user == e.user);
            prop_assert!(c.is_some(), "{} is not an available member", e.user);
            let c = c.unwrap();
            prop_assert!(!e.reasons.is_empty());
            for r in &e.reasons {
                match r {
                    Exclusion::Limit { skill_level, .. } => {
                        prop_assert!(skill_level.qualifies(&c.skills));
                        prop_assert!(req.limit.contains(skill_level));
                    }
                    _ => prop_assert!(is_excluded(&req, c), "{} wrongly excluded: {:?}", e.user, r),
                }
            }
        }
    }
}

/// Guards the generator: the properties above only bite if random requests both succeed and fail
/// often, with limits and exclusions in play.
#[test]
fn the_random_requests_cover_successes_failures_limits_and_exclusions() {
    use proptest::strategy::ValueTree;
    use proptest::test_runner::TestRunner;
    let mut runner = TestRunner::deterministic();
    let strategy = fill_request();
    let (mut ok, mut limited_ok, mut excluded_seen, mut err, mut retried) = (0, 0, 0, 0, 0);
    for _ in 0..1000 {
        let req = strategy.new_tree(&mut runner).unwrap().current();
        excluded_seen += usize::from(req.candidates.iter().any(|c| is_excluded(&req, c)));
        match fill(&req) {
            Ok(out) => {
                ok += 1;
                limited_ok += usize::from(!req.limit.is_empty() && !out.picked.is_empty());
                retried += usize::from(out.attempts > 1);
            }
            Err(_) => err += 1,
        }
    }
    println!(
        "ok {ok} (with limits {limited_ok}, retried {retried}), err {err}, with exclusions {excluded_seen}"
    );
    assert!(ok >= 200 && err >= 200, "ok {ok}, err {err}");
    assert!(limited_ok >= 100, "{limited_ok}");
    assert!(excluded_seen >= 300, "{excluded_seen}");
}
