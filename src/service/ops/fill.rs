//! Filling a task by lottery: what the lottery needs to know, the draw, and a fill failure written
//! for its reader.

use std::collections::HashMap;

use chrono::{DateTime, TimeDelta, Utc};

use super::news::{OnTask, TaskNews};
use super::{TaskOps, check_schedule, to_needs};
use crate::lottery::{
    self, Assigned, Candidate, FillRequest, HistoryEvent, Interval, Reason, RotationId, TaskId,
    TaskState, Unavailability, UserId,
};
use crate::service::{Result, ServiceError, render};
use crate::store::rotations::Rotation;
use crate::store::tasks::Task;
use crate::store::{self, Conn};

impl TaskOps {
    /// Picks people by lottery so the task meets its needs; all or nothing. Returns who was added.
    pub async fn fill(&self, conn: &mut Conn, r: &Rotation, task: &Task) -> Result<Vec<UserId>> {
        only_pending(r, task)?;
        Self::check_holiday(conn, r, task).await?;
        let req = self.fill_request(conn, r, task).await?;
        let picked = self.draw(conn, r, task, &req).await?;
        // Filled, so whatever the autopilot told the owners is fixed: if the task fails again later
        // (people taken off), they hear again even for the same reason.
        store::autopilot::clear_alert(conn, task.id).await?;
        let people = super::people_of(conn, &picked).await?;
        self.record(conn, task, HistoryEvent::Filled { people })
            .await?;
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
        Self::check_holiday(conn, r, task).await?;
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
        store::autopilot::clear_alert(conn, t.id).await?;
        let people = super::people_of(conn, &picked).await?;
        self.record(conn, &t, HistoryEvent::Filled { people })
            .await?;
        let moved = HistoryEvent::StateChanged {
            from: task.state,
            to: next,
        };
        self.record(conn, &t, moved).await?;
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
        let members = store::members::members(conn, r.id).await?;
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
        let not_yet = |m: &store::members::Member| m.joined_at > self.now && m.joined_at > start;
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

async fn member_names(conn: &mut Conn, req: &FillRequest) -> Result<HashMap<UserId, String>> {
    let mut out = HashMap::new();
    for c in &req.candidates {
        if let Some(n) = store::users::username(conn, &c.user).await? {
            out.insert(c.user.clone(), format!("@{n}"));
        }
    }
    Ok(out)
}
