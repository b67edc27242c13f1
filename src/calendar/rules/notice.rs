//! The direct message that tells a person what the bot changed, until when and why, and how to take
//! the wheel. It names the kind of calendar block, never its subject.

use super::input::{StatusKind, StatusWrite};
use crate::calendar::model::{Availability, Span};
use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use serde::Serialize;

/// One change the bot made.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "change", rename_all = "snake_case")]
pub enum NoticeChange {
    StatusSet {
        status: StatusKind,
        until: Option<DateTime<Utc>>,
        because: Availability,
    },
    /// The busy run grew or shrank while the bot's status was still in place.
    StatusEndMoved {
        status: StatusKind,
        until: Option<DateTime<Utc>>,
    },
    StatusRestored {
        status: StatusWrite,
    },
    CustomStatusSet {
        text: String,
        until: DateTime<Utc>,
        because: Availability,
    },
    CustomStatusCleared {
        text: String,
    },
    Unavailable {
        span: Span,
    },
    UnavailabilityRemoved {
        span: Span,
    },
}

/// Everything changed for one person in one job run: one DM.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Notice {
    pub changes: Vec<NoticeChange>,
    /// The reader's zone, for the times in the text.
    #[serde(serialize_with = "tz_name")]
    pub tz: Tz,
    #[serde(skip)]
    pub now: DateTime<Utc>,
}

pub const PAUSE_HINT: &str = "To keep me from changing your status for a while, type \
    `/lotto calendar pause 2h` (any duration); `/lotto calendar resume` hands it back.";

impl Notice {
    /// The message text (Markdown), one line per change plus how to pause.
    pub fn text(&self) -> String {
        let mut lines = self.lines();
        lines.push(PAUSE_HINT.to_string());
        lines.join("\n")
    }

    /// One sentence per change, times in the reader's zone.
    pub fn lines(&self) -> Vec<String> {
        self.changes.iter().map(|c| self.line(c)).collect()
    }

    fn line(&self, change: &NoticeChange) -> String {
        match change {
            NoticeChange::StatusSet {
                status,
                until,
                because,
            } => format!(
                "I set your status to **{}**{} because of {} block in your calendar.",
                status.describe(),
                self.until(*until),
                article(*because),
            ),
            NoticeChange::StatusEndMoved { status, until } => format!(
                "Your calendar changed, so **{}** now lasts{}.",
                status.describe(),
                self.until(*until),
            ),
            NoticeChange::StatusRestored { status } => format!(
                "Your calendar is free again, so I set your status back to **{}**.",
                status.kind().describe()
            ),
            NoticeChange::CustomStatusSet {
                text,
                until,
                because,
            } => format!(
                "I set your custom status to “{text}”{} because your calendar shows you {}.",
                self.until(Some(*until)),
                because.describe(),
            ),
            NoticeChange::CustomStatusCleared { text } => {
                format!("I cleared the “{text}” custom status I had set.")
            }
            NoticeChange::Unavailable { span } => format!(
                "You are out of office{}, so rotations will not pick you until then.",
                self.until(Some(span.end())),
            ),
            NoticeChange::UnavailabilityRemoved { span } => format!(
                "The out-of-office time from {} to {} is gone from your calendar, so rotations may \
                 pick you again.",
                self.time(span.start()),
                self.time(span.end()),
            ),
        }
    }

    fn until(&self, until: Option<DateTime<Utc>>) -> String {
        until
            .map(|t| format!(" until {}", self.time(t)))
            .unwrap_or_default()
    }

    /// `15:00` today, `Tue 3 Mar 15:00` on another day, in the reader's zone.
    fn time(&self, t: DateTime<Utc>) -> String {
        let local = t.with_timezone(&self.tz);
        if local.date_naive() == self.now.with_timezone(&self.tz).date_naive() {
            local.format("%H:%M").to_string()
        } else {
            local.format("%a %-d %b %H:%M").to_string()
        }
    }
}

fn article(availability: Availability) -> &'static str {
    match availability {
        Availability::Tentative => "a tentative",
        Availability::OutOfOffice => "an out-of-office",
        Availability::WorkingElsewhere => "a working-elsewhere",
        Availability::Free => "a free",
        Availability::Busy => "a busy",
    }
}

fn tz_name<S: serde::Serializer>(tz: &Tz, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(tz.name())
}
