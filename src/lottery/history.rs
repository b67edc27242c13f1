//! The audit log's vocabulary: who changed what in a rotation or one of its tasks. Each change is a
//! typed [`HistoryEvent`] (stored as JSON, tagged by `kind`, so rows written by an older version
//! still read), and each renders its own one-line description, with times in the reader's zone.
//!
//! Recording is the store's (`store::history::record`, inside the changing transaction); this is
//! only the data and its wording.

use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

use super::{RotationId, TaskId, TaskState, UserId};

/// A person as the log names them: their id, and their username when the change was made.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Person {
    pub id: UserId,
    pub username: String,
}

impl Person {
    pub fn new(id: UserId, username: impl Into<String>) -> Self {
        Person {
            id,
            username: username.into(),
        }
    }

    /// `@ann`, or the id for someone whose username was not known.
    pub fn mention(&self) -> String {
        if self.username.is_empty() {
            format!("user `{}`", self.id)
        } else {
            format!("@{}", self.username)
        }
    }
}

/// Who made a change: a person (a command, a button), or the autopilot's background run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum HistoryActor {
    Person(Person),
    Autopilot,
}

impl HistoryActor {
    pub fn person(id: UserId, username: impl Into<String>) -> Self {
        HistoryActor::Person(Person::new(id, username))
    }

    /// `@ann` or `autopilot`.
    pub fn label(&self) -> String {
        match self {
            HistoryActor::Person(p) => p.mention(),
            HistoryActor::Autopilot => "autopilot".to_string(),
        }
    }
}

/// One change. New variants may be added freely; renaming one breaks reading old rows (they then
/// show their stored summary instead).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum HistoryEvent {
    RotationCreated {
        name: String,
    },
    RotationArchived,
    /// A rotation setting: `setting` names it as `rotation set …` does, `value` as it reads now.
    SettingChanged {
        setting: String,
        value: String,
    },
    OwnersAdded {
        people: Vec<Person>,
    },
    OwnersRemoved {
        people: Vec<Person>,
    },
    Joined {
        people: Vec<Person>,
    },
    Left {
        people: Vec<Person>,
    },
    /// A member's skill; `level: None` when it was removed.
    SkillChanged {
        person: Person,
        skill: String,
        level: Option<String>,
    },
    /// A member's time off (`user unavailable`, or out of office in their calendar): `added` or
    /// taken back.
    TimeOff {
        person: Person,
        start: DateTime<Utc>,
        finish: DateTime<Utc>,
        added: bool,
        /// Given by the calendar sync rather than typed (absent in older rows: typed).
        #[serde(default)]
        from_calendar: bool,
    },
    /// A skill added to (or deleted from) the list of known skills, which every rotation shares.
    SkillListed {
        skill: String,
        added: bool,
    },
    TaskCreated {
        start: DateTime<Utc>,
        summary: Option<String>,
    },
    Filled {
        people: Vec<Person>,
    },
    Assigned {
        people: Vec<Person>,
    },
    Unassigned {
        people: Vec<Person>,
    },
    StateChanged {
        from: TaskState,
        to: TaskState,
    },
    /// The "starts soon" (or "ends soon") DM went to the people on the task.
    Reminded {
        finish: bool,
    },
    /// `from` asked to trade their place; `with` are the people invited (empty: everyone eligible).
    SwapRequested {
        from: Person,
        with: Vec<Person>,
    },
    /// `to` took `from`'s place.
    SwapAccepted {
        from: Person,
        to: Person,
    },
    /// `by` declined `from`'s request.
    SwapDeclined {
        from: Person,
        by: Person,
    },
    /// `to` serves instead of `from`, from `start` (None: the task's start) to `finish` (None: its
    /// end).
    Overridden {
        from: Person,
        to: Person,
        start: Option<DateTime<Utc>>,
        finish: Option<DateTime<Utc>>,
    },
    HolidayAdded {
        day: NaiveDate,
        name: Option<String>,
    },
    HolidayRemoved {
        day: NaiveDate,
    },
    /// Holidays now come from a published calendar at `source` (scheme and host only).
    HolidayFeedSet {
        source: String,
    },
    /// The holiday feed was turned off, taking the `removed` holidays it had made.
    HolidayFeedRemoved {
        source: String,
        removed: u64,
    },
    /// A refresh of the holiday feed changed the holidays it makes.
    HolidaysFromFeed {
        added: usize,
        removed: usize,
        renamed: usize,
    },
}

/// One change, as recorded: where (a rotation, `None` for every rotation; and a task of it), when,
/// who, what.
#[derive(Debug, Clone, PartialEq)]
pub struct HistoryEntry {
    pub rotation: Option<RotationId>,
    pub task: Option<TaskId>,
    pub at: DateTime<Utc>,
    pub actor: HistoryActor,
    pub event: HistoryEvent,
}

impl HistoryEntry {
    /// A change to a rotation itself.
    pub fn rotation(
        rotation: RotationId,
        at: DateTime<Utc>,
        actor: HistoryActor,
        event: HistoryEvent,
    ) -> Self {
        HistoryEntry {
            rotation: Some(rotation),
            task: None,
            at,
            actor,
            event,
        }
    }

    /// A change to one task of a rotation.
    pub fn task(
        rotation: RotationId,
        task: TaskId,
        at: DateTime<Utc>,
        actor: HistoryActor,
        event: HistoryEvent,
    ) -> Self {
        HistoryEntry {
            rotation: Some(rotation),
            task: Some(task),
            at,
            actor,
            event,
        }
    }
}

fn people(p: &[Person]) -> String {
    p.iter().map(Person::mention).collect::<Vec<_>>().join(", ")
}

fn when(t: DateTime<Utc>, tz: Tz) -> String {
    t.with_timezone(&tz).format("%Y-%m-%d %H:%M %Z").to_string()
}

impl HistoryEvent {
    /// What happened, in one line; times in `tz`. (The task, when there is one, is named by whoever
    /// shows the line.)
    pub fn describe(&self, tz: Tz) -> String {
        use HistoryEvent::*;
        match self {
            RotationCreated { name } => format!("created the rotation {name}"),
            RotationArchived => "archived the rotation".into(),
            SettingChanged { setting, value } => format!("set {setting} to {value}"),
            OwnersAdded { people: p } => format!("made {} owner", people(p)),
            OwnersRemoved { people: p } => format!("removed {} as owner", people(p)),
            Joined { people: p } => format!("{} joined", people(p)),
            Left { people: p } => format!("{} left", people(p)),
            SkillChanged {
                person,
                skill,
                level: Some(level),
            } => format!("set {}'s skill {skill} to {level}", person.mention()),
            SkillChanged {
                person,
                skill,
                level: None,
            } => format!("removed {}'s skill {skill}", person.mention()),
            TimeOff {
                person,
                start,
                finish,
                added,
                from_calendar,
            } => format!(
                "{} {}'s time off from {} to {}{}",
                if *added { "added" } else { "removed" },
                person.mention(),
                when(*start, tz),
                when(*finish, tz),
                if *from_calendar {
                    " (out of office in their calendar)"
                } else {
                    ""
                }
            ),
            SkillListed { skill, added: true } => format!("added {skill} to the known skills"),
            SkillListed {
                skill,
                added: false,
            } => format!("deleted {skill} from the known skills (people who have it keep it)"),
            TaskCreated { start, summary } => match summary {
                Some(s) => format!("created the task, \"{s}\", starting {}", when(*start, tz)),
                None => format!("created the task, starting {}", when(*start, tz)),
            },
            Filled { people: p } if p.is_empty() => "filled the task (nobody needed)".into(),
            Filled { people: p } => format!("filled the task with {}", people(p)),
            Assigned { people: p } => format!("assigned {}", people(p)),
            Unassigned { people: p } => format!("unassigned {}", people(p)),
            StateChanged { from, to } => format!("moved the task from {from} to {to}"),
            Reminded { finish: false } => "reminded the people on it that it starts soon".into(),
            Reminded { finish: true } => "reminded the people on it that it ends soon".into(),
            SwapRequested { from, with } if with.is_empty() => {
                format!("{} asked to swap with anyone who can", from.mention())
            }
            SwapRequested { from, with } => {
                format!("{} asked to swap with {}", from.mention(), people(with))
            }
            SwapAccepted { from, to } => {
                format!("{} took {}'s place (swap)", to.mention(), from.mention())
            }
            SwapDeclined { from, by } => {
                format!("{} declined {}'s swap", by.mention(), from.mention())
            }
            Overridden {
                from,
                to,
                start,
                finish,
            } => {
                let part = match (start, finish) {
                    (None, None) => String::new(),
                    (Some(s), None) => format!(" from {}", when(*s, tz)),
                    (None, Some(f)) => format!(" until {}", when(*f, tz)),
                    (Some(s), Some(f)) => format!(" from {} to {}", when(*s, tz), when(*f, tz)),
                };
                format!(
                    "{} serves instead of {}{part}",
                    to.mention(),
                    from.mention()
                )
            }
            HolidayAdded { day, name } => match name {
                Some(n) => format!("made {day} a holiday ({n})"),
                None => format!("made {day} a holiday"),
            },
            HolidayRemoved { day } => format!("{day} is no longer a holiday"),
            HolidayFeedSet { source } => format!("took holidays from the calendar at {source}"),
            HolidayFeedRemoved { source, removed } => {
                format!("stopped taking holidays from {source} ({removed} of its holidays removed)")
            }
            HolidaysFromFeed {
                added,
                removed,
                renamed,
            } => format!(
                "the holiday feed changed: {added} added, {removed} removed, {renamed} renamed"
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ann() -> Person {
        Person::new(UserId::new("u1"), "ann")
    }

    #[test]
    fn events_are_tagged_by_kind_and_read_back() -> Result<(), serde_json::Error> {
        let e = HistoryEvent::SwapAccepted {
            from: ann(),
            to: Person::new(UserId::new("u2"), "bob"),
        };
        let json = serde_json::to_value(&e)?;
        assert_eq!(json["kind"], "swap_accepted");
        assert_eq!(json["from"]["username"], "ann");
        assert_eq!(serde_json::from_value::<HistoryEvent>(json)?, e);
        Ok(())
    }

    #[test]
    fn overrides_name_their_part_of_the_task_in_the_readers_zone() {
        let start = DateTime::parse_from_rfc3339("2026-03-02T08:00:00Z")
            .map(|t| t.with_timezone(&Utc))
            .ok();
        let e = HistoryEvent::Overridden {
            from: ann(),
            to: Person::new(UserId::new("u2"), "bob"),
            start,
            finish: None,
        };
        assert_eq!(
            e.describe(chrono_tz::Europe::Berlin),
            "@bob serves instead of @ann from 2026-03-02 09:00 CET"
        );
    }
}
