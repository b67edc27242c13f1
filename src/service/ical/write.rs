//! RFC 5545 content lines, written straight into one `String`: `NAME[;PARAM=V]:VALUE`, TEXT values
//! escaped (§3.3.11), lines folded at 75 octets on character boundaries (§3.1), CRLF endings.
//!
//! The feed used to be built through the `icalendar` crate, whose components keep every property
//! as owned strings in maps and fold each line through a fresh `String`: three quarters of a
//! 1,000-task feed's time (benches/ical_feed.rs). A feed needs a dozen fixed properties, so they
//! are written here directly; `render`'s tests check the text against the crate's own output and
//! parser, so the two can't drift apart.

use std::fmt::Write as _;

use chrono::{DateTime, Datelike, NaiveDate, Timelike, Utc};

/// Longest content line, in octets, before it is folded.
const FOLD_AT: usize = 75;

/// A calendar being written.
pub struct Writer {
    out: String,
    /// One content line before folding, reused.
    line: String,
}

impl Writer {
    /// `capacity`: the expected size of the whole text.
    pub fn with_capacity(capacity: usize) -> Self {
        Writer {
            out: String::with_capacity(capacity),
            line: String::with_capacity(256),
        }
    }

    /// A property whose value is written as given (dates, enumerations, `BEGIN`/`END`).
    pub fn raw(&mut self, name: &str, value: &str) {
        self.line.clear();
        self.line.push_str(name);
        self.line.push(':');
        self.line.push_str(value);
        self.flush();
    }

    /// A TEXT property: backslash, comma, semicolon and newline escaped.
    pub fn text(&mut self, name: &str, value: &str) {
        self.line.clear();
        self.line.push_str(name);
        self.line.push(':');
        escape_into(&mut self.line, value);
        self.flush();
    }

    /// A DATE-TIME in UTC: `20300304T080000Z`.
    pub fn utc(&mut self, name: &str, t: DateTime<Utc>) {
        self.line.clear();
        self.line.push_str(name);
        self.line.push(':');
        let t = t.naive_utc();
        push_date(&mut self.line, t.date());
        self.line.push('T');
        push2(&mut self.line, t.hour());
        push2(&mut self.line, t.minute());
        push2(&mut self.line, t.second());
        self.line.push('Z');
        self.flush();
    }

    /// A DATE: `NAME;VALUE=DATE:20301225`.
    pub fn date(&mut self, name: &str, day: NaiveDate) {
        self.line.clear();
        self.line.push_str(name);
        self.line.push_str(";VALUE=DATE:");
        push_date(&mut self.line, day);
        self.flush();
    }

    pub fn finish(self) -> String {
        self.out
    }

    /// Appends the pending line, folded: at most 75 octets per physical line, each continuation
    /// starting with one space (which counts towards its 75), never inside a UTF-8 sequence.
    fn flush(&mut self) {
        let line = self.line.as_str();
        let mut rest = line;
        let mut limit = FOLD_AT;
        while rest.len() > limit {
            let mut cut = limit;
            while !rest.is_char_boundary(cut) {
                cut -= 1;
            }
            self.out.push_str(&rest[..cut]);
            self.out.push_str("\r\n ");
            rest = &rest[cut..];
            limit = FOLD_AT - 1;
        }
        self.out.push_str(rest);
        self.out.push_str("\r\n");
    }
}

/// `YYYYMMDD` (chrono's formatter, per call, costs more than the rest of a feed line).
fn push_date(out: &mut String, d: NaiveDate) {
    let year = d.year();
    if (0..=9999).contains(&year) {
        push2(out, (year / 100) as u32);
        push2(out, (year % 100) as u32);
    } else {
        let _ = write!(out, "{year:04}");
    }
    push2(out, d.month());
    push2(out, d.day());
}

fn push2(out: &mut String, v: u32) {
    out.push(char::from(b'0' + (v / 10 % 10) as u8));
    out.push(char::from(b'0' + (v % 10) as u8));
}

/// TEXT escaping (RFC 5545 §3.3.11): `\\`, `\;`, `\,`, and `\n` for a line break (a CR is dropped).
fn escape_into(out: &mut String, value: &str) {
    if !value.contains(['\\', ';', ',', '\n', '\r']) {
        out.push_str(value);
        return;
    }
    for c in value.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\n' => out.push_str("\\n"),
            '\r' => {}
            c => out.push(c),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_lines_fold_at_75_octets_without_splitting_a_character() {
        let mut w = Writer::with_capacity(0);
        let value = "é".repeat(100);
        w.text("SUMMARY", &value);
        let text = w.finish();
        for physical in text.split("\r\n").filter(|l| !l.is_empty()) {
            assert!(physical.len() <= 75, "{physical:?}");
        }
        let unfolded = text.replace("\r\n ", "");
        assert_eq!(unfolded, format!("SUMMARY:{value}\r\n"));
    }

    #[test]
    fn text_is_escaped_and_other_values_are_not() {
        let mut w = Writer::with_capacity(0);
        w.text("DESCRIPTION", "a;b,c\\d\ne\r\n");
        w.raw("STATUS", "CONFIRMED");
        w.date("DTSTART", NaiveDate::from_ymd_opt(2030, 12, 25).unwrap());
        w.utc(
            "DTSTAMP",
            DateTime::parse_from_rfc3339("2030-03-04T08:00:00Z")
                .unwrap()
                .to_utc(),
        );
        assert_eq!(
            w.finish(),
            "DESCRIPTION:a\\;b\\,c\\\\d\\ne\\n\r\nSTATUS:CONFIRMED\r\nDTSTART;VALUE=DATE:20301225\r\nDTSTAMP:20300304T080000Z\r\n"
        );
    }
}
