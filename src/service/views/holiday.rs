//! `holiday add|remove|list`.

use chrono::{Datelike, NaiveDate};
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
}

impl HolidayView {
    fn line(&self) -> String {
        format!(
            "- **{}** ({}){}, {}",
            self.day,
            self.day.weekday(),
            self.name
                .as_ref()
                .map(|n| format!(" {n}"))
                .unwrap_or_default(),
            match &self.rotation {
                Some(r) => format!("for {r}"),
                None => "for every rotation".to_string(),
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
}

fn policy<S: serde::Serializer>(p: &Option<HolidayPolicy>, s: S) -> Result<S::Ok, S::Error> {
    match p {
        Some(p) => s.serialize_str(p.as_str()),
        None => s.serialize_none(),
    }
}

impl View for HolidayListView {
    fn markdown(&self, _: &Reader) -> String {
        let head = match (&self.rotation, self.policy) {
            (Some(r), Some(p)) => format!("Holidays for **{r}** (in {r} {}):", p.describe()),
            _ => "Coming holidays:".to_string(),
        };
        if self.holidays.is_empty() {
            return format!(
                "{} none. Add one with `/lotto holiday add 2026-12-25 --name \"Christmas Day\"`.",
                head.trim_end_matches(':')
            );
        }
        let lines: Vec<String> = self.holidays.iter().map(HolidayView::line).collect();
        format!("{head}\n{}", lines.join("\n"))
    }
}
