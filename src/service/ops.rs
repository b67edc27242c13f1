//! Task operations shared by the commands and the autopilot: create, fill, assign, unassign, move
//! through states, remind. Each runs inside the caller's transaction and queues its DMs there, so a
//! change and its notifications happen together or not at all.

use std::collections::HashMap;

use chrono::{DateTime, TimeDelta, Utc};

use super::{Result, ServiceError, format, render};
use crate::lottery::{
    self, Assigned, Candidate, FillRequest, Interval, Needs, Reason, RotationId, TaskId, TaskState,
    TaskType, Unavailability, UserId,
};
use crate::notify::message::TaskDm;
use crate::notify::{self, Message, Queued};
use crate::store::rotations::{NeedKind, Rotation};
use crate::store::tasks::{NewTask, Task};
use crate::store::{self, Conn, StoreError, users::User};

/// A ticket lasts this long unless the rotation says otherwise.
pub const DEFAULT_TICKET_DURATION: TimeDelta = TimeDelta::minutes(30);

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

    // --- creation ------------------------------------------------------------------------------

    /// When shift `n` starts and how long it lasts.
    pub fn shift_times(r: &Rotation, n: i64) -> Result<(DateTime<Utc>, TimeDelta)> {
        let start = r
            .period
            .try_shift_start(r.beginning, r.tz, n)
            .map_err(|_| {
                ServiceError::invalid(format!(
                    "Shift #{n} of {} is too far out to compute.",
                    r.name
                ))
            })?;
        let duration = if r.task_duration > TimeDelta::zero() {
            r.task_duration
        } else {
            let next = r
                .period
                .try_shift_start(r.beginning, r.tz, n + 1)
                .map_err(|_| {
                    ServiceError::invalid(format!(
                        "Shift #{n} of {} is too far out to compute.",
                        r.name
                    ))
                })?;
            next - start
        };
        Ok((start, duration))
    }

    /// The shift to create when none is named: the first one starting at or after now that doesn't exist
    /// yet, and never one before the last created.
    pub async fn next_shift_number(
        conn: &mut Conn,
        r: &Rotation,
        now: DateTime<Utc>,
    ) -> Result<i64> {
        let upcoming = match r.period.shift_number_at(r.beginning, r.tz, now) {
            None => 0,
            Some(n) => {
                let start = r
                    .period
                    .try_shift_start(r.beginning, r.tz, n)
                    .unwrap_or(r.beginning);
                if start >= now { n } else { n + 1 }
            }
        };
        let after_last = store::tasks::max_number(conn, r.id)
            .await?
            .map(|m| m + 1)
            .unwrap_or(0);
        Ok(upcoming.max(after_last))
    }

    pub async fn create_shift(&self, conn: &mut Conn, r: &Rotation, n: i64) -> Result<Task> {
        if r.task_type != TaskType::Shift {
            return Err(ServiceError::invalid(format!(
                "{} has tickets, not shifts: use `/lotto task new ticket {}`.",
                r.name, r.name
            )));
        }
        if n < 0 {
            return Err(ServiceError::invalid(
                "Shift numbers start at 0.".to_string(),
            ));
        }
        if let Some(existing) = store::tasks::by_number(conn, r.id, n).await? {
            return Err(ServiceError::Conflict(format!(
                "{}#{n} already exists ({}, {}).",
                r.name,
                existing.state,
                format::short_time(existing.times.expected_start, r.tz)
            )));
        }
        let (start, duration) = Self::shift_times(r, n)?;
        self.insert_task(conn, r, n, TaskType::Shift, start, duration, None)
            .await
    }

    pub async fn create_ticket(
        &self,
        conn: &mut Conn,
        r: &Rotation,
        summary: Option<String>,
    ) -> Result<Task> {
        if r.task_type != TaskType::Ticket {
            return Err(ServiceError::invalid(format!(
                "{} has shifts, not tickets: use `/lotto task new shift {}`.",
                r.name, r.name
            )));
        }
        let n = store::rotations::next_ticket_seq(conn, r.id).await?;
        let duration = if r.task_duration > TimeDelta::zero() {
            r.task_duration
        } else {
            DEFAULT_TICKET_DURATION
        };
        self.insert_task(conn, r, n, TaskType::Ticket, self.now, duration, summary)
            .await
    }

    #[allow(clippy::too_many_arguments)]
    async fn insert_task(
        &self,
        conn: &mut Conn,
        r: &Rotation,
        number: i64,
        kind: TaskType,
        start: DateTime<Utc>,
        duration: TimeDelta,
        summary: Option<String>,
    ) -> Result<Task> {
        let new = NewTask {
            rotation_id: r.id,
            number,
            kind,
            expected_start: start,
            expected_duration: duration,
            grace: r.grace,
            summary,
            require: store::rotations::needs(conn, r.id, NeedKind::Require).await?,
            limit: store::rotations::needs(conn, r.id, NeedKind::Limit).await?,
        };
        let id = match store::tasks::insert(conn, &new, self.now).await {
            Ok(id) => id,
            Err(StoreError::Conflict) => {
                return Err(ServiceError::Conflict(format!(
                    "{}#{number} already exists.",
                    r.name
                )));
            }
            Err(e) => return Err(e.into()),
        };
        Ok(store::tasks::get(conn, id).await?)
    }

    // --- filling -------------------------------------------------------------------------------

    /// Picks people by lottery so the task meets its needs; all or nothing. Returns who was added.
    pub async fn fill(&self, conn: &mut Conn, r: &Rotation, task: &Task) -> Result<Vec<UserId>> {
        only_pending(r, task)?;
        let req = self.fill_request(conn, r, task).await?;
        let picked = self.draw(conn, r, task, &req).await?;
        // Filled, so whatever the autopilot told the owners is fixed: if the task fails again later
        // (people taken off), they hear again even for the same reason.
        store::tasks::clear_alert(conn, task.id).await?;
        Ok(picked)
    }

    /// Fills a pending task and schedules it in one go, as the autopilot does: what the fill read
    /// (needs, people, skills) serves the schedule check and the DMs too, which saves a dozen queries
    /// per task in a tick with many fills. Returns everyone on the task, in order.
    pub async fn fill_and_schedule(
        &self,
        conn: &mut Conn,
        r: &Rotation,
        task: &Task,
    ) -> Result<Vec<UserId>> {
        only_pending(r, task)?;
        let name = render::task_ref(&r.name, task);
        let next = task
            .state
            .transition(TaskState::Scheduled)
            .map_err(|e| ServiceError::invalid(format!("{name}: {e}")))?;
        let req = self.fill_request(conn, r, task).await?;
        let picked = self.draw(conn, r, task, &req).await?;
        let mut on_task = req.assigned.clone();
        for u in &picked {
            let skills = req
                .candidates
                .iter()
                .find(|c| &c.user == u)
                .map(|c| c.skills.clone())
                .unwrap_or_default();
            on_task.push(Assigned {
                user: u.clone(),
                skills,
            });
        }
        check_schedule(&name, &req.require, &on_task, false)?;
        let mut t = task.clone();
        t.state = next;
        store::tasks::update(conn, &t).await?;
        store::tasks::clear_alert(conn, t.id).await?;
        let users: Vec<UserId> = on_task.into_iter().map(|a| a.user).collect();
        let known = OnTask {
            users: &users,
            require: &req.require,
        };
        self.notify_known(conn, r, &t, TaskNews::Scheduled, &users, known)
            .await?;
        Ok(users)
    }

    /// Runs the lottery and puts the picked people on the task; all or nothing.
    async fn draw(
        &self,
        conn: &mut Conn,
        r: &Rotation,
        task: &Task,
        req: &FillRequest,
    ) -> Result<Vec<UserId>> {
        match lottery::fill(req) {
            Ok(outcome) => {
                let picked = outcome.users();
                for u in &picked {
                    store::tasks::add_user(conn, task.id, u).await?;
                }
                Ok(picked)
            }
            Err(e) => {
                let names = Readable {
                    users: member_names(conn, req).await?,
                    tasks: store::tasks::names(conn, &excluded_tasks(&e)).await?,
                    this_task: render::task_ref(&r.name, task),
                    tz: self.reader_tz,
                };
                Err(ServiceError::Fill(e.describe(&names)))
            }
        }
    }

    /// Everything the lottery needs to know about this task and the rotation's members.
    pub async fn fill_request(
        &self,
        conn: &mut Conn,
        r: &Rotation,
        task: &Task,
    ) -> Result<FillRequest> {
        let (start, finish) = task.times.span();
        let interval = Interval::new(start, finish);
        let members = store::rotations::members(conn, r.id).await?;
        let skills = store::users::skills_of_members(conn, r.id.0).await?;
        // Anything that may overlap the task: ends after it starts (grace reaches back at most this far).
        let horizon = start - TimeDelta::days(3660);
        let mut unavailable: HashMap<UserId, Vec<Unavailability>> = HashMap::new();
        for e in store::unavailability::of_members_from(conn, r.id, start).await? {
            unavailable
                .entry(e.user_id)
                .or_default()
                .push(e.unavailability);
        }
        for (user, t) in
            store::tasks::busy_of_members(conn, r.id, horizon.max(start - TimeDelta::days(3650)))
                .await?
        {
            if t.id == task.id {
                continue;
            }
            let (s, f) = t.times.span();
            let entries = unavailable.entry(user).or_default();
            entries.push(Unavailability::new(
                Interval::new(s, f),
                Reason::Task {
                    rotation: t.rotation_id,
                    task: t.id,
                },
            ));
            if t.grace > TimeDelta::zero() {
                entries.push(Unavailability::new(
                    Interval::new(f, lottery::local_time::add_wall_clock(f, t.grace, r.tz)),
                    Reason::Grace {
                        rotation: t.rotation_id,
                        task: t.id,
                    },
                ));
            }
        }
        let (require, limit) = store::tasks::all_needs(conn, task.id).await?;
        let assigned_ids = store::tasks::users(conn, task.id).await?;
        let mut assigned = Vec::new();
        for u in &assigned_ids {
            let s = match skills.get(u) {
                Some(s) => s.clone(),
                None => store::users::skills(conn, u).await?,
            };
            assigned.push(Assigned {
                user: u.clone(),
                skills: s,
            });
        }
        // Someone who joins later (`user join --starting` in the future) is not a member yet for a
        // task that starts before then. Joining dates in the past never exclude: a task that starts
        // before someone joined is still a lottery among everyone (`lottery::waiting_since`).
        let not_yet = |m: &store::rotations::Member| m.joined_at > self.now && m.joined_at > start;
        let candidates = members
            .into_iter()
            .filter(|m| !assigned_ids.contains(&m.user_id) && !not_yet(m))
            .map(|m| Candidate {
                skills: skills.get(&m.user_id).cloned().unwrap_or_default(),
                unavailable: unavailable.remove(&m.user_id).unwrap_or_default(),
                user: m.user_id,
                last_served: m.last_served,
                joined_at: m.joined_at,
            })
            .collect();
        Ok(FillRequest {
            rotation: r.id,
            task: task.id,
            seed: r.seed,
            fuzz: r.fuzz,
            period: r.period,
            beginning: r.beginning,
            interval,
            for_time: start,
            require: to_needs(require),
            limit: to_needs(limit),
            assigned,
            candidates,
        })
    }

    // --- assign / unassign ---------------------------------------------------------------------

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
        let mut added = Vec::new();
        for u in &new {
            store::tasks::add_user(conn, task.id, &u.id).await?;
            added.push(u.id.clone());
        }
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
        let mut removed = Vec::new();
        for u in users {
            store::tasks::remove_user(conn, task.id, &u.id).await?;
            removed.push(u.id.clone());
        }
        if task.state != TaskState::Pending {
            self.notify(conn, r, task, TaskNews::Unassigned, &removed)
                .await?;
        }
        Ok(removed)
    }

    // --- transitions ---------------------------------------------------------------------------

    /// Moves a task to `to` and tells the people on it.
    pub async fn transition(
        &self,
        conn: &mut Conn,
        r: &Rotation,
        task: &Task,
        to: TaskState,
        force: bool,
    ) -> Result<Task> {
        let name = render::task_ref(&r.name, task);
        let next = task
            .state
            .transition(to)
            .map_err(|e| task_error(&name, e))?;
        let users = store::tasks::users(conn, task.id).await?;
        let require = needs_of(conn, task, NeedKind::Require).await?;
        if next == TaskState::Scheduled {
            let on_task = with_skills(conn, &users).await?;
            check_schedule(&name, &require, &on_task, force)?;
        }
        let mut t = task.clone();
        t.state = next;
        match next {
            TaskState::Started => t.times.actual_start = Some(self.now),
            TaskState::Finished => {
                t.times.actual_finish =
                    Some(self.now.max(t.times.actual_start.unwrap_or(self.now)));
            }
            _ => {}
        }
        store::tasks::update(conn, &t).await?;
        if next == TaskState::Scheduled || next == TaskState::Finished {
            store::tasks::clear_alert(conn, t.id).await?;
        }
        let news = match next {
            TaskState::Scheduled => TaskNews::Scheduled,
            TaskState::Started => TaskNews::Started,
            TaskState::Finished => TaskNews::Finished,
            TaskState::Pending => return Ok(t),
        };
        let known = OnTask {
            users: &users,
            require: &require,
        };
        self.notify_known(conn, r, &t, news, &users, known).await?;
        Ok(t)
    }

    /// Sends the "starts soon" or "ends soon" reminder and records that it was sent.
    pub async fn remind(
        &self,
        conn: &mut Conn,
        r: &Rotation,
        task: &Task,
        finish: bool,
    ) -> Result<usize> {
        let users = store::tasks::users(conn, task.id).await?;
        let mut t = task.clone();
        if finish {
            t.reminded_finish = true;
        } else {
            t.reminded_start = true;
        }
        store::tasks::update(conn, &t).await?;
        let news = if finish {
            TaskNews::RemindFinish
        } else {
            TaskNews::RemindStart
        };
        self.notify(conn, r, &t, news, &users).await?;
        Ok(users.len())
    }

    // --- messages ------------------------------------------------------------------------------

    /// Queues one DM per recipient, written for them (their zone, the others on the task).
    pub async fn notify(
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
    async fn notify_known(
        &self,
        conn: &mut Conn,
        r: &Rotation,
        task: &Task,
        news: TaskNews,
        recipients: &[UserId],
        known: OnTask<'_>,
    ) -> Result<()> {
        if recipients.is_empty() {
            return Ok(());
        }
        let OnTask {
            users: on_task,
            require,
        } = known;
        let mut ids = on_task.to_vec();
        ids.extend(recipients.iter().filter(|u| !on_task.contains(u)).cloned());
        let profiles: HashMap<UserId, User> = store::users::get_many(conn, &ids).await?;
        let owner_names = store::rotations::owner_usernames(conn, r.id)
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
                needs: render::needs(&needs_to_vec(require)),
                grace: (task.grace > TimeDelta::zero()).then(|| format::duration(task.grace)),
                grace_until: format::time(
                    lottery::local_time::add_wall_clock(finish, task.grace, r.tz),
                    tz,
                ),
                next_task: next_task.clone(),
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

/// What a caller of `notify_known` already read: who is on the task and what it requires.
#[derive(Clone, Copy)]
struct OnTask<'a> {
    users: &'a [UserId],
    require: &'a Needs,
}

/// What the people on a task hear about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TaskNews {
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

/// Names for a fill failure as its reader sees them: `@ann`, `ICE#3`, times in their zone.
struct Readable {
    users: HashMap<UserId, String>,
    tasks: HashMap<TaskId, String>,
    this_task: String,
    tz: chrono_tz::Tz,
}

impl lottery::Namer for Readable {
    fn user(&self, id: &UserId) -> String {
        self.users
            .get(id)
            .cloned()
            .unwrap_or_else(|| format!("user `{id}`"))
    }
    fn this_task(&self) -> String {
        self.this_task.clone()
    }
    fn task(&self, _rotation: Option<RotationId>, task: TaskId) -> String {
        self.tasks
            .get(&task)
            .cloned()
            .unwrap_or_else(|| format!("task {task}"))
    }
    fn time(&self, t: DateTime<Utc>) -> String {
        t.with_timezone(&self.tz)
            .format("%Y-%m-%d %H:%M %Z")
            .to_string()
    }
}

/// The tasks a fill failure mentions (people busy on them, or in grace after them).
fn excluded_tasks(e: &lottery::FillError) -> Vec<TaskId> {
    let lottery::FillError::Insufficient(s) = e else {
        return Vec::new();
    };
    s.excluded
        .iter()
        .flat_map(|x| x.reasons.iter())
        .filter_map(|r| match r {
            lottery::Exclusion::BusyOnTask { task, .. }
            | lottery::Exclusion::Grace { task, .. } => Some(*task),
            _ => None,
        })
        .collect()
}

/// A rule the task broke, as the user reads it: `ICE#3: the task is scheduled: add `--force` …`.
fn task_error(name: &str, e: impl std::fmt::Display) -> ServiceError {
    ServiceError::invalid(format!(
        "{name}: {}.",
        e.to_string().replace("<task>", name)
    ))
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

fn to_needs(rows: Vec<(crate::lottery::SkillLevel, u32)>) -> Needs {
    let mut n = Needs::new();
    for (sl, c) in rows {
        n.set(sl, c);
    }
    n
}

/// Only a pending task is filled.
fn only_pending(r: &Rotation, task: &Task) -> Result<()> {
    if task.state == TaskState::Pending {
        return Ok(());
    }
    let name = render::task_ref(&r.name, task);
    Err(ServiceError::invalid(format!(
        "{name} is {}: only pending tasks are filled. Use `/lotto task assign {name} @someone` to add people.",
        task.state
    )))
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

fn needs_to_vec(n: &Needs) -> Vec<(crate::lottery::SkillLevel, u32)> {
    n.iter().map(|(sl, c)| (sl.clone(), c)).collect()
}

async fn names_of(conn: &mut Conn, ids: &[UserId]) -> Result<Vec<String>> {
    let mut out = Vec::new();
    for id in ids {
        if let Some(n) = store::users::username(conn, id).await? {
            out.push(format!("@{n}"));
        }
    }
    Ok(out)
}

async fn member_names(conn: &mut Conn, req: &FillRequest) -> Result<HashMap<UserId, String>> {
    let mut out = HashMap::new();
    for c in &req.candidates {
        if let Some(n) = store::users::username(conn, &c.user).await? {
            out.insert(c.user.clone(), format!("@{n}"));
        }
    }
    Ok(out)
}

/// For `rotation show`: the rotation id and its owners, used by several handlers.
pub async fn owners_text(conn: &mut Conn, id: RotationId) -> Result<String> {
    let owners = store::rotations::owner_ids(conn, id).await?;
    let names = names_of(conn, &owners).await?;
    Ok(if names.is_empty() {
        "none".into()
    } else {
        names.join(", ")
    })
}
