//! People put on a task, or taken off it, by hand.

use std::collections::HashMap;

use super::news::TaskNews;
use super::{TaskOps, needs_of, task_error, with_skills};
use crate::lottery::{self, HistoryEvent, TaskState, UserId};
use crate::service::{Result, ServiceError, render};
use crate::store::rotations::{NeedKind, Rotation};
use crate::store::tasks::Task;
use crate::store::users::User;
use crate::store::{self, Conn};

impl TaskOps {
    /// Adds people by hand. Without `force`: only pending tasks, and limits are respected.
    pub async fn assign(
        &self,
        conn: &mut Conn,
        r: &Rotation,
        task: &Task,
        users: &[User],
        force: bool,
    ) -> Result<Vec<UserId>> {
        let name = render::task_ref(&r.name, task);
        lottery::check_assign(task.state, force).map_err(|e| task_error(&name, e))?;
        let current = store::tasks::users(conn, task.id).await?;
        let new: Vec<&User> = users.iter().filter(|u| !current.contains(&u.id)).collect();
        if new.is_empty() {
            return Err(ServiceError::invalid(format!(
                "{} already on {name}.",
                if users.len() == 1 {
                    format!("@{} is", users[0].username)
                } else {
                    "They are all".to_string()
                }
            )));
        }
        if !force {
            let limit = needs_of(conn, task, NeedKind::Limit).await?;
            let on_task = with_skills(conn, &current).await?;
            let new_ids: Vec<UserId> = new.iter().map(|u| u.id.clone()).collect();
            let adding = with_skills(conn, &new_ids).await?;
            if let Err(v) = lottery::check_assign_limits(&limit, &on_task, &adding) {
                let names: HashMap<UserId, String> = new
                    .iter()
                    .map(|u| (u.id.clone(), format!("@{}", u.username)))
                    .collect();
                let lookup = |id: &UserId| names.get(id).cloned().unwrap_or_else(|| id.to_string());
                return Err(ServiceError::invalid(format!(
                    "Can't assign to {name}. {}",
                    v.describe(&lookup)
                )));
            }
        }
        let wearing = self.oncall_before_change(conn, r, task).await?;
        let mut added = Vec::new();
        for u in &new {
            store::tasks::add_user(conn, task.id, &u.id).await?;
            added.push(u.id.clone());
        }
        let people = super::people_of(conn, &added).await?;
        self.record(conn, task, HistoryEvent::Assigned { people })
            .await?;
        // On a running task the status goes to whoever serves now (someone may cover for them).
        self.oncall_after_change(conn, r, task, &wearing).await?;
        // People added to a task that is already scheduled or running hear about it like the others did.
        if matches!(task.state, TaskState::Scheduled | TaskState::Started) {
            self.notify(conn, r, task, TaskNews::Scheduled, &added)
                .await?;
        }
        Ok(added)
    }

    /// Takes people off a task. Without `force`: only pending tasks.
    pub async fn unassign(
        &self,
        conn: &mut Conn,
        r: &Rotation,
        task: &Task,
        users: &[User],
        force: bool,
    ) -> Result<Vec<UserId>> {
        let name = render::task_ref(&r.name, task);
        lottery::check_unassign(task.state, force).map_err(|e| task_error(&name, e))?;
        let current = store::tasks::users(conn, task.id).await?;
        let missing: Vec<String> = users
            .iter()
            .filter(|u| !current.contains(&u.id))
            .map(|u| format!("@{}", u.username))
            .collect();
        if !missing.is_empty() {
            return Err(ServiceError::invalid(format!(
                "{} not on {name}.",
                missing.join(", ") + if missing.len() == 1 { " is" } else { " are" }
            )));
        }
        let wearing = self.oncall_before_change(conn, r, task).await?;
        let mut removed = Vec::new();
        for u in users {
            store::tasks::remove_user(conn, task.id, &u.id).await?;
            removed.push(u.id.clone());
        }
        let people = super::people_of(conn, &removed).await?;
        self.record(conn, task, HistoryEvent::Unassigned { people })
            .await?;
        // The status leaves whoever no longer serves: them, or whoever covered for them.
        self.oncall_after_change(conn, r, task, &wearing).await?;
        if task.state != TaskState::Pending {
            self.notify(conn, r, task, TaskNews::Unassigned, &removed)
                .await?;
        }
        Ok(removed)
    }
}
