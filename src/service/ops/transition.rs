//! A task moving through its states (scheduled, started, finished), and the reminders before it
//! starts and finishes.

use super::handover;
use super::news::{OnTask, TaskNews};
use super::serving::{Moment, serving};
use super::{TaskOps, check_schedule, needs_of, task_error, with_skills};
use crate::lottery::{HistoryEvent, TaskState};
use crate::service::{Result, render};
use crate::store::rotations::{NeedKind, Rotation};
use crate::store::tasks::Task;
use crate::store::{self, Conn};

impl TaskOps {
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
        let moved = HistoryEvent::StateChanged {
            from: task.state,
            to: next,
        };
        self.record(conn, &t, moved).await?;
        if next == TaskState::Scheduled || next == TaskState::Finished {
            store::autopilot::clear_alert(conn, t.id).await?;
        }
        // The on-call status goes to whoever serves at the start (someone covering that moment
        // instead of the one they relieve), and comes off whoever wears it at the finish.
        match next {
            TaskState::Started => handover::put_on(conn, r, &t, self.now).await?,
            TaskState::Finished if task.state == TaskState::Started => {
                handover::take_off(conn, r, &t, self.now).await?;
            }
            _ => {}
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
        if news == TaskNews::Started {
            // Whoever covers the first moment for someone hears it started, not the one relieved.
            let now_serving = serving(conn, &t, &users, Moment::Start).await?;
            self.notify_covering(
                conn,
                r,
                &t,
                news,
                &now_serving.users,
                known,
                &now_serving.covering,
            )
            .await?;
        } else {
            self.notify_known(conn, r, &t, news, &users, known).await?;
        }
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
        self.record(conn, &t, HistoryEvent::Reminded { finish })
            .await?;
        let (news, moment) = if finish {
            (TaskNews::RemindFinish, Moment::Finish)
        } else {
            (TaskNews::RemindStart, Moment::Start)
        };
        // The reminder goes to whoever serves at that moment: an override may cover it.
        let then = serving(conn, &t, &users, moment).await?;
        let require = needs_of(conn, &t, NeedKind::Require).await?;
        let known = OnTask {
            users: &users,
            require: &require,
        };
        self.notify_covering(conn, r, &t, news, &then.users, known, &then.covering)
            .await?;
        Ok(then.users.len())
    }
}
