//! The autopilot's steps: rotations that run themselves. The background job (`crate::autopilot`)
//! and the `rotation autopilot` / `autopilot` commands both run them from here, so the commands never
//! call a job.
//!
//! One run for a rotation does, in order: remind-finish, finish, create shifts, fill and schedule,
//! remind-start, start. Unlike upstream there is no one-run lag (each step reads the state the previous
//! step left), and each task is handled in its own transaction, so one failing task blocks nothing else.
//! A task that can't be filled is reported to the rotation's owners once per reason, not every tick.

mod alert;
mod due;
mod steps;

use serde::Serialize;

pub use due::Step;
pub use steps::{ACTOR, TickReport, run_rotation, tick};

/// What one autopilot run did for one rotation, step by step.
#[derive(Debug, Clone, Default, Serialize)]
pub struct AutopilotReport {
    pub lines: Vec<StepLine>,
}

/// One step's line of a run.
#[derive(Debug, Clone, Serialize)]
pub struct StepLine {
    pub step: String,
    pub result: String,
    /// Whether the step did (or tried) anything: off, not applicable or nothing due is idle.
    pub acted: bool,
}

#[cfg(test)]
mod candidates_tests;
