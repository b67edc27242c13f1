//! The hand-written text against the `icalendar` crate: the same content lines as the crate writes
//! for the same entries, and text the crate's parser reads back.

use chrono::TimeZone;
use icalendar::{Calendar, Component, Event, EventLike, EventStatus};

use super::*;

fn entries() -> Vec<Entry> {
    let t0 = Utc.with_ymd_and_hms(2030, 3, 4, 8, 0, 0).unwrap();
    vec![
        Entry::Task {
            uid: "task-1@solar-lottery".into(),
            start: t0,
            finish: t0 + chrono::TimeDelta::weeks(1),
            summary: "ICE#0: @ann, @bob".into(),
            description: "State: scheduled\nNeeds: 2 any, 1 webapp-2\nSummary: a; b, c \\ d".into(),
            confirmed: true,
        },
        Entry::Task {
            uid: "task-2@solar-lottery".into(),
            start: t0 + chrono::TimeDelta::weeks(1),
            finish: t0 + chrono::TimeDelta::weeks(2),
            summary: format!("ICE#1: {}", "@ünïcødé-person, ".repeat(12)),
            description: "State: pending\nNeeds: none".into(),
            confirmed: false,
        },
    ]
}

/// The crate's rendering, as the feed was written before.
fn by_the_crate(name: &str, entries: &[Entry], stamp: DateTime<Utc>) -> String {
    let mut cal = Calendar::new();
    cal.name(name);
    for e in entries {
        if let Entry::Task {
            uid,
            start,
            finish,
            summary,
            description,
            confirmed,
        } = e
        {
            cal.push(
                Event::new()
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
            );
        }
    }
    cal.done().to_string()
}

fn unfold(text: &str) -> String {
    text.replace("\r\n ", "")
}

#[test]
fn tasks_render_to_the_same_content_lines_as_the_icalendar_crate() {
    let stamp = Utc.with_ymd_and_hms(2030, 3, 1, 12, 0, 0).unwrap();
    let ours = render("ICE shifts (Solar Lottery)", &entries(), stamp);
    let theirs = by_the_crate("ICE shifts (Solar Lottery)", &entries(), stamp);
    assert_eq!(unfold(&ours), unfold(&theirs));
    for line in ours.split("\r\n") {
        assert!(line.len() <= 75, "{line:?}");
    }
}

#[test]
fn the_text_parses_back_with_holidays_as_whole_days() {
    let stamp = Utc.with_ymd_and_hms(2030, 3, 1, 12, 0, 0).unwrap();
    let mut all = entries();
    all.push(Entry::Holiday {
        uid: "holiday-1@solar-lottery".into(),
        day: NaiveDate::from_ymd_opt(2030, 12, 25).unwrap(),
        summary: "Holiday: Christmas, Day".into(),
    });
    let text = render("ICE", &all, stamp);
    let unfolded = icalendar::parser::unfold(&text);
    let cal = icalendar::parser::read_calendar(&unfolded).expect("parses");
    let events: Vec<_> = cal
        .components
        .iter()
        .filter(|c| c.name == "VEVENT")
        .collect();
    assert_eq!(events.len(), 3);
    let holiday = events[2];
    let value = |name: &str| {
        holiday
            .properties
            .iter()
            .find(|p| p.name == name)
            .map(|p| p.val.to_string())
            .unwrap_or_default()
    };
    assert_eq!(value("DTSTART"), "20301225");
    assert_eq!(value("DTEND"), "20301226");
    assert_eq!(value("SUMMARY"), "Holiday: Christmas, Day");
}

#[test]
fn the_fingerprint_follows_every_shown_field() {
    let base = entries();
    let fp = fingerprint("ICE", &base);
    assert_eq!(fp.len(), 32);
    assert_eq!(fp, fingerprint("ICE", &entries()));
    assert_ne!(fp, fingerprint("ICE2", &base));
    let mut changed = entries();
    if let Entry::Task { confirmed, .. } = &mut changed[1] {
        *confirmed = true;
    }
    assert_ne!(fp, fingerprint("ICE", &changed));
    let mut moved = entries();
    if let Entry::Task { finish, .. } = &mut moved[0] {
        *finish += chrono::TimeDelta::seconds(1);
    }
    assert_ne!(fp, fingerprint("ICE", &moved));
}
