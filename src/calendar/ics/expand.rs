//! Turns VEVENTs into the blocks that overlap a window: recurrence rules (RRULE, RDATE, EXDATE),
//! moved or cancelled instances (RECURRENCE-ID overrides), all-day events in the person's zone, and
//! Outlook's busy status.

use super::value::{Moment, parse_duration, start_of_day};
use crate::calendar::model::{Availability, Block, Span};
use chrono::{DateTime, NaiveDate, TimeDelta, Utc};
use chrono_tz::Tz;
use icalendar::{Component, DatePerhapsTime, Event, EventStatus, Property};
use std::collections::{HashMap, HashSet};

/// At most this many instances of one recurring event inside one window.
const MAX_INSTANCES: u16 = 2000;

/// Zones used while expanding one feed.
#[derive(Debug, Clone, Copy)]
pub struct Zones {
    /// For all-day events: the person's zone.
    pub person: Tz,
    /// For floating times: the calendar's `X-WR-TIMEZONE`, else the person's zone.
    pub floating: Tz,
}

/// When an instance happens, before it becomes a span.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum InstanceStart {
    Day(NaiveDate),
    At(DateTime<Utc>),
}

/// How long each instance lasts: whole days for all-day events (so DST days stay whole days).
#[derive(Debug, Clone, Copy)]
enum Length {
    Days(i64),
    Exact(TimeDelta),
}

pub fn expand(events: &[&Event], window: Span, zones: Zones) -> Vec<Block> {
    let mut overrides: HashMap<&str, Vec<&Event>> = HashMap::new();
    let mut masters = Vec::new();
    for event in events {
        match (event.get_uid(), event.get_recurrence_id()) {
            (Some(uid), Some(_)) => overrides.entry(uid).or_default().push(event),
            _ => masters.push(*event),
        }
    }
    let mut blocks = Vec::new();
    for master in masters {
        let moved = master
            .get_uid()
            .and_then(|uid| overrides.remove(uid))
            .unwrap_or_default();
        if is_cancelled(master) {
            continue;
        }
        let replaced: HashSet<InstanceStart> = moved
            .iter()
            .filter_map(|o| o.get_recurrence_id())
            .map(|rid| instance_start(&rid, zones))
            .collect();
        blocks.extend(
            instances(master, window, zones)
                .into_iter()
                .filter(|(start, _)| !replaced.contains(start))
                .map(|(_, span)| block(master, span)),
        );
        blocks.extend(moved.into_iter().filter_map(|o| single(o, window, zones)));
    }
    // Overrides whose series is not in the feed stand on their own.
    blocks.extend(
        overrides
            .into_values()
            .flatten()
            .filter_map(|o| single(o, window, zones)),
    );
    blocks
}

fn is_cancelled(event: &Event) -> bool {
    event.get_status() == Some(EventStatus::Cancelled)
}

/// A non-recurring event (or a moved instance) if it overlaps the window and is not cancelled.
fn single(event: &Event, window: Span, zones: Zones) -> Option<Block> {
    if is_cancelled(event) {
        return None;
    }
    let (start, length) = start_and_length(event, zones)?;
    let span = span_of(start, length, zones)?;
    span.overlaps(&window).then(|| block(event, span))
}

fn instance_start(value: &DatePerhapsTime, zones: Zones) -> InstanceStart {
    match Moment::resolve(value, zones.floating) {
        Moment::Day(day) => InstanceStart::Day(day),
        Moment::At { utc, .. } => InstanceStart::At(utc),
    }
}

fn start_and_length(event: &Event, zones: Zones) -> Option<(Moment, Length)> {
    let start = Moment::resolve(&event.get_start()?, zones.floating);
    let end = event.get_end().map(|e| Moment::resolve(&e, zones.floating));
    let duration = event.property_value("DURATION").and_then(parse_duration);
    let length = match (start, end, duration) {
        (Moment::Day(a), Some(Moment::Day(b)), _) => Length::Days((b - a).num_days()),
        (Moment::Day(_), _, Some(d)) => Length::Days(d.num_days()),
        (Moment::Day(_), _, None) => Length::Days(1),
        (Moment::At { utc: a, .. }, Some(Moment::At { utc: b, .. }), _) => Length::Exact(b - a),
        (Moment::At { .. }, _, Some(d)) => Length::Exact(d),
        (Moment::At { utc: a, .. }, Some(Moment::Day(b)), None) => {
            Length::Exact(start_of_day(b, zones.person) - a)
        }
        // A DTSTART-only timed event takes no time (RFC 5545 §3.6.1).
        (Moment::At { .. }, None, None) => return None,
    };
    Some((start, length))
}

fn span_of(start: Moment, length: Length, zones: Zones) -> Option<Span> {
    let (from, to) = match (start, length) {
        (Moment::Day(day), Length::Days(days)) => (
            start_of_day(day, zones.person),
            start_of_day(
                day.checked_add_signed(TimeDelta::try_days(days)?)?,
                zones.person,
            ),
        ),
        (Moment::Day(day), Length::Exact(d)) => {
            let from = start_of_day(day, zones.person);
            (from, from.checked_add_signed(d)?)
        }
        (Moment::At { utc, .. }, Length::Exact(d)) => (utc, utc.checked_add_signed(d)?),
        (Moment::At { utc, .. }, Length::Days(days)) => {
            (utc, utc.checked_add_signed(TimeDelta::try_days(days)?)?)
        }
    };
    Span::new(from, to).ok()
}

/// Every instance of `event` overlapping the window, keyed by its original start.
fn instances(event: &Event, window: Span, zones: Zones) -> Vec<(InstanceStart, Span)> {
    let Some((start, length)) = start_and_length(event, zones) else {
        return Vec::new();
    };
    let as_instance = |m: Moment| match m {
        Moment::Day(day) => InstanceStart::Day(day),
        Moment::At { utc, .. } => InstanceStart::At(utc),
    };
    let Some(rule) = event.property_value("RRULE") else {
        return span_of(start, length, zones)
            .filter(|s| s.overlaps(&window))
            .map(|s| vec![(as_instance(start), s)])
            .unwrap_or_default();
    };
    let excluded: HashSet<InstanceStart> = dates_of(event, "EXDATE")
        .iter()
        .map(|v| instance_start(v, zones))
        .collect();
    let mut starts = match recurrence(start, rule, length, window, zones) {
        Some(starts) => starts,
        None => {
            // An unreadable rule: keep the first instance rather than lose the event entirely.
            tracing::debug!(
                uid = event.get_uid().unwrap_or_default(),
                "unreadable RRULE; using DTSTART only"
            );
            vec![start]
        }
    };
    starts.extend(
        dates_of(event, "RDATE")
            .iter()
            .map(|v| Moment::resolve(v, zones.floating)),
    );
    let mut seen = HashSet::new();
    starts
        .into_iter()
        .filter(|m| seen.insert(as_instance(*m)) && !excluded.contains(&as_instance(*m)))
        .filter_map(|m| Some((as_instance(m), span_of(m, length, zones)?)))
        .filter(|(_, span)| span.overlaps(&window))
        .collect()
}

/// Expands an RRULE with the `rrule` crate, in the event's own zone so instances keep their wall
/// time across DST. Returns `None` when the rule cannot be read.
fn recurrence(
    start: Moment,
    rule: &str,
    length: Length,
    window: Span,
    zones: Zones,
) -> Option<Vec<Moment>> {
    use chrono::TimeZone as _;
    let (dtstart, zone) = match start {
        Moment::Day(day) => {
            let zone = rrule::Tz::Tz(zones.person);
            (
                zone.from_utc_datetime(&start_of_day(day, zones.person).naive_utc()),
                zones.person,
            )
        }
        Moment::At { utc, zone } => (
            rrule::Tz::Tz(zone).from_utc_datetime(&utc.naive_utc()),
            zone,
        ),
    };
    // UNTIL must be UTC for rrule when DTSTART has a zone; feeds often write a date or local time.
    let mut until = None;
    let rest: Vec<&str> = rule
        .split(';')
        .filter(|part| match part.split_once('=') {
            Some((key, value)) if key.eq_ignore_ascii_case("UNTIL") => {
                until = Some(value.trim());
                false
            }
            _ => true,
        })
        .collect();
    let mut parsed: rrule::RRule<rrule::Unvalidated> = rest.join(";").parse().ok()?;
    if let Some(until) = until {
        let value = Property::new("UNTIL", until);
        let end = match Moment::resolve(&DatePerhapsTime::from_property(&value)?, zone) {
            // A date UNTIL includes that whole day.
            Moment::Day(day) => {
                start_of_day(day.succ_opt()?, zone).checked_sub_signed(TimeDelta::seconds(1))?
            }
            Moment::At { utc, .. } => utc,
        };
        if end < dtstart.with_timezone(&Utc) {
            return Some(vec![start]);
        }
        parsed = parsed.until(rrule::Tz::UTC.from_utc_datetime(&end.naive_utc()));
    }
    let longest = match length {
        Length::Days(days) => TimeDelta::try_days(days.checked_add(1)?)?,
        Length::Exact(d) => d,
    };
    let after =
        rrule::Tz::UTC.from_utc_datetime(&window.start().checked_sub_signed(longest)?.naive_utc());
    let before = rrule::Tz::UTC.from_utc_datetime(&window.end().naive_utc());
    let set = parsed.build(dtstart).ok()?.after(after).before(before);
    let result = set.all(MAX_INSTANCES);
    Some(
        result
            .dates
            .into_iter()
            .map(|occurrence| match start {
                Moment::Day(_) => Moment::Day(occurrence.with_timezone(&zones.person).date_naive()),
                Moment::At { zone, .. } => Moment::At {
                    utc: occurrence.with_timezone(&Utc),
                    zone,
                },
            })
            .collect(),
    )
}

/// EXDATE / RDATE values: several properties, each possibly a comma-separated list.
fn dates_of(event: &Event, name: &str) -> Vec<DatePerhapsTime> {
    let Some(properties) = event.multi_properties().get(name) else {
        return Vec::new();
    };
    properties
        .iter()
        .flat_map(|property| {
            property.value().split(',').filter_map(move |part| {
                let mut single = Property::new(name, part.trim());
                for (key, param) in property.params() {
                    single.add_parameter(key, param.value());
                }
                DatePerhapsTime::from_property(&single)
            })
        })
        .collect()
}

fn availability(event: &Event) -> Availability {
    let outlook = event
        .property_value("X-MICROSOFT-CDO-BUSYSTATUS")
        .map(|v| v.trim().to_ascii_uppercase());
    match outlook.as_deref() {
        Some("FREE") => return Availability::Free,
        Some("TENTATIVE") => return Availability::Tentative,
        Some("BUSY") => return Availability::Busy,
        Some("OOF") => return Availability::OutOfOffice,
        Some("WORKINGELSEWHERE") => return Availability::WorkingElsewhere,
        _ => {}
    }
    if event
        .property_value("TRANSP")
        .is_some_and(|t| t.trim().eq_ignore_ascii_case("TRANSPARENT"))
    {
        return Availability::Free;
    }
    if event.get_status() == Some(EventStatus::Tentative) {
        return Availability::Tentative;
    }
    Availability::Busy
}

fn block(event: &Event, span: Span) -> Block {
    let private = event.property_value("CLASS").is_some_and(|c| {
        matches!(
            c.trim().to_ascii_uppercase().as_str(),
            "PRIVATE" | "CONFIDENTIAL"
        )
    });
    Block::new(span, availability(event))
        .private(private)
        .with_subject(event.get_summary().map(str::to_string))
}
