//! The history job: once an hour, one process (the holder of the `history` lease, see
//! `crate::jobs`) deletes the changes recorded longer ago than `LOTTO_HISTORY_RETENTION`. The
//! recording itself happens in each change's own transaction (`store::history::record`).

use std::time::Duration;

use chrono::{DateTime, TimeDelta, Utc};
use futures_util::FutureExt;
use futures_util::future::BoxFuture;

use crate::jobs::{Job, JobError};
use crate::service::Service;

/// The lease row that makes one process the pruner.
pub const LEASE: &str = "history";

/// How often old history is pruned: it only has to keep up with days.
pub const EVERY: Duration = Duration::from_secs(3600);

pub struct HistoryJob {
    svc: Service,
    retention: TimeDelta,
}

impl HistoryJob {
    pub fn new(svc: Service, retention: TimeDelta) -> Self {
        HistoryJob { svc, retention }
    }
}

impl Job for HistoryJob {
    fn name(&self) -> &'static str {
        LEASE
    }

    fn tick(&self, now: DateTime<Utc>) -> BoxFuture<'_, Result<String, JobError>> {
        async move {
            let pruned = self
                .svc
                .prune_history(now, self.retention)
                .await
                .map_err(JobError::new)?;
            Ok(format!("{pruned} old history entries deleted"))
        }
        .boxed()
    }
}
