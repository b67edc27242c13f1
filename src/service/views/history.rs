//! `rotation history` and `task history`: the recorded changes, oldest first, as a table.

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::ser;
use super::{Reader, View};
use crate::lottery::{HistoryActor, HistoryEvent};
use crate::service::format;

/// The changes of a rotation (and its tasks) or of one task.
#[derive(Debug, Clone, Serialize)]
pub struct HistoryView {
    pub rotation: String,
    /// `ICE#3` for `task history`.
    pub task: Option<String>,
    #[serde(serialize_with = "ser::opt_time")]
    pub since: Option<DateTime<Utc>>,
    /// How many changes there are (since `since`); `entries` holds the latest of them.
    pub total: i64,
    /// Changes older than the first one shown.
    pub more: i64,
    pub entries: Vec<HistoryLine>,
}

/// One change.
#[derive(Debug, Clone, Serialize)]
pub struct HistoryLine {
    #[serde(serialize_with = "ser::time")]
    pub at: DateTime<Utc>,
    /// `{"kind": "person", "id", "username"}` or `{"kind": "autopilot"}`.
    pub actor: HistoryActor,
    /// `ICE#3`, when the change was to a task.
    pub task: Option<String>,
    /// The typed event; `null` for one this version can't read (`description` still says it).
    pub event: Option<HistoryEvent>,
    /// One line, times in the reader's zone.
    pub description: String,
}

/// Text from users (ticket summaries, holiday names) inside a table cell: one line, no column breaks.
fn cell(s: &str) -> String {
    s.replace(['\n', '\r'], " ").replace('|', "\\|")
}

impl View for HistoryView {
    fn markdown(&self, reader: &Reader) -> String {
        let what = match &self.task {
            Some(t) => t.clone(),
            None => self.rotation.clone(),
        };
        let since = self
            .since
            .map(|s| format!(" since {}", format::time(s, reader.tz)))
            .unwrap_or_default();
        if self.entries.is_empty() {
            return format!("No changes to **{what}** are recorded{since}.");
        }
        let mut out = vec![format!(
            "**History of {what}**{since}: {} change{}, times in {}.",
            self.total,
            if self.total == 1 { "" } else { "s" },
            reader.tz.name()
        )];
        if self.more > 0 {
            let command = match &self.task {
                Some(t) => format!("task history {t}"),
                None => format!("rotation history {}", self.rotation),
            };
            out.push(format!(
                "Showing the latest {}; {} older not shown. Narrow it with `/lotto {command} --since <datetime>`.",
                self.entries.len(),
                self.more
            ));
        }
        out.push(String::new());
        let with_task = self.task.is_none();
        out.push(if with_task {
            "| When | Who | Task | What |\n|---|---|---|---|".to_string()
        } else {
            "| When | Who | What |\n|---|---|---|".to_string()
        });
        for e in &self.entries {
            let when = format::short_time(e.at, reader.tz);
            let who = e.actor.label();
            let description = cell(&e.description);
            out.push(if with_task {
                let task = e.task.as_deref().unwrap_or("");
                format!("| {when} | {who} | {task} | {description} |")
            } else {
                format!("| {when} | {who} | {description} |")
            });
        }
        out.join("\n")
    }
}
