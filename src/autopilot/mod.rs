//! The autopilot job: every `LOTTO_AUTOPILOT_INTERVAL`, one process (the holder of the `autopilot`
//! lease, see `crate::jobs`) runs the autopilot of every rotation that has it on. The steps
//! themselves are the service's (`service::autopilot`), which the `autopilot` commands run too.

use chrono::{DateTime, Utc};
use futures_util::FutureExt;
use futures_util::future::BoxFuture;

use crate::jobs::{Job, JobError};
use crate::service::{Result, Service, TickReport};

pub use crate::service::AUTOPILOT_ACTOR as ACTOR;

/// The lease row that makes one process the autopilot runner.
pub const LEASE: &str = "autopilot";

pub struct AutopilotJob {
    svc: Service,
}

impl AutopilotJob {
    pub fn new(svc: Service) -> Self {
        AutopilotJob { svc }
    }
}

impl Job for AutopilotJob {
    fn name(&self) -> &'static str {
        LEASE
    }

    fn tick(&self, now: DateTime<Utc>) -> BoxFuture<'_, Result<String, JobError>> {
        async move {
            let report = tick(&self.svc, now).await.map_err(JobError::new)?;
            Ok(format!(
                "{} rotations with the autopilot on, {} acted, {} tasks failed",
                report.rotations, report.acted, report.failed
            ))
        }
        .boxed()
    }
}

/// One tick as of `now` (tests call it with a controlled clock): every rotation whose autopilot is
/// on. A task that fails is reported and skipped; an error means the tick could not even find out
/// what was due.
pub async fn tick(svc: &Service, now: DateTime<Utc>) -> Result<TickReport> {
    svc.autopilot_tick(now).await
}
