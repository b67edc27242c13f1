//! The holiday-feed job: every 6 hours, one process (the holder of the `holiday-feeds` lease, see
//! `crate::jobs`) reads every holiday feed again (`holiday feed <url>`), so the holidays a published
//! calendar adds, moves or drops follow (`Service::refresh_holiday_feeds`).

use std::time::Duration;

use chrono::{DateTime, Utc};
use futures_util::FutureExt;
use futures_util::future::BoxFuture;

use crate::jobs::{Job, JobError};
use crate::service::Service;

/// The lease row that makes one process the reader.
pub const LEASE: &str = "holiday-feeds";

/// How often feeds are read: public-holiday calendars change a few times a year, and a feed set
/// with a command is read at once.
pub const EVERY: Duration = Duration::from_secs(6 * 3600);

pub struct HolidayFeedJob {
    svc: Service,
}

impl HolidayFeedJob {
    pub fn new(svc: Service) -> Self {
        HolidayFeedJob { svc }
    }
}

impl Job for HolidayFeedJob {
    fn name(&self) -> &'static str {
        LEASE
    }

    fn tick(&self, now: DateTime<Utc>) -> BoxFuture<'_, Result<String, JobError>> {
        async move {
            let r = self
                .svc
                .refresh_holiday_feeds(now)
                .await
                .map_err(JobError::new)?;
            Ok(format!(
                "{} holiday feeds read, {} changed, {} could not be read",
                r.feeds, r.changed, r.failed
            ))
        }
        .boxed()
    }
}
