//! `calendar show`: the connection, its settings, Mattermost now, the calendar now and ahead, what
//! the bot would do, and any problem.

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use serde::Serialize;

use super::calendar::{CalendarNow, SourceView, describe_settings, settings};
use super::{Reader, View, ser};
use crate::calendar::Availability;
use crate::calendar::rules::{
    CustomStatusChange, Decision, Settings, StatusKind, StatusWrite, UnavailabilityChange,
};
use crate::service::format;

#[derive(Debug, Clone, Serialize)]
pub struct CalendarShowView {
    pub user: String,
    pub source: SourceView,
    #[serde(serialize_with = "settings")]
    pub settings: Settings,
    pub mattermost: MattermostNow,
    /// `None` when the calendar could not be read.
    pub now: Option<CalendarNow>,
    pub upcoming: Vec<Entry>,
    /// Why the calendar could not be read.
    pub error: Option<String>,
    /// What the bot would do now, one phrase per change.
    pub would: Vec<String>,
    #[serde(serialize_with = "ser::opt_time")]
    pub synced_at: Option<DateTime<Utc>>,
    /// The problem the person was told about, if one persists.
    pub problem: Option<String>,
    #[serde(skip)]
    pub problem_since: Option<DateTime<Utc>>,
    /// Problems of the whole server (e.g. Graph consent missing).
    #[serde(skip)]
    pub alerts: Vec<String>,
    /// `your`, or `@bob's`.
    #[serde(skip)]
    pub whose: String,
}

/// The person's status in Mattermost as the bot reads it.
#[derive(Debug, Clone, Serialize)]
pub struct MattermostNow {
    pub status: StatusKind,
    /// Set by hand (which the bot leaves alone).
    pub manual: bool,
    #[serde(serialize_with = "ser::opt_time")]
    pub dnd_end_time: Option<DateTime<Utc>>,
    pub custom_status: Option<CustomStatusView>,
}

#[derive(Debug, Clone, Serialize)]
pub struct CustomStatusView {
    pub emoji: String,
    pub text: String,
    #[serde(serialize_with = "ser::opt_time")]
    pub expires_at: Option<DateTime<Utc>>,
}

/// An upcoming calendar entry; its subject only for its owner, and never of a private one.
#[derive(Debug, Clone, Serialize)]
pub struct Entry {
    #[serde(serialize_with = "ser::time")]
    pub start: DateTime<Utc>,
    #[serde(serialize_with = "ser::time")]
    pub end: DateTime<Utc>,
    pub availability: Availability,
    pub private: bool,
    pub subject: Option<String>,
}

impl MattermostNow {
    /// `**Do Not Disturb** until …`, `**Away** (set by hand)`, and a custom status still showing.
    fn describe(&self, r: &Reader) -> String {
        let mut s = format!("**{}**", self.status.describe());
        if let (StatusKind::Dnd, Some(end)) = (self.status, self.dnd_end_time) {
            s.push_str(&format!(" until {}", format::time(end, r.tz)));
        }
        if self.manual && self.status != StatusKind::Dnd {
            s.push_str(" (set by hand)");
        }
        if let Some(c) = self
            .custom_status
            .as_ref()
            .filter(|c| c.expires_at.is_none_or(|t| t > r.now))
        {
            s.push_str(&format!(", custom status “{}”", c.text));
        }
        s
    }
}

impl View for CalendarShowView {
    fn markdown(&self, r: &Reader) -> String {
        let tz = r.tz;
        let mut lines = vec![
            format!(
                "**{} calendar**: {} · {}",
                format::capitalise(&self.whose),
                self.source.describe(),
                describe_settings(&self.settings, r)
            ),
            format!("Mattermost now: {}", self.mattermost.describe(r)),
        ];
        match (&self.now, &self.error) {
            (Some(now), _) => {
                lines.push(format!(
                    "The calendar now ({}): {}.",
                    tz.name(),
                    now.describe(tz)
                ));
                for e in &self.upcoming {
                    lines.push(format!(
                        "- {} → {}: {}{}",
                        format::time(e.start, tz),
                        format::time(e.end, tz),
                        e.availability.describe(),
                        e.subject
                            .as_ref()
                            .map(|s| format!(" · {s}"))
                            .unwrap_or_default()
                    ));
                }
            }
            (None, Some(e)) => lines.push(format!("The calendar could not be read just now: {e}")),
            (None, None) => {}
        }
        lines.push(if !self.would.is_empty() {
            format!("What the bot would do now: {}.", format::people(&self.would))
        } else if self.settings.is_paused(r.now) {
            "What the bot would do now: nothing in Mattermost while paused.".into()
        } else {
            "What the bot would do now: nothing; Mattermost already shows what the calendar calls for (or a change made by hand, which wins).".into()
        });
        lines.push(match self.synced_at {
            Some(t) => format!("Last read by the sync: {}.", format::relative(t, r.now)),
            None => "Not read by the sync yet.".into(),
        });
        if let (Some(message), Some(since)) = (&self.problem, self.problem_since) {
            lines.push(format!(
                "Problem since {}: {message}",
                format::time(since, tz)
            ));
        }
        for message in &self.alerts {
            lines.push(format!("Server problem: {message}"));
        }
        lines.join("\n")
    }
}

/// What a decision would do, one phrase per change; `them` is who rotations would not pick.
pub fn describe_decision(d: &Decision, them: &str, tz: Tz) -> Vec<String> {
    let mut out = Vec::new();
    match d.status {
        Some(StatusWrite::Dnd { until: Some(t) }) => out.push(format!(
            "set the status to **Do Not Disturb** until {}",
            format::time(t, tz)
        )),
        Some(w) => out.push(format!("set the status to **{}**", w.kind().describe())),
        None => {}
    }
    match &d.custom_status {
        Some(CustomStatusChange::Set(c)) => out.push(format!(
            "set the custom status “{}”{}",
            c.text,
            c.expires_at
                .map(|t| format!(" until {}", format::time(t, tz)))
                .unwrap_or_default()
        )),
        Some(CustomStatusChange::Clear) => out.push("clear the custom status it had set".into()),
        None => {}
    }
    match d.unavailability {
        Some(UnavailabilityChange::Upsert { span, .. }) => out.push(format!(
            "keep rotations from picking {them} from {} to {}",
            format::time(span.start(), tz),
            format::time(span.end(), tz)
        )),
        Some(UnavailabilityChange::Remove { span }) => out.push(format!(
            "let rotations pick {them} again in {} – {}",
            format::time(span.start(), tz),
            format::time(span.end(), tz)
        )),
        None => {}
    }
    out
}
