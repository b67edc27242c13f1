//! The autopilot: rotations that run themselves.
//!
//! One run for a rotation does, in order: remind-finish, finish, create shifts, fill and schedule,
//! remind-start, start. Unlike upstream there is no one-run lag (each step reads the state the previous
//! step left), and each task is handled in its own transaction, so one failing task blocks nothing else.
//! A task that can't be filled is reported to the rotation's owners once per reason, not every tick.
//!
//! The background loop runs every `LOTTO_AUTOPILOT_INTERVAL` under a lease row, so that of several bot
//! processes on one database exactly one runs each tick; if the holder dies, its lease lapses and another
//! process takes over within two intervals.

mod alert;
mod due;
mod lease;
mod steps;

pub use due::Step;
pub use lease::{LEASE, LeaseTiming, run_loop};
pub use steps::{ACTOR, TickReport, run_rotation, tick};

#[cfg(test)]
mod candidates_tests;
