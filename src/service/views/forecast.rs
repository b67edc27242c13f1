//! `rotation forecast`: per upcoming shift, who is likely to serve and how likely.

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::ser::{self, PersonRef};
use super::{Reader, View};
use crate::lottery::forecast::ForecastReport;
use crate::lottery::{TaskState, UserId};
use crate::service::format;

/// How many people a shift's line names before summing up the rest.
const LISTED: usize = 5;

/// What the reply says about one shift, before the odds are known.
#[derive(Debug, Clone)]
pub struct ForecastRow {
    /// `ICE#3`
    pub id: String,
    pub number: i64,
    pub kind: RowKind,
    pub start: DateTime<Utc>,
    pub finish: DateTime<Utc>,
    /// The holiday a shift is skipped for, or where it was moved from.
    pub note: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RowKind {
    /// A task that exists, in this state.
    Task(TaskState),
    /// Not created yet.
    Planned,
    /// Not held: it starts on a holiday the rotation skips.
    Skipped,
}

impl RowKind {
    fn as_str(self) -> &'static str {
        match self {
            RowKind::Task(TaskState::Pending) => "pending",
            RowKind::Task(TaskState::Scheduled) => "scheduled",
            RowKind::Task(TaskState::Started) => "started",
            RowKind::Task(TaskState::Finished) => "finished",
            RowKind::Planned => "not created yet",
            RowKind::Skipped => "skipped for a holiday",
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct ForecastView {
    pub rotation: String,
    /// How many times the lottery ran.
    pub draws: u32,
    pub shifts: Vec<ShiftForecast>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ShiftForecast {
    pub id: String,
    pub number: i64,
    /// `pending`, `scheduled`, `started`, `not created yet` or `skipped for a holiday`.
    pub state: &'static str,
    #[serde(serialize_with = "ser::time")]
    pub start: DateTime<Utc>,
    #[serde(serialize_with = "ser::time")]
    pub finish: DateTime<Utc>,
    pub note: Option<String>,
    /// Everyone who served in at least one draw, most likely first.
    pub people: Vec<Odds>,
    /// Share of draws in which the shift could not be filled, in percent.
    pub unfilled_percent: f64,
}

#[derive(Debug, Clone, Serialize)]
pub struct Odds {
    #[serde(flatten)]
    pub person: PersonRef,
    /// Chance of serving on the shift, in percent (one decimal).
    pub percent: f64,
}

impl ForecastView {
    /// `users` and `names` are parallel: every person the report may mention, with their mention.
    pub fn new(
        rotation: &str,
        report: ForecastReport,
        rows: Vec<ForecastRow>,
        users: &[UserId],
        names: Vec<String>,
    ) -> Self {
        let people = PersonRef::all(users, names);
        let person = |id: &UserId| {
            people
                .iter()
                .find(|p| p.id == id.as_str())
                .cloned()
                .unwrap_or_else(|| PersonRef::named(id, format!("user `{id}`")))
        };
        let draws = report.draws.max(1);
        let percent = |n: u32| (f64::from(n) * 1000.0 / f64::from(draws)).round() / 10.0;
        let shifts = rows
            .into_iter()
            .zip(report.shifts)
            .map(|(row, odds)| ShiftForecast {
                id: row.id,
                number: row.number,
                state: row.kind.as_str(),
                start: row.start,
                finish: row.finish,
                note: row.note,
                people: odds
                    .ranked()
                    .into_iter()
                    .map(|(u, n)| Odds {
                        person: person(&u),
                        percent: percent(n),
                    })
                    .collect(),
                unfilled_percent: percent(odds.unfilled),
            })
            .collect();
        ForecastView {
            rotation: rotation.to_string(),
            draws: report.draws,
            shifts,
        }
    }
}

/// `52%`, `<1%` for a chance that rounds to nothing but is not nothing, `100%`.
fn pct(p: f64) -> String {
    if p > 0.0 && p < 0.5 {
        "<1%".to_string()
    } else {
        format!("{p:.0}%")
    }
}

impl ShiftForecast {
    fn line(&self, r: &Reader) -> String {
        let when = format!(
            "{} → {}",
            format::time(self.start, r.tz),
            format::time(self.finish, r.tz)
        );
        let mut state = self.state.to_string();
        if let Some(note) = &self.note {
            state.push_str(&format!(" ({note})"));
        }
        let mut who: Vec<String> = self
            .people
            .iter()
            .take(LISTED)
            .map(|o| format!("{} {}", o.person.mention, pct(o.percent)))
            .collect();
        if self.people.len() > LISTED {
            let rest = self.people.len() - LISTED;
            who.push(format!("{rest} other{}", if rest == 1 { "" } else { "s" }));
        }
        if self.unfilled_percent > 0.0 {
            who.push(format!("unfilled {}", pct(self.unfilled_percent)));
        }
        let who = if who.is_empty() && self.state != RowKind::Skipped.as_str() {
            "nobody can serve".to_string()
        } else {
            who.join(", ")
        };
        format::task_line(&self.id, &when, &state, &who)
    }
}

impl View for ForecastView {
    fn markdown(&self, r: &Reader) -> String {
        if self.shifts.is_empty() {
            return format!("**{}** has no upcoming shifts to forecast.", self.rotation);
        }
        let mut text = format!(
            "#### Forecast for {}\nWho is likely to serve, from {} runs of the lottery over the rotation as it is now (nothing was changed). Times in {}.\n",
            self.rotation,
            thousands(self.draws),
            r.tz.name()
        );
        let lines: Vec<String> = self.shifts.iter().map(|s| s.line(r)).collect();
        text.push_str(&lines.join("\n"));
        text
    }
}

fn thousands(n: u32) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}
