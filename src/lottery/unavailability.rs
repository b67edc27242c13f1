//! Unavailability as the fill sees it: a time span and why the user is away or busy.
//!
//! What excludes a user from a fill (DESIGN.md "Grace applies within its rotation"):
//! - `Personal` and `Calendar` time always does;
//! - `Task`: being on an overlapping task of *any* rotation does (nobody serves two shifts at once);
//! - `Grace`: the rest after a task only counts in the rotation of that task, so serving in one
//!   rotation does not keep you out of another.

use serde::{Deserialize, Serialize};

use super::ids::{RotationId, TaskId};
use super::interval::Interval;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum Reason {
    /// Added by the user (or an owner) with `/lotto user unavailable`.
    Personal,
    /// Out-of-office time read from the user's calendar.
    Calendar,
    /// The user is on this task.
    Task { rotation: RotationId, task: TaskId },
    /// Rest after serving on this task.
    Grace { rotation: RotationId, task: TaskId },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Unavailability {
    pub interval: Interval,
    pub reason: Reason,
}

impl Unavailability {
    pub fn new(interval: Interval, reason: Reason) -> Self {
        Self { interval, reason }
    }
}
