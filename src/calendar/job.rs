//! The calendar job: every `LOTTO_CALENDAR_INTERVAL`, one process (the holder of the `calendar`
//! lease, see `crate::jobs`) runs a full sync ([`super::sync`]).

use std::sync::Arc;

use chrono::{DateTime, Utc};
use futures_util::FutureExt;
use futures_util::future::BoxFuture;

use super::sync::CalendarSync;
use crate::jobs::{Job, JobError};

/// The lease row that makes one process the calendar sync runner.
pub const LEASE: &str = "calendar";

pub struct CalendarJob {
    sync: Arc<CalendarSync>,
}

impl CalendarJob {
    pub fn new(sync: Arc<CalendarSync>) -> Self {
        CalendarJob { sync }
    }
}

impl Job for CalendarJob {
    fn name(&self) -> &'static str {
        LEASE
    }

    fn tick(&self, now: DateTime<Utc>) -> BoxFuture<'_, Result<String, JobError>> {
        async move {
            let report = self.sync.run(now).await.map_err(JobError::new)?;
            Ok(format!(
                "{} people with a calendar, {} changed",
                report.people,
                report.people_changed.len()
            ))
        }
        .boxed()
    }
}
