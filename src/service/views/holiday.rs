//! `holiday add|remove|list`.

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use serde::Serialize;

use super::{Reader, View};
use crate::lottery::HolidayPolicy;

#[derive(Debug, Clone, Serialize)]
pub struct HolidayView {
    /// `YYYY-MM-DD`, on each rotation's wall clock.
    pub day: NaiveDate,
    pub name: Option<String>,
    /// `None`: every rotation's.
    pub rotation: Option<String>,
    /// Made by a holiday feed (`holiday feed`), not typed.
    pub from_feed: bool,
}

impl HolidayView {
    fn line(&self) -> String {
        format!(
            "- **{}** ({}){}, {}{}",
            self.day,
            self.day.weekday(),
            self.name
                .as_ref()
                .map(|n| format!(" {n}"))
                .unwrap_or_default(),
            match &self.rotation {
                Some(r) => format!("for {r}"),
                None => "for every rotation".to_string(),
            },
            if self.from_feed {
                " (from its feed)"
            } else {
                ""
            }
        )
    }
}

/// `holiday add|remove`.
#[derive(Debug, Clone, Serialize)]
pub struct HolidayChangedView {
    #[serde(flatten)]
    pub holiday: HolidayView,
    pub added: bool,
}

impl View for HolidayChangedView {
    fn markdown(&self, _: &Reader) -> String {
        let h = &self.holiday;
        let whom = match &h.rotation {
            Some(r) => format!("for **{r}**"),
            None => "for every rotation".to_string(),
        };
        if self.added {
            format!(
                "{} ({}){} is a holiday {whom}. Each rotation skips, moves or keeps its shifts that start that day as `rotation set holidays` says (default: skip).",
                h.day,
                h.day.weekday(),
                h.name
                    .as_ref()
                    .map(|n| format!(", {n},"))
                    .unwrap_or_default()
            )
        } else if h.from_feed {
            format!(
                "{} is no longer a holiday {whom}. It came from the holiday feed, which leaves it out from now on.",
                h.day
            )
        } else {
            format!("{} is no longer a holiday {whom}.", h.day)
        }
    }
}

/// `holiday list [--rotation]`.
#[derive(Debug, Clone, Serialize)]
pub struct HolidayListView {
    pub rotation: Option<String>,
    /// The rotation's policy, when listing for one.
    #[serde(serialize_with = "policy")]
    pub policy: Option<HolidayPolicy>,
    pub holidays: Vec<HolidayView>,
    /// The holiday feeds that hold for what is listed (everyone's, and the rotation's).
    pub feeds: Vec<FeedStatusView>,
}

/// A holiday feed as `holiday list` shows it.
#[derive(Debug, Clone, Serialize)]
pub struct FeedStatusView {
    /// `None`: every rotation's.
    pub rotation: Option<String>,
    /// Scheme and host only: links often carry a secret.
    pub source: String,
    pub read_at: Option<DateTime<Utc>>,
    pub failing_since: Option<DateTime<Utc>>,
    pub error: Option<String>,
}

impl FeedStatusView {
    fn line(&self, reader: &Reader) -> String {
        let whom = match &self.rotation {
            Some(r) => format!("{r}'s"),
            None => "Everyone's".to_string(),
        };
        let when = |t: DateTime<Utc>| crate::text::short_time(t, reader.tz);
        let state = match (&self.failing_since, &self.error, self.read_at) {
            (Some(since), Some(e), _) => format!("**can't be read** since {}: {e}", when(*since)),
            (_, _, Some(read)) => format!("last read {}", when(read)),
            _ => "not read yet".to_string(),
        };
        format!("{whom} holidays also come from {}: {state}.", self.source)
    }
}

fn policy<S: serde::Serializer>(p: &Option<HolidayPolicy>, s: S) -> Result<S::Ok, S::Error> {
    match p {
        Some(p) => s.serialize_str(p.as_str()),
        None => s.serialize_none(),
    }
}

impl View for HolidayListView {
    fn markdown(&self, reader: &Reader) -> String {
        let head = match (&self.rotation, self.policy) {
            (Some(r), Some(p)) => format!("Holidays for **{r}** (in {r} {}):", p.describe()),
            _ => "Coming holidays:".to_string(),
        };
        let feeds: String = self
            .feeds
            .iter()
            .map(|f| format!("\n{}", f.line(reader)))
            .collect();
        if self.holidays.is_empty() {
            return format!(
                "{} none. Add one with `/lotto holiday add 2026-12-25 --name \"Christmas Day\"`, or take them from a calendar with `/lotto holiday feed <url>`.{feeds}",
                head.trim_end_matches(':')
            );
        }
        let lines: Vec<String> = self.holidays.iter().map(HolidayView::line).collect();
        format!("{head}\n{}{feeds}", lines.join("\n"))
    }
}

/// `holiday feed <url>|off`.
#[derive(Debug, Clone, Serialize)]
pub struct HolidayFeedView {
    /// `None`: every rotation's feed.
    pub rotation: Option<String>,
    /// Scheme and host only.
    pub source: String,
    /// Set (`true`) or turned off.
    pub on: bool,
    /// Holidays the calendar has from yesterday on.
    pub days: usize,
    pub added: usize,
    /// Of those, days that already were holidays (typed).
    pub already: usize,
    /// Turned off: the holidays it had made that went.
    pub removed: usize,
    pub coming: Vec<HolidayView>,
}

impl View for HolidayFeedView {
    fn markdown(&self, _: &Reader) -> String {
        let whom = match &self.rotation {
            Some(r) => format!("**{r}**"),
            None => "every rotation".to_string(),
        };
        if !self.on {
            let gone = match self.removed {
                0 => "it had given none".to_string(),
                1 => "the holiday it gave is gone".to_string(),
                n => format!("the {n} holidays it gave are gone"),
            };
            return format!(
                "Holidays for {whom} no longer come from {}; {gone} (days added with `holiday add` stay).",
                self.source
            );
        }
        let already = if self.already > 0 {
            format!(
                " ({} of them already were, added by hand, and stay as they are)",
                self.already
            )
        } else {
            String::new()
        };
        let mut out = format!(
            "Holidays for {whom} now also come from {}: {} days{already}. It is read again every 6 hours, so holidays it adds, moves or drops follow.",
            self.source, self.days
        );
        if !self.coming.is_empty() {
            out.push_str("\nThe next:");
            for h in &self.coming {
                out.push_str(&format!(
                    "\n- **{}** ({}){}",
                    h.day,
                    h.day.weekday(),
                    h.name.as_ref().map(|n| format!(" {n}")).unwrap_or_default()
                ));
            }
        }
        out
    }
}
