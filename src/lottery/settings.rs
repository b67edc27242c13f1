//! Rotation settings that are plain data: the task type, the autopilot switches, and task timing.

use chrono::{DateTime, TimeDelta, Utc};
use serde::Serialize;
use std::fmt;
use std::str::FromStr;

use super::duration::format_duration;

/// Shifts recur with the rotation's period; tickets are created on request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum TaskType {
    /// Recurring, one per period.
    #[default]
    Shift,
    /// On request.
    Ticket,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{0}` is not a task type: use shift or ticket")]
pub struct TaskTypeError(pub String);

impl FromStr for TaskType {
    type Err = TaskTypeError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "shift" | "shifts" => Ok(TaskType::Shift),
            "ticket" | "tickets" => Ok(TaskType::Ticket),
            _ => Err(TaskTypeError(s.to_string())),
        }
    }
}

impl TaskType {
    pub fn as_str(self) -> &'static str {
        match self {
            TaskType::Shift => "shift",
            TaskType::Ticket => "ticket",
        }
    }
}

impl fmt::Display for TaskType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What the autopilot does for a rotation. Each step is on or off, with how far ahead it acts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct AutopilotSettings {
    pub create: bool,
    #[serde(serialize_with = "ser_secs")]
    pub create_prior: TimeDelta,
    pub schedule: bool,
    #[serde(serialize_with = "ser_secs")]
    pub schedule_prior: TimeDelta,
    pub start_finish: bool,
    pub remind_start: bool,
    #[serde(serialize_with = "ser_secs")]
    pub remind_start_prior: TimeDelta,
    pub remind_finish: bool,
    #[serde(serialize_with = "ser_secs")]
    pub remind_finish_prior: TimeDelta,
}

fn ser_secs<S: serde::Serializer>(d: &TimeDelta, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&format_duration(*d))
}

/// `rotation set autopilot`: switch every step off, or change only the settings given.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AutopilotChange {
    Off,
    /// At least one field is set.
    Update(AutopilotUpdate),
}

/// Each `None` leaves the stored setting as it is.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct AutopilotUpdate {
    pub create: Option<bool>,
    pub create_prior: Option<TimeDelta>,
    pub schedule: Option<bool>,
    pub schedule_prior: Option<TimeDelta>,
    pub start_finish: Option<bool>,
    pub remind_start: Option<bool>,
    pub remind_start_prior: Option<TimeDelta>,
    pub remind_finish: Option<bool>,
    pub remind_finish_prior: Option<TimeDelta>,
}

impl AutopilotSettings {
    pub fn is_on(&self) -> bool {
        self.create || self.schedule || self.start_finish || self.remind_start || self.remind_finish
    }

    /// Applies a change. `--off` turns every step off but keeps the lead times, so turning a step
    /// back on restores what was set. Giving a lead time for a step turns that step on unless the
    /// same change says otherwise: `--create-prior 4w` alone means "create shifts 4 weeks ahead".
    pub fn apply(&self, change: &AutopilotChange) -> AutopilotSettings {
        let mut s = *self;
        let c = match change {
            AutopilotChange::Off => {
                s.create = false;
                s.schedule = false;
                s.start_finish = false;
                s.remind_start = false;
                s.remind_finish = false;
                return s;
            }
            AutopilotChange::Update(u) => u,
        };
        fn step(on: &mut bool, prior: &mut TimeDelta, set: Option<bool>, p: Option<TimeDelta>) {
            if let Some(p) = p {
                *prior = p;
                *on = true;
            }
            if let Some(v) = set {
                *on = v;
            }
        }
        step(&mut s.create, &mut s.create_prior, c.create, c.create_prior);
        step(
            &mut s.schedule,
            &mut s.schedule_prior,
            c.schedule,
            c.schedule_prior,
        );
        if let Some(v) = c.start_finish {
            s.start_finish = v;
        }
        step(
            &mut s.remind_start,
            &mut s.remind_start_prior,
            c.remind_start,
            c.remind_start_prior,
        );
        step(
            &mut s.remind_finish,
            &mut s.remind_finish_prior,
            c.remind_finish,
            c.remind_finish_prior,
        );
        s
    }

    /// The settings in words, one phrase per step that is on, e.g. "creates shifts 4 weeks ahead".
    pub fn describe(&self) -> Vec<String> {
        let mut out = Vec::new();
        if self.create {
            out.push(format!("creates shifts {} ahead", ahead(self.create_prior)));
        }
        if self.schedule {
            out.push(format!(
                "fills and schedules tasks {} before they start",
                ahead(self.schedule_prior)
            ));
        }
        if self.remind_start {
            out.push(format!(
                "reminds people {} before a task starts",
                ahead(self.remind_start_prior)
            ));
        }
        if self.start_finish {
            out.push("starts and finishes tasks on time".to_string());
        }
        if self.remind_finish {
            out.push(format!(
                "reminds people {} before a task finishes",
                ahead(self.remind_finish_prior)
            ));
        }
        out
    }
}

/// A lead time in words, as `rotation show` reads: "4 weeks", "1 day and 12 hours", "right".
fn ahead(d: TimeDelta) -> String {
    if d <= TimeDelta::zero() {
        return "right".to_string();
    }
    const UNITS: [(i64, &str); 4] = [
        (7 * 86_400, "week"),
        (86_400, "day"),
        (3_600, "hour"),
        (60, "minute"),
    ];
    let mut rest = d.num_seconds();
    let mut parts = Vec::new();
    for (unit, name) in UNITS {
        let n = rest / unit;
        if n > 0 {
            parts.push(format!("{n} {name}{}", if n == 1 { "" } else { "s" }));
            rest -= n * unit;
        }
    }
    match parts.as_slice() {
        [] => format_duration(d),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

/// When a task happens: expected start and duration, and the actual start/finish once known.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TaskTimes {
    pub expected_start: DateTime<Utc>,
    pub expected_duration: TimeDelta,
    pub actual_start: Option<DateTime<Utc>>,
    pub actual_finish: Option<DateTime<Utc>>,
}

impl TaskTimes {
    /// The span the task occupies its people: actual times when known, else expected (upstream §2.6).
    pub fn span(&self) -> (DateTime<Utc>, DateTime<Utc>) {
        match (self.actual_start, self.actual_finish) {
            (Some(s), Some(f)) => (s, f.max(s)),
            (Some(s), None) => (s, s + self.expected_duration),
            (None, Some(f)) => (self.expected_start, f.max(self.expected_start)),
            (None, None) => (
                self.expected_start,
                self.expected_start + self.expected_duration,
            ),
        }
    }

    pub fn start(&self) -> DateTime<Utc> {
        self.span().0
    }

    pub fn finish(&self) -> DateTime<Utc> {
        self.span().1
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn autopilot_changes_only_what_is_given() {
        let s = AutopilotSettings::default().apply(&AutopilotChange::Update(AutopilotUpdate {
            create_prior: Some(TimeDelta::weeks(4)),
            start_finish: Some(true),
            ..Default::default()
        }));
        assert!(s.create && s.start_finish && !s.schedule);
        let s2 = s.apply(&AutopilotChange::Update(AutopilotUpdate {
            schedule: Some(true),
            ..Default::default()
        }));
        assert!(s2.create && s2.schedule && s2.start_finish);
        assert_eq!(s2.create_prior, TimeDelta::weeks(4));
        let off = s2.apply(&AutopilotChange::Off);
        assert!(!off.is_on());
        assert_eq!(off.create_prior, TimeDelta::weeks(4));
        assert_eq!(s.describe()[0], "creates shifts 4 weeks ahead");
        let s3 = s2.apply(&AutopilotChange::Update(AutopilotUpdate {
            schedule_prior: Some(TimeDelta::hours(36)),
            remind_start_prior: Some(TimeDelta::hours(24)),
            ..Default::default()
        }));
        assert_eq!(
            s3.describe(),
            [
                "creates shifts 4 weeks ahead",
                "fills and schedules tasks 1 day and 12 hours before they start",
                "reminds people 1 day before a task starts",
                "starts and finishes tasks on time",
            ]
        );
    }

    #[test]
    fn span_prefers_actual_times() {
        let t0 = DateTime::from_timestamp(1_000_000, 0).unwrap();
        let mut t = TaskTimes {
            expected_start: t0,
            expected_duration: TimeDelta::hours(1),
            actual_start: None,
            actual_finish: None,
        };
        assert_eq!(t.span(), (t0, t0 + TimeDelta::hours(1)));
        t.actual_start = Some(t0 + TimeDelta::hours(2));
        assert_eq!(t.finish(), t0 + TimeDelta::hours(3));
        t.actual_finish = Some(t0 + TimeDelta::hours(5));
        assert_eq!(
            t.span(),
            (t0 + TimeDelta::hours(2), t0 + TimeDelta::hours(5))
        );
    }
}
