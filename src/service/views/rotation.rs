//! A rotation's own settings, and the replies that show only those: `rotation list`, `archive`,
//! `set autopilot|fill|task|require|limit`, `owner add|remove`.

use chrono::{DateTime, TimeDelta, Utc};
use chrono_tz::Tz;
use serde::Serialize;

use super::ser;
use super::{Reader, View};
use crate::lottery::{AutopilotSettings, HolidayPolicy, Period, SkillLevel, TaskType};
use crate::service::format;
use crate::store::rotations::{NeedKind, Rotation};

/// A rotation's settings as `--json` has always shown them.
#[derive(Debug, Clone, Serialize)]
pub struct RotationView {
    pub id: i64,
    pub name: String,
    #[serde(rename = "time_zone", serialize_with = "ser::tz")]
    pub tz: Tz,
    #[serde(serialize_with = "ser::display")]
    pub task_type: TaskType,
    #[serde(serialize_with = "period")]
    pub period: Period,
    #[serde(serialize_with = "ser::time")]
    pub beginning: DateTime<Utc>,
    pub seed: u64,
    pub fuzz: u32,
    #[serde(serialize_with = "ser::duration")]
    pub task_duration: TimeDelta,
    #[serde(serialize_with = "ser::duration")]
    pub grace: TimeDelta,
    pub autopilot: AutopilotView,
    /// What happens to shifts starting on a holiday: `skip`, `shift` or `ignore`.
    #[serde(serialize_with = "ser::display")]
    pub holidays: HolidayPolicy,
    pub archived: bool,
    #[serde(serialize_with = "ser::time")]
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Serialize)]
pub struct AutopilotView {
    pub on: bool,
    pub settings: AutopilotSettings,
    /// One phrase per step that is on.
    pub description: Vec<String>,
}

/// The stored form: `weekly`, `3d`.
fn period<S: serde::Serializer>(p: &Period, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&p.to_input())
}

impl RotationView {
    pub fn new(r: &Rotation) -> Self {
        RotationView {
            id: r.id.0,
            name: r.name.clone(),
            tz: r.tz,
            task_type: r.task_type,
            period: r.period,
            beginning: r.beginning,
            seed: r.seed,
            fuzz: r.fuzz,
            task_duration: r.task_duration,
            grace: r.grace,
            autopilot: AutopilotView {
                on: r.autopilot.is_on(),
                settings: r.autopilot,
                description: r.autopilot.describe(),
            },
            holidays: r.holidays,
            archived: r.archived_at.is_some(),
            created_at: r.created_at,
        }
    }

    /// How long its tasks last: `1w`, or what no length means for its task type.
    pub fn task_length(&self) -> String {
        if self.task_duration > TimeDelta::zero() {
            format::duration(self.task_duration)
        } else if self.task_type == TaskType::Shift {
            "a whole period".to_string()
        } else {
            "30m".to_string()
        }
    }
}

/// `at least 2 any; at most 1 lead-◈`
pub fn needs_text(require: &[(SkillLevel, u32)], limit: &[(SkillLevel, u32)]) -> String {
    format!(
        "at least {}{}",
        format::needs(require),
        if limit.is_empty() {
            String::new()
        } else {
            format!("; at most {}", format::needs(limit))
        }
    )
}

/// `rotation list`: each active rotation with its member count.
#[derive(Debug, Clone, Serialize)]
#[serde(transparent)]
pub struct RotationListView {
    pub rotations: Vec<RotationListItem>,
}

#[derive(Debug, Clone, Serialize)]
pub struct RotationListItem {
    #[serde(flatten)]
    pub rotation: RotationView,
    pub member_count: usize,
}

impl View for RotationListView {
    fn markdown(&self, _: &Reader) -> String {
        if self.rotations.is_empty() {
            return "There are no active rotations. Create one with `/lotto rotation new <name>`."
                .into();
        }
        let mut lines = vec!["Active rotations:".to_string()];
        for RotationListItem {
            rotation: r,
            member_count: members,
        } in &self.rotations
        {
            lines.push(format!(
                "- **{}**: {} {}s · {} member{} · autopilot {}",
                r.name,
                r.period,
                r.task_type,
                members,
                if *members == 1 { "" } else { "s" },
                if r.autopilot.on { "on" } else { "off" }
            ));
        }
        lines.join("\n")
    }
}

/// What changed about a rotation whose reply is its settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RotationChange {
    Archived,
    Autopilot,
    Fill,
    TaskSettings,
    Holidays,
}

#[derive(Debug, Clone, Serialize)]
#[serde(transparent)]
pub struct RotationChangedView {
    #[serde(skip)]
    pub change: RotationChange,
    pub rotation: RotationView,
}

impl View for RotationChangedView {
    fn markdown(&self, _: &Reader) -> String {
        let r = &self.rotation;
        match self.change {
            RotationChange::Archived => format!(
                "Archived **{}**: it no longer runs or shows in `rotation list`, and its name is free again.",
                r.name
            ),
            RotationChange::Autopilot if r.autopilot.description.is_empty() => {
                format!("The autopilot of **{}** is off.", r.name)
            }
            RotationChange::Autopilot => format!(
                "The autopilot of **{}** {}.",
                r.name,
                r.autopilot.description.join(", ")
            ),
            RotationChange::Fill => format!(
                "**{}** now fills with seed {} and fuzz {} (higher fuzz = more random picks).",
                r.name, r.seed, r.fuzz
            ),
            RotationChange::TaskSettings => format!(
                "New tasks of **{}** last {}, with {} of grace after serving.",
                r.name,
                r.task_length(),
                format::duration(r.grace)
            ),
            RotationChange::Holidays => format!(
                "In **{}** {}. See the holidays with `/lotto holiday list --rotation {}`.",
                r.name,
                r.holidays.describe(),
                r.name
            ),
        }
    }
}

/// `rotation set require|limit`: the settings with the rotation's needs.
#[derive(Debug, Clone, Serialize)]
pub struct NeedsChangedView {
    #[serde(flatten)]
    pub rotation: RotationView,
    #[serde(serialize_with = "ser::needs")]
    pub require: Vec<(SkillLevel, u32)>,
    #[serde(serialize_with = "ser::needs")]
    pub limit: Vec<(SkillLevel, u32)>,
    /// Which list changed.
    #[serde(skip)]
    pub kind: NeedKind,
    /// Each skill's new count; `None`: cleared.
    #[serde(skip)]
    pub changes: Vec<(SkillLevel, Option<u32>)>,
}

impl View for NeedsChangedView {
    fn markdown(&self, _: &Reader) -> String {
        let (word, noun) = match self.kind {
            NeedKind::Require => ("at least", "requirement"),
            NeedKind::Limit => ("at most", "limit"),
        };
        let done: Vec<String> = self
            .changes
            .iter()
            .map(|(sl, n)| match n {
                Some(n) => format!("{word} {n} {sl}"),
                None => format!("no {noun} for {sl}"),
            })
            .collect();
        format!(
            "New tasks of **{}** will have {}. Now: {}. (Existing tasks keep their own needs.)",
            self.rotation.name,
            done.join(", "),
            needs_text(&self.require, &self.limit)
        )
    }
}

/// `rotation owner add|remove`.
#[derive(Debug, Clone, Serialize)]
pub struct OwnersView {
    pub rotation: String,
    /// `@ann and @bob`, as the reply says it.
    pub owners: String,
    /// Who was added or removed (`@name`s); empty when nothing changed.
    #[serde(skip)]
    pub changed: Vec<String>,
    #[serde(skip)]
    pub added: bool,
}

impl View for OwnersView {
    fn markdown(&self, _: &Reader) -> String {
        let (rotation, owners) = (&self.rotation, &self.owners);
        if self.changed.is_empty() {
            return format!("Nothing changed. Owners of **{rotation}**: {owners}.");
        }
        let (verb, relation) = if self.added {
            ("Added", "as owners of")
        } else {
            ("Removed", "from the owners of")
        };
        format!(
            "{verb} {} {relation} **{rotation}**. Owners now: {owners}.",
            self.changed.join(", ")
        )
    }
}
