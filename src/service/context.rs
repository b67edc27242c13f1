//! Everything a command handler needs: the acting user, the time it acts at, and helpers for
//! permissions and for resolving names to rotations, tasks and people.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use tokio::sync::Mutex;

use super::{Result, Service, ServiceError, people};
use crate::command::{RotationName, TaskRef, UserRef, Who};
use crate::lottery::{HistoryActor, HistoryEntry, HistoryEvent, RotationId};
use crate::store::rotations::Rotation;
use crate::store::tasks::Task;
use crate::store::users::User;
use crate::store::{self, Conn};

/// The user running a command.
#[derive(Debug, Clone)]
pub struct Actor {
    pub user: User,
    /// A Mattermost system admin or listed in LOTTO_ADMINS.
    pub is_bot_admin: bool,
}

pub struct Ctx {
    pub svc: Service,
    pub actor: Actor,
    /// The time the command acts at (`--now`, or the real time).
    pub now: DateTime<Utc>,
    mentions: HashMap<String, String>,
    /// Profiles read from Mattermost during this command, written in its transaction.
    profiles: Mutex<Vec<User>>,
    /// The Mattermost team the command was typed in, when it came from Mattermost.
    pub team_id: Option<String>,
}

pub use crate::store::Tx;

impl Ctx {
    pub fn new(
        svc: Service,
        actor: Actor,
        now: DateTime<Utc>,
        mentions: HashMap<String, String>,
    ) -> Self {
        Ctx {
            svc,
            actor,
            now,
            mentions,
            profiles: Mutex::new(Vec::new()),
            team_id: None,
        }
    }

    /// The acting user as the history names them.
    pub fn by(&self) -> HistoryActor {
        HistoryActor::person(self.actor.user.id.clone(), &self.actor.user.username)
    }

    /// Records a change in the history, in the command's transaction `conn`, at the command's time.
    pub async fn record(
        &self,
        conn: &mut Conn,
        rotation: Option<RotationId>,
        task: Option<crate::lottery::TaskId>,
        event: HistoryEvent,
    ) -> Result<()> {
        let entry = HistoryEntry {
            rotation,
            task,
            at: self.now,
            actor: self.by(),
            event,
        };
        Ok(store::history::record(conn, &entry).await?)
    }

    /// The acting user's zone, for reading and showing times.
    pub fn tz(&self) -> Tz {
        self.actor.user.zone()
    }

    /// The actor as the reader of the reply.
    pub fn reader(&self) -> super::Reader {
        super::Reader {
            tz: self.tz(),
            now: self.now,
        }
    }

    /// A connection for reads.
    pub async fn read(&self) -> Result<store::Read> {
        Ok(self.svc.db().read().await?)
    }

    /// Starts the command's write transaction, storing the profiles resolved so far in it.
    pub async fn begin(&self) -> Result<Tx> {
        let mut tx = self.svc.db().begin_write().await?;
        for u in self.profiles.lock().await.drain(..) {
            store::users::upsert(&mut tx, &u, self.now.max(Utc::now())).await?;
        }
        Ok(tx)
    }

    /// Commits and wakes the outbox sender.
    pub async fn commit(&self, tx: Tx) -> Result<()> {
        store::commit(tx).await?;
        self.svc.wake_sender();
        Ok(())
    }

    /// The people a command is about: the acting user, or the mentioned users.
    pub async fn who(&self, who: &Who) -> Result<Vec<User>> {
        match who {
            Who::Me => Ok(vec![self.actor.user.clone()]),
            Who::Users(names) => self.users(names).await,
        }
    }

    pub async fn users(&self, names: &[UserRef]) -> Result<Vec<User>> {
        let users = people::resolve_usernames(&self.svc, names, &self.mentions).await?;
        self.profiles.lock().await.extend(users.iter().cloned());
        Ok(users)
    }

    pub fn is_self(&self, users: &[User]) -> bool {
        users.iter().all(|u| u.id == self.actor.user.id)
    }

    pub fn require_admin(&self, what: &str) -> Result<()> {
        if self.actor.is_bot_admin {
            Ok(())
        } else {
            Err(ServiceError::Forbidden(format!(
                "Only bot admins can {what}. Ask a Mattermost system admin, or someone listed in LOTTO_ADMINS."
            )))
        }
    }

    pub async fn is_owner(&self, conn: &mut Conn, rotation: &Rotation) -> Result<bool> {
        if self.actor.is_bot_admin {
            return Ok(true);
        }
        let owners = store::members::owner_ids(conn, rotation.id).await?;
        Ok(owners.contains(&self.actor.user.id))
    }

    /// Owners of the rotation (and bot admins) may manage it and its tasks.
    pub async fn require_owner(
        &self,
        conn: &mut Conn,
        rotation: &Rotation,
        what: &str,
    ) -> Result<()> {
        if self.is_owner(conn, rotation).await? {
            return Ok(());
        }
        let owners = store::members::owner_ids(conn, rotation.id).await?;
        let names = self.names(conn, &owners).await?;
        Err(ServiceError::Forbidden(format!(
            "Only owners of {} ({}) or bot admins can {what}.",
            rotation.name,
            if names.is_empty() {
                "it has none".to_string()
            } else {
                names.join(", ")
            }
        )))
    }

    /// `@username` for each id (falls back to the id when unknown).
    pub async fn names(
        &self,
        conn: &mut Conn,
        ids: &[crate::lottery::UserId],
    ) -> Result<Vec<String>> {
        let profiles = store::users::get_many(conn, ids).await?;
        Ok(ids
            .iter()
            .map(|id| match profiles.get(id) {
                Some(u) => format!("@{}", u.username),
                None => format!("user `{id}`"),
            })
            .collect())
    }

    /// Finds an active rotation: an exact (case-insensitive) name, else a unique partial match.
    pub async fn rotation(&self, conn: &mut Conn, name: &RotationName) -> Result<Rotation> {
        // One query for all active rotations (there are few): the match needs every name anyway.
        let mut all = store::rotations::list_active(conn).await?;
        let names: Vec<(RotationId, String)> = all.iter().map(|r| (r.id, r.name.clone())).collect();
        let id = match_rotation(&names, name)?;
        match all.iter().position(|r| r.id == id) {
            Some(i) => Ok(all.swap_remove(i)),
            None => Ok(store::rotations::get(conn, id).await?),
        }
    }

    /// Finds a task written `ROTATION#N`.
    pub async fn task(&self, conn: &mut Conn, r: &TaskRef) -> Result<(Rotation, Task)> {
        let rotation = self.rotation(conn, &r.rotation).await?;
        match store::tasks::by_number(conn, rotation.id, r.number).await? {
            Some(t) => Ok((rotation, t)),
            None => Err(ServiceError::NotFound(format!(
                "{} has no task #{}. See its tasks with `/lotto task list {}`.",
                rotation.name, r.number, rotation.name
            ))),
        }
    }
}

/// An exact (case-insensitive) name wins; otherwise a unique partial match. No regexes from user input.
fn match_rotation(all: &[(RotationId, String)], name: &RotationName) -> Result<RotationId> {
    let wanted = name.as_str().to_lowercase();
    if let Some((id, _)) = all.iter().find(|(_, n)| n.to_lowercase() == wanted) {
        return Ok(*id);
    }
    let partial: Vec<&(RotationId, String)> = all
        .iter()
        .filter(|(_, n)| n.to_lowercase().contains(&wanted))
        .collect();
    match partial.as_slice() {
        [(id, _)] => Ok(*id),
        [] => {
            let names: Vec<&str> = all.iter().map(|(_, n)| n.as_str()).collect();
            let hint = names
                .iter()
                .map(|n| (strsim::damerau_levenshtein(&n.to_lowercase(), &wanted), n))
                .filter(|(d, n)| *d <= 2.max(n.len() / 3))
                .min_by_key(|(d, _)| *d)
                .map(|(_, n)| format!(" Did you mean `{n}`?"))
                .unwrap_or_default();
            let list = if names.is_empty() {
                "There are no active rotations yet; create one with `/lotto rotation new <name>`."
                    .to_string()
            } else {
                format!("Active rotations: {}.", names.join(", "))
            };
            Err(ServiceError::NotFound(format!(
                "No active rotation is called `{name}`.{hint} {list}"
            )))
        }
        many => Err(ServiceError::NotFound(format!(
            "`{name}` matches several rotations: {}. Type the full name.",
            many.iter()
                .map(|(_, n)| n.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all() -> Vec<(RotationId, String)> {
        vec![
            (RotationId(1), "ICE".into()),
            (RotationId(2), "SET-web".into()),
            (RotationId(3), "SET-server".into()),
        ]
    }

    #[test]
    fn exact_names_win_then_unique_partial_matches() {
        let name = |s: &str| RotationName::parse(s).unwrap();
        assert_eq!(match_rotation(&all(), &name("ice")).unwrap(), RotationId(1));
        assert_eq!(match_rotation(&all(), &name("web")).unwrap(), RotationId(2));
        let e = match_rotation(&all(), &name("SET"))
            .unwrap_err()
            .to_string();
        assert!(e.contains("SET-web") && e.contains("SET-server"), "{e}");
        let e = match_rotation(&all(), &name("IEC"))
            .unwrap_err()
            .to_string();
        assert!(e.contains("Did you mean `ICE`"), "{e}");
        // Regex metacharacters are plain text here.
        assert!(match_rotation(&all(), &name("S.T")).is_err());
    }
}
