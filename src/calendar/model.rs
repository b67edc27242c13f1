//! What a calendar says, reduced to what the status rules need.
//!
//! Sources (Graph, ICS) produce [`Block`]s; [`CalendarView::at`] condenses them into the few facts the
//! rules act on at one instant. Subjects are kept only so a person can see their own calendar in
//! `calendar show`; they never reach notices or logs (the `Debug` impl hides them).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::fmt;

/// How a calendar marks a stretch of time (Graph's `scheduleItem.status`, ICS busy status).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Availability {
    Free,
    Tentative,
    Busy,
    OutOfOffice,
    WorkingElsewhere,
}

impl Availability {
    /// Graph's precedence when blocks overlap: out of office beats busy beats tentative beats working
    /// elsewhere beats free.
    pub fn precedence(self) -> u8 {
        match self {
            Self::Free => 0,
            Self::WorkingElsewhere => 1,
            Self::Tentative => 2,
            Self::Busy => 3,
            Self::OutOfOffice => 4,
        }
    }

    /// Reads Graph's `scheduleItem.status` (`free|tentative|busy|oof|workingElsewhere`); `unknown` and
    /// anything new give `None`, so the caller skips the item instead of guessing.
    pub fn from_graph(status: &str) -> Option<Self> {
        match status {
            "free" => Some(Self::Free),
            "tentative" => Some(Self::Tentative),
            "busy" => Some(Self::Busy),
            "oof" => Some(Self::OutOfOffice),
            "workingElsewhere" => Some(Self::WorkingElsewhere),
            _ => None,
        }
    }

    /// Words for notices and `calendar show`.
    pub fn describe(self) -> &'static str {
        match self {
            Self::Free => "free",
            Self::Tentative => "tentative",
            Self::Busy => "busy",
            Self::OutOfOffice => "out of office",
            Self::WorkingElsewhere => "working elsewhere",
        }
    }
}

impl fmt::Display for Availability {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.describe())
    }
}

/// A non-empty half-open interval `[start, end)` in UTC.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "RawSpan")]
pub struct Span {
    start: DateTime<Utc>,
    end: DateTime<Utc>,
}

#[derive(Deserialize)]
struct RawSpan {
    start: DateTime<Utc>,
    end: DateTime<Utc>,
}

impl TryFrom<RawSpan> for Span {
    type Error = EmptySpan;
    fn try_from(raw: RawSpan) -> Result<Self, Self::Error> {
        Span::new(raw.start, raw.end)
    }
}

/// A span must end after it starts; zero-length calendar entries carry no busy time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("a time span must end after it starts (got {start} to {end})")]
pub struct EmptySpan {
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
}

impl Span {
    pub fn new(start: DateTime<Utc>, end: DateTime<Utc>) -> Result<Self, EmptySpan> {
        if end > start {
            Ok(Self { start, end })
        } else {
            Err(EmptySpan { start, end })
        }
    }
    pub fn start(&self) -> DateTime<Utc> {
        self.start
    }
    pub fn end(&self) -> DateTime<Utc> {
        self.end
    }
    pub fn contains(&self, t: DateTime<Utc>) -> bool {
        self.start <= t && t < self.end
    }
    pub fn overlaps(&self, other: &Span) -> bool {
        self.start < other.end && other.start < self.end
    }
}

/// One entry of a person's calendar as a source reports it.
#[derive(Clone, PartialEq, Eq)]
pub struct Block {
    span: Span,
    availability: Availability,
    is_private: bool,
    subject: Option<String>,
}

impl Block {
    pub fn new(span: Span, availability: Availability) -> Self {
        Self {
            span,
            availability,
            is_private: false,
            subject: None,
        }
    }
    /// Marks the block private; a private block never keeps its subject.
    pub fn private(mut self, is_private: bool) -> Self {
        self.is_private = is_private;
        if is_private {
            self.subject = None;
        }
        self
    }
    /// Keeps the subject of a non-private block so its owner can see it in `calendar show`.
    pub fn with_subject(mut self, subject: Option<String>) -> Self {
        if !self.is_private {
            self.subject = subject.filter(|s| !s.trim().is_empty());
        }
        self
    }
    pub fn span(&self) -> Span {
        self.span
    }
    pub fn start(&self) -> DateTime<Utc> {
        self.span.start
    }
    pub fn end(&self) -> DateTime<Utc> {
        self.span.end
    }
    pub fn availability(&self) -> Availability {
        self.availability
    }
    pub fn is_private(&self) -> bool {
        self.is_private
    }
    /// Only for showing a person their own calendar; never put it in a notice or a log line.
    pub fn subject(&self) -> Option<&str> {
        self.subject.as_deref()
    }
}

impl fmt::Debug for Block {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Block")
            .field("start", &self.span.start)
            .field("end", &self.span.end)
            .field("availability", &self.availability)
            .field("is_private", &self.is_private)
            .field("subject", &self.subject.as_ref().map(|_| "<hidden>"))
            .finish()
    }
}
