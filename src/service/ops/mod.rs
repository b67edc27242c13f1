//! Task operations shared by the commands and the autopilot: create, fill, assign, unassign, move
//! through states, remind. Each runs inside the caller's transaction and queues its DMs there, so a
//! change and its notifications happen together or not at all.
//!
//! One file per purpose: `create` (shift times, new shifts and tickets), `fill` (the lottery),
//! `assign` (by hand), `transition` (states and reminders), `news` (the DMs about a task).

mod assign;
mod create;
mod fill;
mod news;
mod transition;

use chrono::{DateTime, Utc};

use super::{Result, ServiceError};
use crate::lottery::{self, Assigned, Needs, RotationId, UserId};
use crate::store::rotations::NeedKind;
use crate::store::tasks::Task;
use crate::store::{self, Conn};

/// Who caused an operation, as it reads in DMs ("@alice", "The autopilot").
#[derive(Debug, Clone)]
pub struct TaskOps {
    pub actor: String,
    pub now: DateTime<Utc>,
    /// The zone of whoever reads this operation's replies (times in error messages).
    pub reader_tz: chrono_tz::Tz,
}

impl TaskOps {
    pub fn new(actor: impl Into<String>, now: DateTime<Utc>) -> Self {
        TaskOps {
            actor: actor.into(),
            now,
            reader_tz: chrono_tz::Tz::UTC,
        }
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
