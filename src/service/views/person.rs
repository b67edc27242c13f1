//! People: `user show` and the skill and time-off commands (always a list of people, even of one),
//! and `user join|leave`.

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use serde::Serialize;

use super::ser::{self, PersonRef};
use super::{Reader, View};
use crate::lottery::{Reason, Skills, TaskState};
use crate::service::format;

/// A person as `--json` has always shown them.
#[derive(Debug, Clone, Serialize)]
pub struct PersonView {
    pub id: String,
    pub username: String,
    #[serde(serialize_with = "ser::opt_tz")]
    pub time_zone: Option<Tz>,
    #[serde(serialize_with = "ser::skills")]
    pub skills: Skills,
    /// Names of the rotations they are in.
    pub rotations: Vec<String>,
    /// Their open tasks.
    pub tasks: Vec<PersonTask>,
    /// Time off, by start: ahead, and what ended in the last ten years.
    pub unavailable: Vec<AwayView>,
}

#[derive(Debug, Clone, Serialize)]
pub struct PersonTask {
    /// `ICE#3`
    pub id: String,
    #[serde(serialize_with = "ser::display")]
    pub state: TaskState,
    #[serde(serialize_with = "ser::time")]
    pub start: DateTime<Utc>,
    #[serde(serialize_with = "ser::time")]
    pub finish: DateTime<Utc>,
}

#[derive(Debug, Clone, Serialize)]
pub struct AwayView {
    #[serde(serialize_with = "ser::time")]
    pub start: DateTime<Utc>,
    #[serde(serialize_with = "ser::time")]
    pub finish: DateTime<Utc>,
    pub reason: &'static str,
}

impl AwayView {
    pub fn new(start: DateTime<Utc>, finish: DateTime<Utc>, reason: &Reason) -> Self {
        let reason = match reason {
            Reason::Personal => "personal",
            Reason::Calendar => "calendar",
            Reason::Task { .. } => "task",
            Reason::Grace { .. } => "grace",
        };
        AwayView {
            start,
            finish,
            reason,
        }
    }
}

impl PersonView {
    fn markdown(&self, r: &Reader) -> String {
        let mut text = format!("#### @{}\n", self.username);
        text.push_str(&format!("- **Skills:** {}\n", format::skills(&self.skills)));
        text.push_str(&format!(
            "- **Rotations:** {}\n",
            if self.rotations.is_empty() {
                "none".into()
            } else {
                self.rotations.join(", ")
            }
        ));
        let tasks: Vec<String> = self
            .tasks
            .iter()
            .map(|t| format!("{} ({}, {})", t.id, t.state, format::time(t.start, r.tz)))
            .collect();
        text.push_str(&format!(
            "- **Tasks:** {}\n",
            if tasks.is_empty() {
                "none".into()
            } else {
                tasks.join(", ")
            }
        ));
        let away: Vec<String> = self
            .unavailable
            .iter()
            .filter(|a| a.finish > r.now)
            .map(|a| {
                format!(
                    "{} → {} ({})",
                    format::time(a.start, r.tz),
                    format::time(a.finish, r.tz),
                    a.reason
                )
            })
            .collect();
        text.push_str(&format!(
            "- **Unavailable:** {}\n",
            if away.is_empty() {
                "no time off coming up".into()
            } else {
                away.join("; ")
            }
        ));
        if let Some(z) = self.time_zone {
            text.push_str(&format!("- **Time zone:** {}\n", z.name()));
        }
        text
    }
}

/// What a command about people did; `Shown` shows them.
#[derive(Debug, Clone)]
pub enum PeopleEvent {
    Shown,
    Qualified(Skills),
    DisqualifiedAll,
    /// These skills were removed.
    Disqualified(Vec<String>),
    Unavailable {
        start: DateTime<Utc>,
        finish: DateTime<Utc>,
        /// The actor's own time off: "won't pick you".
        own: bool,
    },
    /// How many stretches of time off were cleared.
    Cleared(u64),
}

/// `user show|qualify|disqualify|unavailable`: the people as a JSON list; a sentence (or, for
/// `show`, each person) in Markdown.
#[derive(Debug, Clone, Serialize)]
#[serde(transparent)]
pub struct PeopleView {
    #[serde(skip)]
    pub event: PeopleEvent,
    pub people: Vec<PersonView>,
}

impl View for PeopleView {
    fn markdown(&self, r: &Reader) -> String {
        let names: Vec<String> = self
            .people
            .iter()
            .map(|p| format!("@{}", p.username))
            .collect();
        let who = format::people(&names);
        let one = self.people.len() == 1;
        let has = if one { "has" } else { "have" };
        match &self.event {
            PeopleEvent::Shown => {
                let text: String = self.people.iter().map(|p| p.markdown(r)).collect();
                text.trim_end().to_string()
            }
            PeopleEvent::Qualified(skills) => {
                format!("{who} now {has} {}.", format::skills(skills))
            }
            PeopleEvent::DisqualifiedAll => format!("Removed every skill from {who}."),
            PeopleEvent::Disqualified(skills) => {
                format!("Removed {} from {who}.", skills.join(", "))
            }
            PeopleEvent::Unavailable { start, finish, own } => format!(
                "{who} {} unavailable from {} to {} ({}): the lottery won't pick {} for anything overlapping.",
                if one { "is" } else { "are" },
                format::time(*start, r.tz),
                format::time(*finish, r.tz),
                r.tz.name(),
                if one && *own { "you" } else { "them" }
            ),
            PeopleEvent::Cleared(n) => format!(
                "Cleared {n} stretch{} of time off for {who}.",
                if *n == 1 { "" } else { "es" },
            ),
        }
    }
}

/// `user join`.
#[derive(Debug, Clone, Serialize)]
pub struct JoinedView {
    pub rotation: String,
    pub added: Vec<PersonRef>,
    /// When they take part from (`--starting`, or now).
    #[serde(serialize_with = "ser::time")]
    pub joined_at: DateTime<Utc>,
    /// `@name`s that were in it already.
    #[serde(skip)]
    pub already: Vec<String>,
}

impl View for JoinedView {
    fn markdown(&self, r: &Reader) -> String {
        let mut text = format!(
            "Added {} to **{}**.",
            format::people(&ser::mentions(&self.added)),
            self.rotation
        );
        if self.joined_at > r.now {
            text.push_str(&format!(
                " They take part in the lottery for tasks from {} on.",
                format::time(self.joined_at, r.tz)
            ));
        }
        if !self.already.is_empty() {
            text.push_str(&format!(" ({} already in it.)", self.already.join(", ")));
        }
        text
    }
}

/// `user leave`.
#[derive(Debug, Clone, Serialize)]
pub struct LeftView {
    pub rotation: String,
    pub removed: Vec<PersonRef>,
}

impl View for LeftView {
    fn markdown(&self, _: &Reader) -> String {
        format!(
            "Removed {} from **{}**.",
            format::people(&ser::mentions(&self.removed)),
            self.rotation
        )
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn ann() -> PersonView {
        PersonView {
            id: "u1".into(),
            username: "ann".into(),
            time_zone: Some(chrono_tz::Europe::Berlin),
            skills: Skills::new(),
            rotations: vec!["ICE".into()],
            tasks: Vec::new(),
            unavailable: Vec::new(),
        }
    }

    #[test]
    fn one_person_is_still_a_list() -> Result<(), serde_json::Error> {
        let view = PeopleView {
            event: PeopleEvent::DisqualifiedAll,
            people: vec![ann()],
        };
        assert_eq!(
            serde_json::to_value(&view)?,
            json!([{
                "id": "u1",
                "username": "ann",
                "time_zone": "Europe/Berlin",
                "skills": {},
                "rotations": ["ICE"],
                "tasks": [],
                "unavailable": [],
            }])
        );
        let reader = Reader {
            tz: chrono_tz::UTC,
            now: Utc::now(),
        };
        assert_eq!(view.markdown(&reader), "Removed every skill from @ann.");
        Ok(())
    }
}
