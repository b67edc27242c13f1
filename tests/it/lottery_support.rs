//! Builders shared by the lottery tests.

use chrono::{DateTime, TimeDelta, TimeZone, Utc};
use solar_lottery::lottery::*;

pub const ROTATION: RotationId = RotationId(1);
pub const TASK: TaskId = TaskId(10);

/// Monday 2026-03-02 09:00 UTC: the start of the task under test.
pub fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 2, 9, 0, 0).unwrap()
}

pub fn days(n: i64) -> TimeDelta {
    TimeDelta::days(n)
}

/// Skills from `["webapp-2", "lead"]`.
pub fn skills(list: &[&str]) -> Skills {
    list.iter()
        .map(|s| match s.parse::<SkillLevel>().unwrap() {
            SkillLevel::Skill { skill, level } => (skill, level),
            SkillLevel::Any => panic!("`any` is not a skill"),
        })
        .collect()
}

pub fn needs(list: &[(&str, u32)]) -> Needs {
    list.iter().map(|(s, n)| (s.parse().unwrap(), *n)).collect()
}

/// A member who joined at the rotation's beginning and last served a week before `t0`.
pub fn member(id: &str, skill_list: &[&str]) -> Candidate {
    Candidate {
        user: UserId::new(id),
        skills: skills(skill_list),
        last_served: Some(t0() - days(7)),
        joined_at: t0() - days(70),
        unavailable: Vec::new(),
    }
}

pub fn assigned(id: &str, skill_list: &[&str]) -> Assigned {
    Assigned {
        user: UserId::new(id),
        skills: skills(skill_list),
    }
}

/// A weekly task `[t0, t0 + 7d)` of rotation 1 that began ten weeks earlier.
pub fn request(require: Needs, limit: Needs, candidates: Vec<Candidate>) -> FillRequest {
    FillRequest {
        rotation: ROTATION,
        task: TASK,
        seed: 42,
        fuzz: DEFAULT_FUZZ,
        period: Period::Weekly,
        beginning: t0() - days(70),
        interval: Interval::starting_at(t0(), days(7)),
        for_time: t0(),
        require,
        limit,
        assigned: Vec::new(),
        candidates,
    }
}

pub fn picked_ids(outcome: &FillOutcome) -> Vec<String> {
    outcome.picked.iter().map(|p| p.user.0.clone()).collect()
}

pub fn sorted(mut v: Vec<String>) -> Vec<String> {
    v.sort();
    v
}
