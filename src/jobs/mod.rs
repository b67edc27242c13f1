//! One runner for every background job: a named job, its interval, a single-runner lease renewed
//! while it runs, panics caught and logged, and a record of its last runs.
//!
//! A job is a [`Job`]: a name (the lease row's) and a `tick(now)` that does one run as of `now`. Tests
//! call a job's tick directly with a controlled clock; the runner ([`spawn`]) calls it with the real
//! one. A new job is a type implementing [`Job`] plus one line in `app.rs`'s list.
//!
//! Of several bot processes on one database, only the holder of a job's lease ticks it (see
//! [`lease`] for the timing: renewed three times per interval, taken over within 1¼ intervals when the
//! holder dies, at once when it shuts down cleanly).

mod lease;
mod named_lease;
mod runs;

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use futures_util::future::BoxFuture;
use tokio::sync::watch;
use tokio::task::JoinHandle;

use crate::store::Db;

pub use lease::LeaseTiming;
pub use named_lease::NamedLease;
pub use runs::{Outcome, RunLog, RunRecord};

/// Why a run failed as a whole (one item's trouble is the job's own business and not an error).
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct JobError(pub String);

impl JobError {
    pub fn new(e: impl std::fmt::Display) -> Self {
        JobError(e.to_string())
    }
}

/// A background job.
pub trait Job: Send + Sync + 'static {
    /// The lease row's name, and the job's name in logs and reports.
    fn name(&self) -> &'static str;

    /// One run as of `now`: a one-line summary for the log and the run record, or why it failed.
    fn tick(&self, now: DateTime<Utc>) -> BoxFuture<'_, Result<String, JobError>>;
}

/// What every job's loop needs besides the job.
#[derive(Clone)]
pub struct Runner {
    pub db: Db,
    /// This process's identity in the lease rows.
    pub instance: String,
    pub runs: RunLog,
    pub shutdown: watch::Receiver<bool>,
}

impl Runner {
    /// Runs `job` every `every` while this process holds its lease, until shutdown.
    pub fn spawn(&self, job: Arc<dyn Job>, every: Duration) -> JoinHandle<()> {
        tokio::spawn(lease::run_loop(
            job,
            LeaseTiming::for_interval(every),
            self.clone(),
        ))
    }
}
