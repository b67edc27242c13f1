//! A feed as RFC 5545 text, through the `icalendar` crate. Pure: the feed's entries in, text out.

use std::collections::HashMap;
use std::fmt::Write as _;

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use icalendar::{Calendar, Component, Event, EventLike, EventStatus};
use sha2::{Digest, Sha256};

use crate::lottery::{TaskId, TaskState};
use crate::store::holidays::Holiday;
use crate::store::ical::FeedTask;

/// One entry of a feed, with everything that shows; its fingerprint is the feed's ETag.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Entry {
    Task {
        uid: String,
        start: DateTime<Utc>,
        finish: DateTime<Utc>,
        summary: String,
        description: String,
        confirmed: bool,
    },
    Holiday {
        uid: String,
        day: NaiveDate,
        summary: String,
    },
}

/// An owner's override on a task (`task override`): `to` serves instead of `from` for a stretch.
#[derive(Debug, Clone, PartialEq)]
pub struct Cover {
    /// The override's id: the covering person's own entry for it is named after it.
    pub id: i64,
    pub from: String,
    pub to: String,
    pub start: DateTime<Utc>,
    pub finish: DateTime<Utc>,
}

/// The entries for tasks (and, for a rotation's feed, its holidays), in the order they show.
pub fn entries(tasks: &[FeedTask], holidays: &[Holiday]) -> Vec<Entry> {
    entries_with_covers(tasks, holidays, &HashMap::new(), None)
}

/// `entries`, with each task's overrides in its summary and description. `viewer` is the username
/// whose personal feed this is: a task they cover for someone shows as its own entry for the
/// covered stretch, and a task of theirs says when someone covers for them.
pub fn entries_with_covers(
    tasks: &[FeedTask],
    holidays: &[Holiday],
    covers: &HashMap<TaskId, Vec<Cover>>,
    viewer: Option<&str>,
) -> Vec<Entry> {
    let none = Vec::new();
    let mut out: Vec<Entry> = tasks
        .iter()
        .flat_map(|t| task_entries(t, covers.get(&t.task.id).unwrap_or(&none), viewer))
        .collect();
    out.extend(holidays.iter().map(|h| Entry::Holiday {
        uid: format!("holiday-{}@solar-lottery", h.id),
        day: h.day,
        summary: match &h.name {
            Some(n) => format!("Holiday: {n}"),
            None => "Holiday".to_string(),
        },
    }));
    out
}

fn stamp(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%d %H:%M UTC").to_string()
}

/// A task's entries: the task itself (unless the viewer is only covering on it), then one for each
/// stretch the viewer covers.
fn task_entries(t: &FeedTask, covers: &[Cover], viewer: Option<&str>) -> Vec<Entry> {
    let mut out = Vec::new();
    let base = task_entry(t);
    let on_task = viewer.is_none_or(|v| t.people.iter().any(|p| p == v));
    if on_task {
        let mut e = base.clone();
        if let Entry::Task {
            summary,
            description,
            ..
        } = &mut e
        {
            for c in covers {
                let whole = c.start == t.task.times.start() && c.finish == t.task.times.finish();
                if viewer == Some(c.from.as_str()) {
                    if whole {
                        summary.push_str(&format!(" (covered by @{})", c.to));
                    } else {
                        summary.push_str(&format!(
                            " (covered by @{} {} → {})",
                            c.to,
                            stamp(c.start),
                            stamp(c.finish)
                        ));
                    }
                } else if whole {
                    summary.push_str(&format!(" (@{} instead of @{})", c.to, c.from));
                } else {
                    summary.push_str(&format!(" (@{} covers @{} in part)", c.to, c.from));
                }
                description.push_str(&format!(
                    "\nOverride: @{} instead of @{}, {} → {}",
                    c.to,
                    c.from,
                    stamp(c.start),
                    stamp(c.finish)
                ));
            }
        }
        out.push(e);
    }
    let Some(v) = viewer else { return out };
    let Entry::Task {
        description,
        confirmed,
        ..
    } = &base
    else {
        return out;
    };
    let name = format!("{}#{}", t.rotation, t.task.number);
    for c in covers.iter().filter(|c| c.to == v) {
        out.push(Entry::Task {
            uid: format!("task-{}-cover-{}@solar-lottery", t.task.id.0, c.id),
            start: c.start,
            finish: c.finish,
            summary: format!("{name}: covering for @{}", c.from),
            description: format!(
                "You serve instead of @{} on {name}, {} → {}\n{description}",
                c.from,
                stamp(c.start),
                stamp(c.finish)
            ),
            confirmed: *confirmed,
        });
    }
    out
}

fn task_entry(t: &FeedTask) -> Entry {
    let name = format!("{}#{}", t.rotation, t.task.number);
    let people = if t.people.is_empty() {
        "nobody yet".to_string()
    } else {
        t.people
            .iter()
            .map(|p| format!("@{p}"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let needs = if t.needs.is_empty() {
        "none".to_string()
    } else {
        t.needs
            .iter()
            .map(|(sl, c)| format!("{c} {sl}"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let mut description = format!("State: {}\nNeeds: {needs}", t.task.state);
    if let Some(s) = &t.task.summary {
        description.push_str(&format!("\nSummary: {s}"));
    }
    Entry::Task {
        uid: format!("task-{}@solar-lottery", t.task.id.0),
        start: t.task.times.start(),
        finish: t.task.times.finish(),
        summary: format!("{name}: {people}"),
        description,
        confirmed: t.task.state != TaskState::Pending,
    }
}

/// A short, stable digest of the entries: equal entries, equal ETag. The fields are hashed
/// directly (with separators), not through a formatted string: it is on every poll's path.
pub fn fingerprint(name: &str, entries: &[Entry]) -> String {
    const SEP: &[u8] = &[0x1f];
    let mut h = Sha256::new();
    h.update(b"feed/2");
    h.update(name.as_bytes());
    for e in entries {
        match e {
            Entry::Task {
                uid,
                start,
                finish,
                summary,
                description,
                confirmed,
            } => {
                h.update(b"\x1etask");
                for text in [uid, summary, description] {
                    h.update(SEP);
                    h.update(text.as_bytes());
                }
                h.update(SEP);
                h.update(start.timestamp().to_le_bytes());
                h.update(finish.timestamp().to_le_bytes());
                h.update([u8::from(*confirmed)]);
            }
            Entry::Holiday { uid, day, summary } => {
                h.update(b"\x1eholiday");
                for text in [uid, summary] {
                    h.update(SEP);
                    h.update(text.as_bytes());
                }
                h.update(SEP);
                h.update(i64::from(day.num_days_from_ce()).to_le_bytes());
            }
        }
    }
    let mut out = String::with_capacity(32);
    for b in h.finalize().iter().take(16) {
        let _ = write!(out, "{b:02x}");
    }
    out
}

/// The calendar text. `stamp` is when the content last changed (DTSTAMP), so the text is stable
/// between changes.
pub fn render(name: &str, entries: &[Entry], stamp: DateTime<Utc>) -> String {
    let events: Vec<EventText> = entries.iter().map(event_text).collect();
    assemble(name, events.iter(), stamp)
}

/// One entry's VEVENT as `icalendar` writes it, stamped with a placeholder: the text of an entry
/// that did not change is kept (`FeedCache`) and only stamped again when a feed is assembled.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventText {
    text: String,
    /// Where the placeholder DTSTAMP value starts in `text`.
    stamp_at: Option<usize>,
    entry: Entry,
}

/// The DTSTAMP every kept event is written with, and the line it makes (a line of its own: a
/// property's value never holds a bare line break, and a folded line goes on with a space).
const PLACEHOLDER: DateTime<Utc> = DateTime::<Utc>::UNIX_EPOCH;
const PLACEHOLDER_LINE: &str = "\r\nDTSTAMP:19700101T000000Z\r\n";
const STAMP_LEN: usize = "19700101T000000Z".len();

pub fn event_text(e: &Entry) -> EventText {
    let text = event(e, PLACEHOLDER).to_string();
    let stamp_at = text
        .find(PLACEHOLDER_LINE)
        .map(|i| i + "\r\nDTSTAMP:".len());
    EventText {
        text,
        stamp_at,
        entry: e.clone(),
    }
}

/// The calendar around `events`, each stamped `stamp`.
pub fn assemble<'a>(
    name: &str,
    events: impl Iterator<Item = &'a EventText>,
    stamp: DateTime<Utc>,
) -> String {
    let mut cal = Calendar::new();
    cal.name(name);
    let shell = cal.done().to_string();
    let end = shell.rfind("END:VCALENDAR").unwrap_or(shell.len());
    let stamp_text = stamp.format("%Y%m%dT%H%M%SZ").to_string();
    let mut out = String::with_capacity(shell.len() + 400 * 1024);
    out.push_str(&shell[..end]);
    for e in events {
        match e.stamp_at {
            Some(i) if stamp_text.len() == STAMP_LEN => {
                out.push_str(&e.text[..i]);
                out.push_str(&stamp_text);
                out.push_str(&e.text[i + STAMP_LEN..]);
            }
            // Not where it should be (or a year past 9999): written again, stamped.
            _ => out.push_str(&event(&e.entry, stamp).to_string()),
        }
    }
    out.push_str(&shell[end..]);
    out
}

fn event(e: &Entry, stamp: DateTime<Utc>) -> Event {
    match e {
        Entry::Task {
            uid,
            start,
            finish,
            summary,
            description,
            confirmed,
        } => Event::new()
            .uid(uid)
            .timestamp(stamp)
            .starts(*start)
            .ends(*finish)
            .summary(summary)
            .description(description)
            .status(if *confirmed {
                EventStatus::Confirmed
            } else {
                EventStatus::Tentative
            })
            .done(),
        Entry::Holiday { uid, day, summary } => Event::new()
            .uid(uid)
            .timestamp(stamp)
            // DTEND is exclusive (RFC 5545 §3.6.1): a one-day event ends the next day.
            .starts(*day)
            .ends(day.succ_opt().unwrap_or(*day))
            .summary(summary)
            .add_property("TRANSP", "TRANSPARENT")
            .done(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn entries() -> Vec<Entry> {
        let t = |h| Utc.with_ymd_and_hms(2030, 3, 4, h, 0, 0).unwrap();
        vec![
            Entry::Task {
                uid: "task-1@solar-lottery".into(),
                start: t(9),
                finish: t(17),
                summary: "ICE#1: @ann".into(),
                // Text that names the placeholder line (DESCRIPTION comes before DTSTAMP) must not
                // fool the stamping; a long one is folded.
                description:
                    "State: pending\r\nDTSTAMP:19700101T000000Z\r\nNeeds: 1 any, a long line "
                        .repeat(4),
                confirmed: false,
            },
            Entry::Holiday {
                uid: "holiday-1@solar-lottery".into(),
                day: NaiveDate::from_ymd_opt(2030, 3, 5).unwrap(),
                summary: "Holiday: Founders".into(),
            },
        ]
    }

    #[test]
    fn kept_events_stamped_again_read_as_one_calendar_written_at_once() {
        let stamp = Utc.with_ymd_and_hms(2030, 3, 1, 12, 30, 5).unwrap();
        let mut whole = Calendar::new();
        whole.name("ICE shifts");
        for e in entries() {
            whole.push(event(&e, stamp));
        }
        let whole = whole.done().to_string();
        assert_eq!(render("ICE shifts", &entries(), stamp), whole);
        assert!(whole.contains("DTSTAMP:20300301T123005Z"), "{whole}");
        assert!(event_text(&entries()[0]).stamp_at.is_some());
    }
}
