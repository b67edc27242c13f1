//! What a fill needs to know, and what it answers. Plain data: the service loads it from the store.

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::lottery::ids::{RotationId, TaskId, UserId};
use crate::lottery::interval::Interval;
use crate::lottery::needs::Needs;
use crate::lottery::period::Period;
use crate::lottery::skill::{SkillLevel, Skills};
use crate::lottery::unavailability::Unavailability;

/// Everything `fill` reads. The fill is a pure function of this value.
#[derive(Debug, Clone)]
pub struct FillRequest {
    pub rotation: RotationId,
    /// The task being filled: it keys the random stream and its own unavailability entries are
    /// ignored (re-filling a task never collides with itself).
    pub task: TaskId,
    /// The rotation's seed.
    pub seed: u64,
    /// The rotation's fuzz; higher is more random (see `weight::doubling`).
    pub fuzz: u32,
    /// The rotation's period, which sets how fast weights grow.
    pub period: Period,
    /// The rotation's beginning: idle time of never-served founding members counts from here.
    pub beginning: DateTime<Utc>,
    /// The task's interval, checked against everyone's unavailability.
    pub interval: Interval,
    /// The moment weights are computed for, normally the task's start.
    pub for_time: DateTime<Utc>,
    /// At least this many of each skill-level, counting users already on the task.
    pub require: Needs,
    /// At most this many of each skill-level among users on the task after the fill.
    pub limit: Needs,
    /// Users already on the task, in task order. They count towards requirements and limits.
    pub assigned: Vec<Assigned>,
    /// The rotation's members in join order; the order is part of what makes a fill replayable.
    pub candidates: Vec<Candidate>,
}

/// A user already on the task.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Assigned {
    pub user: UserId,
    pub skills: Skills,
}

/// A rotation member the fill may pick.
#[derive(Debug, Clone, PartialEq)]
pub struct Candidate {
    pub user: UserId,
    pub skills: Skills,
    /// When their last task in this rotation finished; `None` if they never served.
    pub last_served: Option<DateTime<Utc>>,
    /// When they joined the rotation; a never-served member's wait starts at the later of this and
    /// the rotation's beginning, or at the beginning for a task before they joined
    /// (`weight::waiting_since`).
    pub joined_at: DateTime<Utc>,
    /// Their unavailability around the task (any rotation; the fill applies the rules).
    pub unavailable: Vec<Unavailability>,
}

/// A successful fill: who to add to the task, in pick order.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FillOutcome {
    pub picked: Vec<Pick>,
    /// How many tries the fill took (more than 1 only when limits made an early pick a dead end).
    pub attempts: u32,
}

impl FillOutcome {
    /// The picked users in pick order.
    pub fn users(&self) -> Vec<UserId> {
        self.picked.iter().map(|p| p.user.clone()).collect()
    }
}

/// One pick: who, for which need, and how heavy they were.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Pick {
    pub user: UserId,
    /// The requirement being filled when they were drawn (they count towards every need they
    /// qualify for).
    pub need: SkillLevel,
    /// Their weight, as a base-2 logarithm.
    pub log2_weight: f64,
    /// Whether they were (one of) the heaviest of the need's remaining candidates, i.e. whether a
    /// plain queue would have picked them too.
    pub top: bool,
}
