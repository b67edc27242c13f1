//! The on-call custom status of a started task passes between people as overrides say: whoever
//! covers a stretch wears it from the stretch's start, and the person they relieve again from its
//! finish. The task records the moment whose serving people wear the status (`oncall_at`); a hand-over
//! moves that moment on, clearing the status of those who no longer serve and setting it for those
//! who now do, in the transaction of its cause: the task's start and finish (`transition`), a new
//! override of a started task (`task override`), people put on or taken off one (`task assign`,
//! `task unassign`), and the autopilot's tick for the stretches' own
//! starts and finishes ([`hand_over_due`]).

use chrono::{DateTime, TimeDelta, Utc};

use super::TaskOps;
use super::serving::{serving_at, serving_throughout};
use crate::lottery::{TaskId, TaskState, UserId};
use crate::service::presence::oncall::{self, Change};
use crate::service::{Result, Service};
use crate::store::rotations::Rotation;
use crate::store::tasks::Task;
use crate::store::{self, Conn};

/// A started task and its people, whose status is handed over.
struct Wearing<'a> {
    r: &'a Rotation,
    task: &'a Task,
    on_task: Vec<UserId>,
}

impl<'a> Wearing<'a> {
    async fn load(conn: &mut Conn, r: &'a Rotation, task: &'a Task) -> Result<Self> {
        let on_task = store::tasks::users(conn, task.id).await?;
        Ok(Wearing { r, task, on_task })
    }

    /// `at` held within the task's span (its last second at most), so that a command run early or
    /// late asks about a moment of the task.
    fn within(&self, at: DateTime<Utc>) -> DateTime<Utc> {
        let (start, finish) = self.task.times.span();
        let last = (finish - TimeDelta::seconds(1)).max(start);
        at.clamp(start, last)
    }

    async fn serving(&self, conn: &mut Conn, at: DateTime<Utc>) -> Result<Vec<UserId>> {
        let overrides = store::overrides::of_task(conn, self.task.id).await?;
        Ok(serving_at(&self.on_task, &overrides, at).users)
    }

    /// The moment whose people wear the status, and who they are, as recorded.
    async fn worn(&self, conn: &mut Conn) -> Result<(Option<DateTime<Utc>>, Vec<UserId>)> {
        match store::overrides::oncall_at(conn, self.task.id).await? {
            Some(at) => Ok((Some(at), self.serving(conn, at).await?)),
            None => Ok((
                None,
                serving_throughout(conn, self.task, &self.on_task).await?,
            )),
        }
    }

    /// Moves the status from `before` to the people serving at `at`, and records `at`. `key_at`
    /// makes each hand-over its own outbox operation (the same person may take the status, give it
    /// back and take it again within one task). Whether anyone's status changes.
    async fn move_to(
        &self,
        conn: &mut Conn,
        before: &[UserId],
        at: DateTime<Utc>,
        key_at: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Result<bool> {
        let after = self.serving(conn, at).await?;
        let (off, on) = diff(before, &after);
        store::overrides::set_oncall_at(conn, self.task.id, at).await?;
        let (r, task) = (self.r, self.task);
        oncall::queue(conn, r, task, &off, Change::Clear, Some(key_at), now).await?;
        oncall::queue(conn, r, task, &on, Change::Set, Some(key_at), now).await?;
        Ok(!off.is_empty() || !on.is_empty())
    }
}

/// Pure: who stops wearing the status and who starts.
fn diff(before: &[UserId], after: &[UserId]) -> (Vec<UserId>, Vec<UserId>) {
    let off = before.iter().filter(|u| !after.contains(u)).cloned();
    let on = after.iter().filter(|u| !before.contains(u)).cloned();
    (off.collect(), on.collect())
}

/// The task starts now: the people serving at this moment wear its status (until its end).
pub(super) async fn put_on(
    conn: &mut Conn,
    r: &Rotation,
    task: &Task,
    now: DateTime<Utc>,
) -> Result<()> {
    let w = Wearing::load(conn, r, task).await?;
    let at = w.within(now);
    let wearing = w.serving(conn, at).await?;
    store::overrides::set_oncall_at(conn, task.id, at).await?;
    oncall::queue(conn, r, task, &wearing, Change::Set, None, now).await
}

/// The task finishes: whoever wears its status now.
pub(super) async fn take_off(
    conn: &mut Conn,
    r: &Rotation,
    task: &Task,
    now: DateTime<Utc>,
) -> Result<()> {
    let w = Wearing::load(conn, r, task).await?;
    let (_, wearing) = w.worn(conn).await?;
    oncall::queue(conn, r, task, &wearing, Change::Clear, None, now).await
}

impl TaskOps {
    /// Who wears `task`'s status before an override is added or people are put on or taken off it
    /// (see [`Self::oncall_after_change`]).
    pub async fn oncall_before_change(
        &self,
        conn: &mut Conn,
        r: &Rotation,
        task: &Task,
    ) -> Result<Vec<UserId>> {
        if task.state != TaskState::Started {
            return Ok(Vec::new());
        }
        Ok(Wearing::load(conn, r, task).await?.worn(conn).await?.1)
    }

    /// An override was added to a started task, or people were put on or taken off it: whoever
    /// serves now wears its status at once (the tick looks only at moments after the last hand-over,
    /// and an override's stretch may have begun before).
    pub async fn oncall_after_change(
        &self,
        conn: &mut Conn,
        r: &Rotation,
        task: &Task,
        before: &[UserId],
    ) -> Result<()> {
        if task.state != TaskState::Started {
            return Ok(());
        }
        let w = Wearing::load(conn, r, task).await?;
        let (was, _) = w.worn(conn).await?;
        // Never back before the moment already handed over (a `--now` in the past).
        let at = was.map_or(w.within(self.now), |was| was.max(w.within(self.now)));
        w.move_to(conn, before, at, self.now, self.now).await?;
        Ok(())
    }
}

/// The autopilot's tick: every started task whose serving people at `now` differ from those wearing
/// its status (an override's stretch began or ended) hands it over. Returns how many did.
pub async fn hand_over_due(svc: &Service, now: DateTime<Utc>) -> Result<usize> {
    // Most ticks have nothing to hand over: look before taking the write lock.
    let due = {
        let mut conn = svc.db().read().await?;
        let mut due = Vec::new();
        for id in store::overrides::started_with_oncall_overrides(&mut conn).await? {
            if changes(&mut conn, id, now).await? {
                due.push(id);
            }
        }
        due
    };
    if due.is_empty() {
        return Ok(0);
    }
    let mut tx = svc.db().begin_write().await?;
    let mut handed = 0;
    for id in due {
        // Read again under the write lock: a command may have moved it meanwhile.
        if !changes(&mut tx, id, now).await? {
            continue;
        }
        let task = store::tasks::get(&mut tx, id).await?;
        let r = store::rotations::get(&mut tx, task.rotation_id).await?;
        let w = Wearing::load(&mut tx, &r, &task).await?;
        let (_, before) = w.worn(&mut tx).await?;
        let at = w.within(now);
        if w.move_to(&mut tx, &before, at, at, now).await? {
            handed += 1;
        }
    }
    store::commit(tx).await?;
    if handed > 0 {
        svc.wake_sender();
    }
    Ok(handed)
}

/// Whether started task `id`'s people serving at `now` (a moment after its last hand-over) differ
/// from those wearing its status.
async fn changes(conn: &mut Conn, id: TaskId, now: DateTime<Utc>) -> Result<bool> {
    let task = store::tasks::get(conn, id).await?;
    if task.state != TaskState::Started {
        return Ok(false);
    }
    let r = store::rotations::get(conn, task.rotation_id).await?;
    let w = Wearing::load(conn, &r, &task).await?;
    let at = w.within(now);
    let (was, before) = w.worn(conn).await?;
    if was.is_some_and(|was| at <= was) {
        return Ok(false);
    }
    let after = w.serving(conn, at).await?;
    let (off, on) = diff(&before, &after);
    Ok(!off.is_empty() || !on.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(names: &[&str]) -> Vec<UserId> {
        names.iter().map(|n| UserId((*n).into())).collect()
    }

    #[test]
    fn a_hand_over_clears_those_who_stop_serving_and_sets_those_who_start() {
        let (off, on) = diff(&ids(&["ann", "dan"]), &ids(&["bob", "dan"]));
        assert_eq!(off, ids(&["ann"]));
        assert_eq!(on, ids(&["bob"]));
        let (off, on) = diff(&ids(&["ann", "dan"]), &ids(&["dan", "ann"]));
        assert!(off.is_empty() && on.is_empty());
    }
}
