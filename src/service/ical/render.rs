//! A feed as RFC 5545 text (see `write` for why not through the `icalendar` crate). Pure: the
//! feed's entries in, text out.

use std::fmt::Write as _;

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use sha2::{Digest, Sha256};

use super::write::Writer;

use crate::lottery::TaskState;
use crate::store::holidays::Holiday;
use crate::store::ical::FeedTask;

/// One entry of a feed, with everything that shows; its fingerprint is the feed's ETag.
#[derive(Debug, Clone, PartialEq)]
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

/// The entries for tasks (and, for a rotation's feed, its holidays), in the order they show.
pub fn entries(tasks: &[FeedTask], holidays: &[Holiday]) -> Vec<Entry> {
    let mut out: Vec<Entry> = tasks.iter().map(task_entry).collect();
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

/// A short, stable digest of the entries: equal entries, equal ETag. Each field is hashed as it is
/// (a separator between fields, a tag per kind), not through a formatted copy of the entry.
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
/// between changes. Properties come in the order the `icalendar` crate wrote them (alphabetical
/// within an event), so clients see the same text as before.
pub fn render(name: &str, entries: &[Entry], stamp: DateTime<Utc>) -> String {
    let mut w = Writer::with_capacity(400 * entries.len() + 256);
    w.raw("BEGIN", "VCALENDAR");
    w.raw("VERSION", "2.0");
    w.raw("PRODID", "ICALENDAR-RS");
    w.raw("CALSCALE", "GREGORIAN");
    w.text("NAME", name);
    w.text("X-WR-CALNAME", name);
    for e in entries {
        w.raw("BEGIN", "VEVENT");
        match e {
            Entry::Task {
                uid,
                start,
                finish,
                summary,
                description,
                confirmed,
            } => {
                w.text("DESCRIPTION", description);
                w.utc("DTEND", *finish);
                w.utc("DTSTAMP", stamp);
                w.utc("DTSTART", *start);
                w.raw("STATUS", if *confirmed { "CONFIRMED" } else { "TENTATIVE" });
                w.text("SUMMARY", summary);
                w.text("UID", uid);
            }
            Entry::Holiday { uid, day, summary } => {
                // An all-day entry ends at the start of the next day (RFC 5545 §3.6.1).
                w.date("DTEND", day.succ_opt().unwrap_or(*day));
                w.utc("DTSTAMP", stamp);
                w.date("DTSTART", *day);
                w.text("SUMMARY", summary);
                w.raw("TRANSP", "TRANSPARENT");
                w.text("UID", uid);
            }
        }
        w.raw("END", "VEVENT");
    }
    w.raw("END", "VCALENDAR");
    w.finish()
}

#[cfg(test)]
mod tests;
