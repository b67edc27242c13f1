//! Task operations shared by the commands and the autopilot: create, fill, assign, unassign, move
//! through states, remind. Each runs inside the caller's transaction and queues its DMs there, so a
//! change and its notifications happen together or not at all.
//!
//! One file per purpose: `create` (shift times, new shifts and tickets), `fill` (the lottery),
//! `assign` (by hand), `transition` (states and reminders), `news` (the DMs about a task), `serving`
//! (who serves at a moment, with overrides) and `handover` (the on-call status following them).

mod assign;
mod create;
mod fill;
mod handover;
mod news;
mod serving;
mod transition;

use chrono::{DateTime, Utc};

pub(crate) use handover::hand_over_due;

use super::{Result, ServiceError};
use crate::lottery::{
    self, Assigned, HistoryActor, HistoryEntry, HistoryEvent, Needs, RotationId, UserId,
};
use crate::store::rotations::NeedKind;
use crate::store::tasks::Task;
use crate::store::{self, Conn};

/// An operation's context: who caused it (typed, for the history; as it reads in DMs: "@alice",
/// "The autopilot"), and when.
#[derive(Debug, Clone)]
pub struct TaskOps {
    pub by: HistoryActor,
    pub actor: String,
    pub now: DateTime<Utc>,
    /// The zone of whoever reads this operation's replies (times in error messages).
    pub reader_tz: chrono_tz::Tz,
}

impl TaskOps {
    pub fn new(by: HistoryActor, now: DateTime<Utc>) -> Self {
        let actor = match &by {
            HistoryActor::Person(p) => p.mention(),
            HistoryActor::Autopilot => crate::service::AUTOPILOT_ACTOR.to_string(),
        };
        TaskOps {
            by,
            actor,
            now,
            reader_tz: chrono_tz::Tz::UTC,
        }
    }

    /// Records a change to `task` in the history, in the caller's transaction.
    pub async fn record(&self, conn: &mut Conn, task: &Task, event: HistoryEvent) -> Result<()> {
        let entry = HistoryEntry::task(task.rotation_id, task.id, self.now, self.by.clone(), event);
        Ok(store::history::record(conn, &entry).await?)
    }

    /// Replies are read in `tz`.
    pub fn read_in(mut self, tz: chrono_tz::Tz) -> Self {
        self.reader_tz = tz;
        self
    }
}

/// A rule the task broke, as the user reads it: `ICE#3: the task is scheduled: add `--force` …`.
fn task_error(name: &str, e: impl std::fmt::Display) -> ServiceError {
    ServiceError::invalid(format!(
        "{name}: {}.",
        e.to_string().replace("<task>", name)
    ))
}

/// A task is scheduled only with its requirements met, unless forced.
fn check_schedule(name: &str, require: &Needs, on_task: &[Assigned], force: bool) -> Result<()> {
    lottery::check_schedule(require, on_task, force).map_err(|e| {
        ServiceError::invalid(format!(
            "{name} can't be scheduled yet: {}.",
            e.to_string().replace("<task>", name)
        ))
    })
}

/// People with their skills, as the lottery's checks take them.
async fn with_skills(conn: &mut Conn, users: &[UserId]) -> Result<Vec<Assigned>> {
    let mut out = Vec::with_capacity(users.len());
    for u in users {
        out.push(Assigned {
            user: u.clone(),
            skills: store::users::skills(conn, u).await?,
        });
    }
    Ok(out)
}

async fn needs_of(conn: &mut Conn, task: &Task, kind: NeedKind) -> Result<Needs> {
    Ok(to_needs(store::tasks::needs(conn, task.id, kind).await?))
}

pub(crate) fn to_needs(rows: Vec<(crate::lottery::SkillLevel, u32)>) -> Needs {
    let mut n = Needs::new();
    for (sl, c) in rows {
        n.set(sl, c);
    }
    n
}

/// The people with these ids as the history names them (the username when known).
pub async fn people_of(conn: &mut Conn, ids: &[UserId]) -> Result<Vec<lottery::Person>> {
    let known = store::users::get_many(conn, ids).await?;
    Ok(ids
        .iter()
        .map(|id| {
            let name = known
                .get(id)
                .map(|u| u.username.clone())
                .unwrap_or_default();
            lottery::Person::new(id.clone(), name)
        })
        .collect())
}

/// `@ann` for each id that has a known username.
async fn names_of(conn: &mut Conn, ids: &[UserId]) -> Result<Vec<String>> {
    let mut out = Vec::new();
    for id in ids {
        if let Some(n) = store::users::username(conn, id).await? {
            out.push(format!("@{n}"));
        }
    }
    Ok(out)
}

/// For `rotation show`: the rotation id and its owners, used by several handlers.
pub async fn owners_text(conn: &mut Conn, id: RotationId) -> Result<String> {
    let owners = store::members::owner_ids(conn, id).await?;
    let names = names_of(conn, &owners).await?;
    Ok(if names.is_empty() {
        "none".into()
    } else {
        names.join(", ")
    })
}
