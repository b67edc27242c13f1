//! A task: `task show` and every task command's reply, and `task list`.

use chrono::{DateTime, TimeDelta, Utc};
use serde::Serialize;

use super::ser::{self, PersonRef};
use super::{Reader, View};
use crate::lottery::{SkillLevel, Skills, TaskState, TaskType};
use crate::service::format;
use crate::store::tasks::Task;

/// A task as `--json` has always shown it.
#[derive(Debug, Clone, Serialize)]
pub struct TaskView {
    /// `ICE#3`
    pub id: String,
    pub rotation: String,
    pub number: i64,
    #[serde(rename = "type", serialize_with = "ser::display")]
    pub kind: TaskType,
    #[serde(serialize_with = "ser::display")]
    pub state: TaskState,
    pub summary: Option<String>,
    #[serde(serialize_with = "ser::time")]
    pub start: DateTime<Utc>,
    #[serde(serialize_with = "ser::time")]
    pub finish: DateTime<Utc>,
    #[serde(serialize_with = "ser::time")]
    pub expected_start: DateTime<Utc>,
    #[serde(serialize_with = "ser::duration")]
    pub expected_duration: TimeDelta,
    #[serde(serialize_with = "ser::opt_time")]
    pub actual_start: Option<DateTime<Utc>>,
    #[serde(serialize_with = "ser::opt_time")]
    pub actual_finish: Option<DateTime<Utc>>,
    #[serde(serialize_with = "ser::duration")]
    pub grace: TimeDelta,
    #[serde(serialize_with = "ser::needs")]
    pub require: Vec<(SkillLevel, u32)>,
    #[serde(serialize_with = "ser::needs")]
    pub limit: Vec<(SkillLevel, u32)>,
    pub users: Vec<TaskPerson>,
    pub reminded_start: bool,
    pub reminded_finish: bool,
}

/// Someone on a task; `task show` adds their skills (lists leave them out).
#[derive(Debug, Clone, Serialize)]
pub struct TaskPerson {
    #[serde(flatten)]
    pub person: PersonRef,
    #[serde(skip_serializing_if = "Option::is_none", serialize_with = "opt_skills")]
    pub skills: Option<Skills>,
}

fn opt_skills<S: serde::Serializer>(skills: &Option<Skills>, s: S) -> Result<S::Ok, S::Error> {
    match skills {
        Some(skills) => ser::skills(skills, s),
        None => s.serialize_none(),
    }
}

impl TaskView {
    pub fn new(
        rotation: &str,
        t: &Task,
        users: Vec<TaskPerson>,
        require: Vec<(SkillLevel, u32)>,
        limit: Vec<(SkillLevel, u32)>,
    ) -> Self {
        let (start, finish) = t.times.span();
        TaskView {
            id: format::task_ref(rotation, t),
            rotation: rotation.to_string(),
            number: t.number,
            kind: t.kind,
            state: t.state,
            summary: t.summary.clone(),
            start,
            finish,
            expected_start: t.times.expected_start,
            expected_duration: t.times.expected_duration,
            actual_start: t.times.actual_start,
            actual_finish: t.times.actual_finish,
            grace: t.grace,
            require,
            limit,
            users,
            reminded_start: t.reminded_start,
            reminded_finish: t.reminded_finish,
        }
    }

    pub fn mentions(&self) -> Vec<String> {
        self.users
            .iter()
            .map(|u| u.person.mention.clone())
            .collect()
    }

    /// `Mon 2026-03-02 09:00 CET → Mon 2026-03-09 09:00 CET`
    fn span(&self, r: &Reader) -> String {
        format!(
            "{} → {}",
            format::time(self.start, r.tz),
            format::time(self.finish, r.tz)
        )
    }

    /// One line of a list; `nobody` is what an empty task says.
    pub fn line(&self, r: &Reader, nobody: &str) -> String {
        let names = self.mentions();
        format::task_line(
            &self.id,
            &self.span(r),
            &self.state.to_string(),
            &if names.is_empty() {
                nobody.to_string()
            } else {
                format::people(&names)
            },
        )
    }
}

/// A task at a glance: who, when (reader's zone), and how its needs are met.
impl View for TaskView {
    fn markdown(&self, r: &Reader) -> String {
        let mut text = format!(
            "#### {}{}\n",
            self.id,
            self.summary
                .as_ref()
                .map(|s| format!(": {s}"))
                .unwrap_or_default()
        );
        text.push_str(&format!("- **State:** {}\n", self.state));
        text.push_str(&format!(
            "- **When:** {} ({}, {})\n",
            self.span(r),
            r.tz.name(),
            if self.start > r.now {
                format!("starts {}", format::relative(self.start, r.now))
            } else if self.finish > r.now {
                format!("ends {}", format::relative(self.finish, r.now))
            } else {
                format!("ended {}", format::relative(self.finish, r.now))
            }
        ));
        let none = Skills::new();
        let skills: Vec<&Skills> = self
            .users
            .iter()
            .map(|u| u.skills.as_ref().unwrap_or(&none))
            .collect();
        let who: Vec<String> = self
            .users
            .iter()
            .zip(&skills)
            .map(|(u, s)| format!("{} ({})", u.person.mention, format::skills(s)))
            .collect();
        text.push_str(&format!(
            "- **Who:** {}\n",
            if who.is_empty() {
                "nobody yet".to_string()
            } else {
                who.join(", ")
            }
        ));
        let has = |sl: &SkillLevel| skills.iter().filter(|s| sl.qualifies(s)).count() as u32;
        let mut needs_lines = Vec::new();
        for (sl, count) in &self.require {
            let have = has(sl);
            let mark = if have >= *count { "✅" } else { "❌" };
            needs_lines.push(format!("{mark} at least {count} {sl} (has {have})"));
        }
        for (sl, count) in &self.limit {
            let have = has(sl);
            let mark = if have <= *count { "✅" } else { "⚠️" };
            needs_lines.push(format!("{mark} at most {count} {sl} (has {have})"));
        }
        if !needs_lines.is_empty() {
            text.push_str(&format!("- **Needs:** {}\n", needs_lines.join("; ")));
        }
        if self.grace > TimeDelta::zero() {
            text.push_str(&format!(
                "- **Grace after:** {}\n",
                format::duration(self.grace)
            ));
        }
        text.trim_end().to_string()
    }
}

/// What a task command did, said before the task itself.
#[derive(Debug, Clone)]
pub enum TaskEvent {
    Created,
    /// The lottery picked these people (none: the task had everyone it needs).
    Filled(Vec<String>),
    Assigned(Vec<String>),
    Unassigned(Vec<String>),
    /// Scheduled, started or finished: the task's state says which.
    Moved,
}

/// A task command's reply: the task as JSON; a sentence and the task as Markdown.
#[derive(Debug, Clone, Serialize)]
#[serde(transparent)]
pub struct TaskReplyView {
    #[serde(skip)]
    pub event: TaskEvent,
    pub task: TaskView,
}

impl View for TaskReplyView {
    fn markdown(&self, r: &Reader) -> String {
        let name = &self.task.id;
        let said = match &self.event {
            TaskEvent::Created => {
                format!("Created {name}. Fill it by lottery with `/lotto task fill {name}`.")
            }
            TaskEvent::Filled(picked) if picked.is_empty() => {
                format!("{name} already had everyone it needs; nobody was added.")
            }
            TaskEvent::Filled(picked) => format!(
                "The lottery picked {} for {name}. Schedule it with `/lotto task schedule {name}` to tell them.",
                format::people(picked)
            ),
            TaskEvent::Assigned(names) => {
                format!("Assigned {} to {name}.", format::people(names))
            }
            TaskEvent::Unassigned(names) => {
                format!("Took {} off {name}.", format::people(names))
            }
            TaskEvent::Moved => {
                let told = match self.task.users.len() {
                    0 => String::new(),
                    1 => " The person on it will get a DM.".to_string(),
                    _ => " The people on it will get a DM.".to_string(),
                };
                format!("{name} is now **{}**.{told}", self.task.state)
            }
        };
        format!("{said}\n\n{}", self.task.markdown(r))
    }
}

/// `task list`: the tasks as a JSON list; one line each in Markdown.
#[derive(Debug, Clone, Serialize)]
#[serde(transparent)]
pub struct TaskListView {
    #[serde(skip)]
    pub rotation: String,
    #[serde(skip)]
    pub task_type: TaskType,
    /// Finished tasks too.
    #[serde(skip)]
    pub all: bool,
    pub tasks: Vec<TaskView>,
}

impl View for TaskListView {
    fn markdown(&self, r: &Reader) -> String {
        if self.tasks.is_empty() {
            return format!(
                "{} has no {}tasks. Create one with `/lotto task new {} {}`.",
                self.rotation,
                if self.all { "" } else { "open " },
                self.task_type,
                self.rotation
            );
        }
        let mut rows = vec![format!(
            "Tasks of **{}** (times in {}):",
            self.rotation,
            r.tz.name()
        )];
        rows.extend(self.tasks.iter().map(|t| t.line(r, "nobody yet")));
        rows.join("\n")
    }
}
