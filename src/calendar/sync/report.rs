//! What one sync run did, for the log, `calendar sync` and `--json`.

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::calendar::rules::{CustomStatusChange, StatusWrite, UnavailabilityChange};
use crate::lottery::UserId;

/// One thing the run did (or failed to do) for a person.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "change", rename_all = "snake_case")]
pub enum Change {
    Status {
        status: StatusWrite,
    },
    CustomStatus {
        custom_status: CustomStatusChange,
    },
    Unavailability {
        unavailability: UnavailabilityChange,
    },
    /// A write Mattermost did not take; tried again next run.
    WriteFailed {
        what: &'static str,
        error: String,
    },
    /// The calendar could not be read; tried again next run.
    SourceFailed {
        error: String,
    },
    /// The person was left out of this run (deactivated, or unknown to Mattermost).
    Skipped {
        reason: String,
    },
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PersonReport {
    pub user_id: UserId,
    pub username: String,
    pub changes: Vec<Change>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SyncReport {
    /// The time the run acted at.
    pub at: DateTime<Utc>,
    /// Connected people.
    pub people: usize,
    /// Calendars read.
    pub read: usize,
    pub failed_sources: usize,
    pub status_writes: usize,
    pub custom_status_writes: usize,
    pub unavailability_changes: usize,
    pub write_failures: usize,
    /// DMs queued: notices to people, problems, owner and admin alerts.
    pub messages: usize,
    /// People something happened to, by username.
    pub people_changed: Vec<PersonReport>,
}

impl SyncReport {
    pub fn new(at: DateTime<Utc>) -> Self {
        Self {
            at,
            people: 0,
            read: 0,
            failed_sources: 0,
            status_writes: 0,
            custom_status_writes: 0,
            unavailability_changes: 0,
            write_failures: 0,
            messages: 0,
            people_changed: Vec::new(),
        }
    }

    pub fn changed_anything(&self) -> bool {
        self.status_writes + self.custom_status_writes + self.unavailability_changes > 0
    }
}
