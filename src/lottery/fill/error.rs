//! Why a fill failed, in enough detail to fix it: the need that could not be met, the other unmet
//! needs, and for every member left out, why.

use serde::Serialize;
use std::fmt::Write as _;

use chrono::{DateTime, Utc};

use crate::lottery::ids::{RotationId, TaskId, UserId};
use crate::lottery::interval::Interval;
use crate::lottery::skill::SkillLevel;

/// How a message names people, tasks and times for its reader. The domain knows only ids and UTC;
/// the service implements this with `@names`, `ICE#3` and the reader's time zone. A plain closure
/// naming users is a `Namer` too, with ids and UTC for the rest.
pub trait Namer {
    fn user(&self, id: &UserId) -> String;
    /// The task being filled, as the first sentence names it.
    fn this_task(&self) -> String {
        "the task".to_string()
    }
    /// Another task; `rotation` is `None` for a task of the rotation being filled.
    fn task(&self, rotation: Option<RotationId>, task: TaskId) -> String {
        match rotation {
            Some(r) => format!("task {task} of rotation {r}"),
            None => format!("task {task}"),
        }
    }
    fn time(&self, t: DateTime<Utc>) -> String {
        t.format("%Y-%m-%d %H:%M UTC").to_string()
    }
}

impl<F: Fn(&UserId) -> String> Namer for F {
    fn user(&self, id: &UserId) -> String {
        self(id)
    }
}

/// How many left-out members `describe` lists by name before summarising the rest.
const LISTED: usize = 15;

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum FillError {
    #[error(
        "the task's interval {0} is empty: give the task a finish after its start before filling it"
    )]
    EmptyInterval(Interval),
    #[error("{}", .0.summary())]
    Insufficient(Box<Shortfall>),
}

/// A need the fill could not meet. Nothing was assigned.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Shortfall {
    /// The need that ran out of candidates.
    pub need: SkillLevel,
    /// How many more people that need still wanted.
    pub remaining: u32,
    /// How many eligible members still qualified for it (fewer than `remaining`).
    pub candidates_left: u32,
    /// The other needs still unmet at that point, with their remaining counts.
    pub unmet: Vec<(SkillLevel, u32)>,
    /// Members the fill could not use, with every reason, in join order.
    pub excluded: Vec<Excluded>,
    /// Eligible members (not excluded) who lack `need`.
    pub not_qualified: u32,
}

/// A member left out of the fill.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Excluded {
    pub user: UserId,
    pub reasons: Vec<Exclusion>,
    /// The unmet needs (including the failed one) this member would have counted towards.
    pub counts_towards: Vec<SkillLevel>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Exclusion {
    /// Personal or calendar time off overlapping the task.
    Unavailable {
        absence: Absence,
        interval: Interval,
    },
    /// On another task (of any rotation) that overlaps this one.
    BusyOnTask {
        rotation: RotationId,
        task: TaskId,
        interval: Interval,
    },
    /// Resting after a task of this rotation.
    Grace { task: TaskId, interval: Interval },
    /// Picking them would put the task over a limit.
    Limit { skill_level: SkillLevel, limit: u32 },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Absence {
    Personal,
    Calendar,
}

impl Shortfall {
    /// The one-line form (raw user ids), used by `Display`.
    pub fn summary(&self) -> String {
        let mut s = format!(
            "couldn't fill the task: it needs {} more {} but only {} eligible member{} qualif{}",
            self.remaining,
            self.need,
            self.candidates_left,
            plural(self.candidates_left as usize),
            if self.candidates_left == 1 {
                "ies"
            } else {
                "y"
            },
        );
        if !self.unmet.is_empty() {
            let _ = write!(s, " (also unmet: {})", render_needs(&self.unmet));
        }
        if !self.excluded.is_empty() {
            let _ = write!(
                s,
                "; {} member{} left out",
                self.excluded.len(),
                if self.excluded.len() == 1 {
                    " was"
                } else {
                    "s were"
                }
            );
        }
        s
    }

    /// Members left out who would have counted towards the failed need.
    pub fn relevant_excluded(&self) -> impl Iterator<Item = &Excluded> {
        self.excluded
            .iter()
            .filter(|e| e.counts_towards.contains(&self.need))
    }

    /// A multi-line message for people: what is missing, who was left out and why, and what to
    /// change. `name` renders a user (e.g. as `@name`).
    pub fn describe(&self, names: &dyn Namer) -> String {
        let mut out = format!(
            "Couldn't fill {}: it needs {} more {} and only {} eligible member{} qualif{}.",
            names.this_task(),
            self.remaining,
            self.need,
            self.candidates_left,
            plural(self.candidates_left as usize),
            if self.candidates_left == 1 {
                "ies"
            } else {
                "y"
            },
        );
        if !self.unmet.is_empty() {
            let _ = write!(out, " Also unmet: {}.", render_needs(&self.unmet));
        }
        out.push_str(" Nobody was assigned.\n");

        let relevant: Vec<&Excluded> = self.relevant_excluded().collect();
        if !relevant.is_empty() {
            let _ = writeln!(out, "Members with {} who were left out:", self.need);
            for e in relevant.iter().take(LISTED) {
                let reasons: Vec<String> = e.reasons.iter().map(|r| r.describe(names)).collect();
                let _ = writeln!(out, "- {}: {}", names.user(&e.user), reasons.join("; "));
            }
            if relevant.len() > LISTED {
                let _ = writeln!(out, "- and {} more", relevant.len() - LISTED);
            }
        }
        let others = self.excluded.len() - relevant.len();
        if others > 0 {
            let _ = writeln!(
                out,
                "{others} other member{} left out but lack{} {} anyway.",
                if others == 1 { " was" } else { "s were" },
                if others == 1 { "s" } else { "" },
                self.need
            );
        }
        if self.not_qualified > 0 {
            let _ = writeln!(
                out,
                "{} available member{} lack{} {}.",
                self.not_qualified,
                plural(self.not_qualified as usize),
                if self.not_qualified == 1 { "s" } else { "" },
                self.need
            );
        }
        out.push_str("To fix it, any of:");
        for fix in self.remedies() {
            let _ = write!(out, "\n- {fix}");
        }
        out
    }

    fn remedies(&self) -> Vec<String> {
        let mut fixes = Vec::new();
        let input = self.need.to_input();
        if self.need.is_any() {
            fixes.push("add people to the rotation (`/lotto user join <rotation> @user`)".into());
        } else {
            fixes.push(format!(
                "give more members {} (`/lotto user qualify @user --skills {input}`) or add people who have it to the rotation",
                self.need
            ));
        }
        fixes.push(format!(
            "lower the requirement (`/lotto rotation set require <rotation> --skill {input} --count N`)"
        ));
        let relevant = || self.relevant_excluded().flat_map(|e| e.reasons.iter());
        if relevant().any(|r| matches!(r, Exclusion::Limit { .. })) {
            let limits: Vec<&SkillLevel> = dedup(relevant().filter_map(|r| match r {
                Exclusion::Limit { skill_level, .. } => Some(skill_level),
                _ => None,
            }));
            let names: Vec<String> = limits.iter().map(|l| l.to_string()).collect();
            fixes.push(format!(
                "relax the limit on {} (`/lotto rotation set limit <rotation> --skill {} --count N`)",
                names.join(", "),
                limits.first().map_or_else(|| "any".to_string(), |l| l.to_input())
            ));
        }
        if relevant().any(|r| matches!(r, Exclusion::Unavailable { .. })) {
            fixes.push(
                "ask people to clear their unavailability (`/lotto user unavailable --clear --start … --finish …`)"
                    .into(),
            );
        }
        if relevant().any(|r| matches!(r, Exclusion::Grace { .. })) {
            fixes.push("shorten the grace period (`/lotto rotation set task <rotation> --grace 0`) or assign someone in grace by hand with `--force`".into());
        }
        if relevant().any(|r| matches!(r, Exclusion::BusyOnTask { .. })) {
            fixes.push("move people off the overlapping tasks".into());
        }
        fixes
    }
}

impl FillError {
    /// A multi-line, human message; see `Shortfall::describe`.
    pub fn describe(&self, names: &dyn Namer) -> String {
        match self {
            FillError::Insufficient(s) => s.describe(names),
            other => {
                let mut s = other.to_string();
                if let Some(first) = s.get_mut(0..1) {
                    first.make_ascii_uppercase();
                }
                s
            }
        }
    }
}

impl Exclusion {
    /// One phrase, e.g. `unavailable (personal) 2026-03-02 09:00 UTC to 2026-03-09 09:00 UTC`.
    pub fn describe(&self, names: &dyn Namer) -> String {
        let span = |i: &Interval| format!("{} to {}", names.time(i.start), names.time(i.finish));
        match self {
            Exclusion::Unavailable { absence, interval } => {
                let what = match absence {
                    Absence::Personal => "personal",
                    Absence::Calendar => "calendar",
                };
                format!("unavailable ({what}) {}", span(interval))
            }
            Exclusion::BusyOnTask {
                rotation,
                task,
                interval,
            } => format!(
                "busy on {} ({})",
                names.task(Some(*rotation), *task),
                span(interval)
            ),
            Exclusion::Grace { task, interval } => {
                format!(
                    "in grace after {} until {}",
                    names.task(None, *task),
                    names.time(interval.finish)
                )
            }
            Exclusion::Limit { skill_level, limit } => {
                format!("would exceed the limit of {limit} {skill_level}")
            }
        }
    }
}

fn render_needs(needs: &[(SkillLevel, u32)]) -> String {
    needs
        .iter()
        .map(|(sl, n)| format!("{n} {sl}"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

fn dedup<T: PartialEq>(items: impl Iterator<Item = T>) -> Vec<T> {
    let mut v = Vec::new();
    for i in items {
        if !v.contains(&i) {
            v.push(i);
        }
    }
    v
}
