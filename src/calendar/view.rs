//! The calendar at one instant: the facts the status rules act on.
//!
//! Back-to-back and overlapping blocks of the same kind are merged into one [`Run`], so Do Not Disturb
//! lasts until the end of the whole busy stretch instead of flickering between meetings.

use super::model::{Availability, Block, Span};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::fmt;

/// The three kinds of time the rules treat differently.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RunKind {
    /// Busy or tentative: drives the Mattermost status.
    Busy,
    /// Drives the "Out of office" custom status and the lottery's unavailability.
    OutOfOffice,
    /// Drives the "Working elsewhere" custom status only.
    WorkingElsewhere,
}

impl RunKind {
    fn of(availability: Availability) -> Option<Self> {
        match availability {
            Availability::Free => None,
            Availability::Busy | Availability::Tentative => Some(Self::Busy),
            Availability::OutOfOffice => Some(Self::OutOfOffice),
            Availability::WorkingElsewhere => Some(Self::WorkingElsewhere),
        }
    }
    fn tag(self) -> &'static str {
        match self {
            Self::Busy => "busy",
            Self::OutOfOffice => "oof",
            Self::WorkingElsewhere => "elsewhere",
        }
    }
}

/// Identifies one run across job runs, so the bot acts once per calendar event and a person's manual
/// change is not overridden again for the same event. Stored in the bot's memory.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct RunKey(String);

impl RunKey {
    pub fn new(kind: RunKind, start: DateTime<Utc>) -> Self {
        Self(format!(
            "{}@{}",
            kind.tag(),
            start.format("%Y-%m-%dT%H:%M:%SZ")
        ))
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for RunKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Merged blocks of one kind that contain "now".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Run {
    kind: RunKind,
    span: Span,
    availability: Availability,
}

impl Run {
    pub fn kind(&self) -> RunKind {
        self.kind
    }
    pub fn span(&self) -> Span {
        self.span
    }
    pub fn start(&self) -> DateTime<Utc> {
        self.span.start()
    }
    pub fn end(&self) -> DateTime<Utc> {
        self.span.end()
    }
    /// The strongest availability in the run (busy rather than tentative when both occur).
    pub fn availability(&self) -> Availability {
        self.availability
    }
    pub fn key(&self) -> RunKey {
        RunKey::new(self.kind, self.span.start())
    }
}

/// What a person's calendar means right now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CalendarView {
    now: DateTime<Utc>,
    busy: Option<Run>,
    out_of_office: Option<Run>,
    working_elsewhere: Option<Run>,
}

impl CalendarView {
    /// Condenses a source's blocks (any order, overlaps allowed) into the view at `now`.
    pub fn at(blocks: &[Block], now: DateTime<Utc>) -> Self {
        Self {
            now,
            busy: run_at(blocks, RunKind::Busy, now),
            out_of_office: run_at(blocks, RunKind::OutOfOffice, now),
            working_elsewhere: run_at(blocks, RunKind::WorkingElsewhere, now),
        }
    }

    /// A view with nothing in it: what a connected person with an empty calendar looks like.
    pub fn free(now: DateTime<Utc>) -> Self {
        Self::at(&[], now)
    }

    pub fn now(&self) -> DateTime<Utc> {
        self.now
    }
    /// The busy/tentative run containing now; its end is the Do Not Disturb end time.
    pub fn busy(&self) -> Option<&Run> {
        self.busy.as_ref()
    }
    /// The out-of-office run overlapping now, for the custom status and the lottery.
    pub fn out_of_office(&self) -> Option<&Run> {
        self.out_of_office.as_ref()
    }
    pub fn working_elsewhere(&self) -> Option<&Run> {
        self.working_elsewhere.as_ref()
    }

    /// The single word for "now", by Graph's precedence (out of office first).
    pub fn availability(&self) -> Availability {
        [self.out_of_office, self.busy, self.working_elsewhere]
            .into_iter()
            .flatten()
            .map(|run| run.availability)
            .max_by_key(|a| a.precedence())
            .unwrap_or(Availability::Free)
    }
}

/// Sweeps the blocks of one kind in start order, merging overlapping or touching ones, and returns
/// the merged run that contains `now`.
fn run_at(blocks: &[Block], kind: RunKind, now: DateTime<Utc>) -> Option<Run> {
    let mut of_kind: Vec<&Block> = blocks
        .iter()
        .filter(|b| RunKind::of(b.availability()) == Some(kind))
        .collect();
    of_kind.sort_by_key(|b| b.start());
    let mut current: Option<(DateTime<Utc>, DateTime<Utc>, Availability)> = None;
    for block in of_kind {
        current = match current {
            Some((start, end, availability)) if block.start() <= end => Some((
                start,
                end.max(block.end()),
                stronger(availability, block.availability()),
            )),
            Some((start, end, availability)) if start <= now && now < end => {
                return Span::new(start, end).ok().map(|span| Run {
                    kind,
                    span,
                    availability,
                });
            }
            _ => Some((block.start(), block.end(), block.availability())),
        };
    }
    let (start, end, availability) = current?;
    let span = Span::new(start, end).ok()?;
    span.contains(now).then_some(Run {
        kind,
        span,
        availability,
    })
}

fn stronger(a: Availability, b: Availability) -> Availability {
    if b.precedence() > a.precedence() {
        b
    } else {
        a
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at(h: u32, m: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 3, 2, h, m, 0).unwrap()
    }
    fn block(a: Availability, from: DateTime<Utc>, to: DateTime<Utc>) -> Block {
        Block::new(Span::new(from, to).unwrap(), a)
    }

    #[test]
    fn a_gap_ends_the_run_and_runs_not_containing_now_are_ignored() {
        let blocks = [
            block(Availability::Busy, at(8, 0), at(9, 0)),
            block(Availability::Busy, at(9, 30), at(10, 0)),
            block(Availability::Tentative, at(10, 0), at(10, 30)),
            block(Availability::Busy, at(10, 45), at(11, 0)),
        ];
        let run = *CalendarView::at(&blocks, at(9, 45)).busy().unwrap();
        assert_eq!((run.start(), run.end()), (at(9, 30), at(10, 30)));
        assert_eq!(run.availability(), Availability::Busy);
        assert_eq!(run.key(), RunKey::new(RunKind::Busy, at(9, 30)));
        assert!(CalendarView::at(&blocks, at(9, 10)).busy().is_none());
        assert!(
            CalendarView::at(&blocks, at(10, 30)).busy().is_none(),
            "runs are half-open"
        );
        assert!(CalendarView::at(&blocks, at(7, 0)).busy().is_none());
    }

    #[test]
    fn kinds_do_not_merge_and_the_headline_follows_graph_precedence() {
        let blocks = [
            block(Availability::WorkingElsewhere, at(8, 0), at(17, 0)),
            block(Availability::Tentative, at(9, 0), at(10, 0)),
            block(Availability::Free, at(9, 0), at(12, 0)),
        ];
        let view = CalendarView::at(&blocks, at(9, 30));
        assert_eq!(view.availability(), Availability::Tentative);
        assert_eq!(view.busy().map(|r| r.end()), Some(at(10, 0)));
        assert_eq!(view.working_elsewhere().map(|r| r.end()), Some(at(17, 0)));
        assert_eq!(
            CalendarView::at(&blocks, at(11, 0)).availability(),
            Availability::WorkingElsewhere
        );
        assert_eq!(
            CalendarView::free(at(11, 0)).availability(),
            Availability::Free
        );
    }
}
