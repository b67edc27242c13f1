//! The DMs about a task: one per recipient, written for them (their zone, the others on the task).

use std::collections::HashMap;

use chrono::TimeDelta;

use super::{TaskOps, names_of, needs_of};
use crate::lottery::{self, Needs, TaskState, UserId};
use crate::notify::message::TaskDm;
use crate::notify::{self, Message, Queued};
use crate::service::{Result, format, render};
use crate::store::rotations::{NeedKind, Rotation};
use crate::store::tasks::Task;
use crate::store::users::User;
use crate::store::{self, Conn};

/// What the people on a task hear about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum TaskNews {
    Scheduled,
    Started,
    Finished,
    Unassigned,
    RemindStart,
    RemindFinish,
}

impl TaskNews {
    fn message(self, dm: TaskDm) -> Message {
        match self {
            TaskNews::Scheduled => Message::Scheduled(dm),
            TaskNews::Started => Message::Started(dm),
            TaskNews::Finished => Message::Finished(dm),
            TaskNews::Unassigned => Message::Unassigned(dm),
            TaskNews::RemindStart => Message::RemindStart(dm),
            TaskNews::RemindFinish => Message::RemindFinish(dm),
        }
    }
}

/// What a caller of `notify_known` already read: who is on the task and what it requires.
#[derive(Clone, Copy)]
pub(super) struct OnTask<'a> {
    pub users: &'a [UserId],
    pub require: &'a Needs,
}

impl TaskOps {
    /// Queues one DM per recipient, written for them (their zone, the others on the task).
    pub(super) async fn notify(
        &self,
        conn: &mut Conn,
        r: &Rotation,
        task: &Task,
        news: TaskNews,
        recipients: &[UserId],
    ) -> Result<()> {
        if recipients.is_empty() {
            return Ok(());
        }
        let on_task = store::tasks::users(conn, task.id).await?;
        let require = needs_of(conn, task, NeedKind::Require).await?;
        let known = OnTask {
            users: &on_task,
            require: &require,
        };
        self.notify_known(conn, r, task, news, recipients, known)
            .await
    }

    /// `notify` when the caller already knows who is on the task and what it requires.
    pub(super) async fn notify_known(
        &self,
        conn: &mut Conn,
        r: &Rotation,
        task: &Task,
        news: TaskNews,
        recipients: &[UserId],
        known: OnTask<'_>,
    ) -> Result<()> {
        self.notify_covering(conn, r, task, news, recipients, known, &HashMap::new())
            .await
    }

    /// `notify_known` where some recipients serve instead of someone on the task (`covering`:
    /// covering person → covered person): their DM says so, and "with" names who serves then.
    #[allow(clippy::too_many_arguments)]
    pub(super) async fn notify_covering(
        &self,
        conn: &mut Conn,
        r: &Rotation,
        task: &Task,
        news: TaskNews,
        recipients: &[UserId],
        known: OnTask<'_>,
        covering: &HashMap<UserId, UserId>,
    ) -> Result<()> {
        if recipients.is_empty() {
            return Ok(());
        }
        let OnTask {
            users: on_task,
            require,
        } = known;
        // Who serves: the people on the task, each covered one replaced by who covers for them.
        let serving: Vec<UserId> = on_task
            .iter()
            .map(|u| {
                covering
                    .iter()
                    .find(|(_, from)| *from == u)
                    .map_or(u, |(to, _)| to)
                    .clone()
            })
            .collect();
        let on_task = serving.as_slice();
        let mut ids = on_task.to_vec();
        ids.extend(covering.values().cloned());
        ids.extend(recipients.iter().filter(|u| !on_task.contains(u)).cloned());
        let profiles: HashMap<UserId, User> = store::users::get_many(conn, &ids).await?;
        let owner_names = store::members::owner_usernames(conn, r.id)
            .await?
            .iter()
            .map(|n| format!("@{n}"))
            .collect::<Vec<_>>()
            .join(", ");
        let name = render::task_ref(&r.name, task);
        // Who takes over, so the people finishing know whom to hand over to.
        let next_task = match news {
            TaskNews::RemindFinish => self.next_task(conn, r, task).await?,
            _ => None,
        };
        // One DM per task, kind and person: a repeat (same day run twice, a retry) is the same key.
        // Assign/unassign can repeat for the same person, so their key includes the time.
        let repeat_at = match news {
            TaskNews::Unassigned => Some(self.now),
            TaskNews::Scheduled if task.state != TaskState::Scheduled => Some(self.now),
            _ => None,
        };
        let (start, finish) = task.times.span();
        for user in recipients {
            let Some(profile) = profiles.get(user) else {
                continue;
            };
            let tz = profile.zone();
            let others: Vec<String> = on_task
                .iter()
                .filter(|o| *o != user)
                .map(|o| {
                    profiles
                        .get(o)
                        .map(|p| format!("@{}", p.username))
                        .unwrap_or_else(|| format!("user `{o}`"))
                })
                .collect();
            let dm = TaskDm {
                task_id: task.id,
                repeat_at,
                me: format!("@{}", profile.username),
                actor: self.actor.clone(),
                task: name.clone(),
                rotation: r.name.clone(),
                summary: task.summary.clone(),
                start: format::time(start, tz),
                finish: format::time(finish, tz),
                zone: tz.name().to_string(),
                starts_in: format::relative(start, self.now),
                finishes_in: format::relative(finish, self.now),
                others: format::people(&others),
                owners: if owner_names.is_empty() {
                    "a bot admin".to_string()
                } else {
                    owner_names.clone()
                },
                needs: (!require.is_empty()).then(|| render::needs(&needs_to_vec(require))),
                grace: (task.grace > TimeDelta::zero()).then(|| format::duration(task.grace)),
                grace_until: format::time(
                    lottery::local_time::add_wall_clock(finish, task.grace, r.tz),
                    tz,
                ),
                next_task: next_task.clone(),
                covering_for: covering.get(user).map(|from| {
                    profiles
                        .get(from)
                        .map(|p| format!("@{}", p.username))
                        .unwrap_or_else(|| format!("user `{from}`"))
                }),
            };
            let queued = Queued {
                to: user.clone(),
                rotation_id: Some(r.id),
                message: news.message(dm),
            };
            notify::queue(conn, &queued, self.now).await?;
        }
        Ok(())
    }

    /// The task after this one and who is on it: `ICE#4 (@bob and @dan)`.
    async fn next_task(
        &self,
        conn: &mut Conn,
        r: &Rotation,
        task: &Task,
    ) -> Result<Option<String>> {
        let Some(next) = store::tasks::by_number(conn, r.id, task.number + 1).await? else {
            return Ok(None);
        };
        let on_next = store::tasks::users(conn, next.id).await?;
        let who = names_of(conn, &on_next).await?;
        let name = render::task_ref(&r.name, &next);
        Ok(Some(if who.is_empty() {
            name
        } else {
            format!("{name} ({})", format::people(&who))
        }))
    }
}

fn needs_to_vec(n: &Needs) -> Vec<(crate::lottery::SkillLevel, u32)> {
    n.iter().map(|(sl, c)| (sl.clone(), c)).collect()
}
