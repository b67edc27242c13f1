//! What `task swap` and `task override` answer.

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::ser::{self, PersonRef};
use super::{Reader, View};
use crate::text;

/// `task swap`: who was asked.
#[derive(Debug, Clone, Serialize)]
pub struct SwapRequestedView {
    pub request: i64,
    pub task: String,
    pub invited: Vec<PersonRef>,
}

impl View for SwapRequestedView {
    fn markdown(&self, _reader: &Reader) -> String {
        let names: Vec<String> = self
            .invited
            .iter()
            .map(|p| format!("@{}", p.username))
            .collect();
        format!(
            "Asked {} to take your place on **{}**. The first to accept takes it, and you'll hear when someone does (or declines). The request ends when the task starts.",
            text::people(&names),
            self.task
        )
    }
}

/// `task override`: who serves instead of whom, when.
#[derive(Debug, Clone, Serialize)]
pub struct OverrideView {
    pub task: String,
    pub from: PersonRef,
    pub to: PersonRef,
    #[serde(serialize_with = "ser::time")]
    pub start: DateTime<Utc>,
    #[serde(serialize_with = "ser::time")]
    pub finish: DateTime<Utc>,
    /// Whether it covers the whole task.
    pub whole: bool,
    /// Whether `--force` skipped the checks.
    pub forced: bool,
}

impl View for OverrideView {
    fn markdown(&self, reader: &Reader) -> String {
        format!(
            "@{} serves instead of @{} on **{}**{}: {} → {}. Both and the owners have been told.",
            self.to.username,
            self.from.username,
            self.task,
            if self.whole {
                " for the whole task"
            } else {
                ""
            },
            text::time(self.start, reader.tz),
            text::time(self.finish, reader.tz),
        )
    }
}
