//! The preset engine's tunables and its counters (for benches and `/metrics`).

use std::time::Duration;

use super::queue::{MAIN_CAPACITY, OVERFLOW_CAPACITY};
use crate::jobs::LeaseTiming;

/// The engine's tunables.
#[derive(Debug, Clone)]
pub struct EngineOptions {
    /// A person's change is applied once it has been quiet this long (a burst becomes one write).
    pub settle: Duration,
    /// …but never later than this after their first pending change.
    pub max_wait: Duration,
    /// How often the reconciliation marks in the database are read.
    pub poll: Duration,
    pub main_capacity: usize,
    pub overflow_capacity: usize,
    /// The `profile-engine` lease (several processes on one database: one runs the engine).
    pub lease: LeaseTiming,
}

impl Default for EngineOptions {
    fn default() -> Self {
        EngineOptions {
            settle: Duration::from_millis(250),
            max_wait: Duration::from_secs(2),
            poll: Duration::from_secs(2),
            main_capacity: MAIN_CAPACITY,
            overflow_capacity: OVERFLOW_CAPACITY,
            lease: LeaseTiming::for_interval(Duration::from_secs(30)),
        }
    }
}

/// Counters for benches and metrics.
#[derive(Debug, Default, Clone)]
pub struct EngineStats {
    pub applied: u64,
    pub writes: u64,
    pub overflowed: u64,
    pub rate_limited: u64,
}
