//! Running the steps: a whole tick over every rotation with the autopilot on, or one rotation on demand.
//!
//! A tick first finds, with two queries for all rotations together, the tasks some step may act on
//! and the shifts not created yet; rotations with neither are skipped without another query, so a
//! tick with nothing due stays cheap however many rotations there are. Each task is then handled in
//! its own transaction, re-read and re-checked inside it; what a step creates or changes is what the
//! later steps of the run look at, so there is no one-run lag.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::alert;
use super::due::{self, Step};
use super::{AutopilotReport, StepLine};
use crate::lottery::{
    HistoryActor, RotationId, ShiftOnHoliday, TaskId, TaskState, TaskType, UserId,
};
use crate::service::{Result, Service, ServiceError, TaskOps, format};
use crate::store::rotations::Rotation;
use crate::store::tasks::Task;
use crate::store::{self, Conn, StoreError};

/// Who the DMs say acted, for background ticks.
pub const ACTOR: &str = "The autopilot";

/// What a background tick did across rotations.
#[derive(Debug, Default, Clone, Serialize)]
pub struct TickReport {
    /// Rotations with the autopilot on.
    pub rotations: usize,
    /// Rotations where some step had something to do.
    pub acted: usize,
    /// Tasks (or shifts to create) a step failed on; everything else went on.
    pub failed: usize,
}

/// Runs every rotation whose autopilot is on, as of `now`. A task that fails is reported and skipped;
/// an error here means the tick could not even find out what was due.
pub async fn tick(svc: &Service, now: DateTime<Utc>) -> Result<TickReport> {
    let (rotations, mut candidates, mut to_create) = {
        let mut conn = svc.db().read().await?;
        let rotations = store::rotations::list_autopilot(&mut conn).await?;
        let candidates = store::autopilot::autopilot_candidates(&mut conn, None, now).await?;
        let to_create = shifts_to_create(&mut conn, &rotations, now).await?;
        (rotations, group(candidates), to_create)
    };
    let mut report = TickReport {
        rotations: rotations.len(),
        ..Default::default()
    };
    for r in &rotations {
        let tasks = candidates.remove(&r.id).unwrap_or_default();
        let create = to_create.remove(&r.id).unwrap_or_default();
        if tasks.is_empty() && create.is_empty() {
            continue;
        }
        report.acted += 1;
        let (lines, failed) = Run::new(svc, r, HistoryActor::Autopilot, now, tasks, create)
            .run()
            .await;
        report.failed += failed;
        if failed > 0 {
            tracing::warn!(rotation = %r.name, report = ?lines.lines, "autopilot ran, with failures");
        } else {
            tracing::info!(rotation = %r.name, report = ?lines.lines, "autopilot ran");
        }
    }
    if report.acted > 0 {
        svc.wake_sender();
    }
    Ok(report)
}

/// Runs the autopilot for one rotation now (the `rotation autopilot` command), whether or not its
/// autopilot is on: steps that are off say "not configured".
pub async fn run_rotation(
    svc: &Service,
    id: RotationId,
    by: HistoryActor,
    now: DateTime<Utc>,
) -> Result<AutopilotReport> {
    let (r, tasks, create) = {
        let mut conn = svc.db().read().await?;
        let r = store::rotations::get(&mut conn, id).await?;
        let tasks = store::autopilot::autopilot_candidates(&mut conn, Some(id), now).await?;
        let create = shifts_to_create(&mut conn, std::slice::from_ref(&r), now)
            .await?
            .remove(&id)
            .unwrap_or_default();
        (r, tasks, create)
    };
    let (report, _) = Run::new(svc, &r, by, now, tasks, create).run().await;
    svc.wake_sender();
    Ok(report)
}

fn group(tasks: Vec<Task>) -> HashMap<RotationId, Vec<Task>> {
    let mut out: HashMap<RotationId, Vec<Task>> = HashMap::new();
    for t in tasks {
        out.entry(t.rotation_id).or_default().push(t);
    }
    out
}

/// Per rotation whose autopilot creates shifts: the shift numbers due to be created, in order.
async fn shifts_to_create(
    conn: &mut Conn,
    rotations: &[Rotation],
    now: DateTime<Utc>,
) -> Result<HashMap<RotationId, Vec<i64>>> {
    let ranges: Vec<(RotationId, i64, i64)> = rotations
        .iter()
        .filter(|r| r.autopilot.create && r.task_type == TaskType::Shift)
        .map(|r| {
            let (from, to) = due::shift_range(r, now);
            (r.id, from, to)
        })
        .filter(|(_, from, to)| from < to)
        .collect();
    let existing = store::autopilot::existing_numbers(conn, &ranges).await?;
    let by_id: HashMap<RotationId, &Rotation> = rotations.iter().map(|r| (r.id, r)).collect();
    let mut out = HashMap::new();
    for (id, from, to) in ranges {
        let Some(r) = by_id.get(&id) else { continue };
        let mut missing: Vec<i64> = (from..to)
            .filter(|n| !existing.contains(&(id, *n)) && due::shift_still_ahead(r, *n, now))
            .collect();
        // Shifts the rotation skips for a holiday are not missing: they are never created.
        if !missing.is_empty() {
            let days = TaskOps::holidays(conn, r, now).await?;
            if !days.is_empty() {
                missing.retain(|n| {
                    !matches!(
                        TaskOps::planned_shift(r, *n, &days),
                        Ok(ShiftOnHoliday::Skipped { .. })
                    )
                });
            }
        }
        if !missing.is_empty() {
            out.insert(id, missing);
        }
    }
    Ok(out)
}

/// One run of the steps for one rotation.
struct Run<'a> {
    svc: &'a Service,
    r: &'a Rotation,
    /// Who the run's changes are by: the autopilot, or whoever ran it by command.
    by: HistoryActor,
    now: DateTime<Utc>,
    /// Tasks some step may act on, kept up to date as steps change or create tasks, so a later step
    /// sees what an earlier one did (no one-run lag) without reading everything again.
    candidates: Vec<Task>,
    to_create: Vec<i64>,
}

/// A task a step failed on (its transaction rolled back): the task as read, if it got that far.
struct Failed {
    task: Option<Task>,
    error: ServiceError,
}

impl Failed {
    fn before_reading(error: ServiceError) -> Self {
        Failed { task: None, error }
    }

    fn on(task: Task, error: ServiceError) -> Self {
        Failed {
            task: Some(task),
            error,
        }
    }
}

/// What one step did: the tasks it handled (with details) and the ones that failed.
#[derive(Default)]
struct StepResult {
    done: Vec<String>,
    failed: Vec<String>,
}

impl StepResult {
    fn line(&self, verb: &str) -> String {
        let done = format!("{verb} {}", self.done.join(", "));
        let failed = format!("failed: {}", self.failed.join("; "));
        match (self.done.is_empty(), self.failed.is_empty()) {
            (true, true) => "nothing to do".into(),
            (false, true) => done,
            (true, false) => failed,
            (false, false) => format!("{done}; {failed}"),
        }
    }
}

impl<'a> Run<'a> {
    fn new(
        svc: &'a Service,
        r: &'a Rotation,
        by: HistoryActor,
        now: DateTime<Utc>,
        candidates: Vec<Task>,
        to_create: Vec<i64>,
    ) -> Self {
        Run {
            svc,
            r,
            by,
            now,
            candidates,
            to_create,
        }
    }

    /// Every step in order: the report's lines, and how many tasks failed.
    async fn run(mut self) -> (AutopilotReport, usize) {
        let mut report = AutopilotReport::default();
        let mut failed = 0;
        for step in Step::ALL {
            let (result, acted) = if !step.enabled(&self.r.autopilot) {
                ("not configured".to_string(), false)
            } else if step == Step::Create && self.r.task_type == TaskType::Ticket {
                (
                    "tickets are created on request, not by the autopilot".to_string(),
                    false,
                )
            } else {
                let result = if step == Step::Create {
                    self.create().await
                } else {
                    self.on_tasks(step).await
                };
                failed += result.failed.len();
                let acted = !(result.done.is_empty() && result.failed.is_empty());
                (result.line(step.verb()), acted)
            };
            report.lines.push(StepLine {
                step: step.name().to_string(),
                result,
                acted,
            });
        }
        (report, failed)
    }

    /// Creates the missing shifts, each in its own transaction.
    async fn create(&mut self) -> StepResult {
        let mut result = StepResult::default();
        let ops = TaskOps::new(self.by.clone(), self.now);
        for n in std::mem::take(&mut self.to_create) {
            let attempt = async {
                let mut tx = self.svc.db().begin_write().await?;
                let t = ops.create_shift(&mut tx, self.r, n).await?;
                tx.commit().await.map_err(StoreError::from)?;
                Ok::<_, ServiceError>(t)
            }
            .await;
            match attempt {
                Ok(t) => {
                    result.done.push(format::task_name(&self.r.name, t.number));
                    self.candidates.push(t);
                }
                // Created meanwhile (a command, or another run): nothing left to do for it.
                Err(ServiceError::Conflict(_)) => {}
                Err(e) => result.failed.push(failure(&self.r.name, n, &e)),
            }
        }
        // Earlier shifts are filled first (grace and "waited longest" depend on it).
        self.candidates
            .sort_by_key(|t| (t.times.expected_start, t.number));
        result
    }

    /// A step over existing tasks: each due task in its own transaction.
    async fn on_tasks(&mut self, step: Step) -> StepResult {
        let due: Vec<(TaskId, i64)> = self
            .candidates
            .iter()
            .filter(|t| due::is_due(step, &self.r.autopilot, t, self.now))
            .map(|t| (t.id, t.number))
            .collect();
        let mut result = StepResult::default();
        for (id, number) in due {
            match self.act(step, id).await {
                Ok(Some((text, task))) => {
                    result.done.push(text);
                    if let Some(c) = self.candidates.iter_mut().find(|c| c.id == task.id) {
                        *c = task;
                    }
                }
                Ok(None) => {}
                Err(Failed { task, error }) => {
                    if step == Step::FillSchedule {
                        self.report_fill_failure(task.as_ref(), &error).await;
                    }
                    result.failed.push(failure(&self.r.name, number, &error));
                }
            }
        }
        result
    }

    /// Does `step` for one task if it is still due, all in one transaction. `None`: nothing to do
    /// after all. On failure, the task as read (when it was) and the error; nothing was changed.
    async fn act(
        &self,
        step: Step,
        id: TaskId,
    ) -> std::result::Result<Option<(String, Task)>, Failed> {
        let mut tx = self
            .svc
            .db()
            .begin_write()
            .await
            .map_err(|e| Failed::before_reading(e.into()))?;
        let t = store::tasks::get(&mut tx, id)
            .await
            .map_err(|e| Failed::before_reading(e.into()))?;
        if !due::is_due(step, &self.r.autopilot, &t, self.now) {
            return Ok(None);
        }
        let done = match self.apply(&mut tx, step, &t).await {
            Ok(done) => done,
            Err(error) => return Err(Failed::on(t, error)),
        };
        if let Err(e) = tx.commit().await {
            return Err(Failed::on(t, StoreError::from(e).into()));
        }
        Ok(Some(done))
    }

    /// The step's work on a task: the report's words for it, and the task as it is now.
    async fn apply(&self, tx: &mut Conn, step: Step, t: &Task) -> Result<(String, Task)> {
        let r = self.r;
        let name = format::task_name(&r.name, t.number);
        let ops = TaskOps::new(self.by.clone(), self.now);
        match step {
            Step::RemindFinish | Step::RemindStart => {
                let finish = step == Step::RemindFinish;
                ops.remind(tx, r, t, finish).await?;
                let people = store::tasks::users(tx, t.id).await?;
                let mut reminded = t.clone();
                if finish {
                    reminded.reminded_finish = true;
                } else {
                    reminded.reminded_start = true;
                }
                Ok((format!("{name} ({})", names(tx, &people).await?), reminded))
            }
            // On time: a task is finished at its planned end and started at its planned start,
            // even when the tick comes a little later.
            Step::Finish => {
                let done = TaskOps::new(self.by.clone(), t.times.finish().min(self.now))
                    .transition(tx, r, t, TaskState::Finished, false)
                    .await?;
                Ok((name, done))
            }
            Step::Start => {
                let done = TaskOps::new(self.by.clone(), t.times.expected_start.min(self.now))
                    .transition(tx, r, t, TaskState::Started, false)
                    .await?;
                Ok((name, done))
            }
            Step::FillSchedule => {
                let people = ops.fill_and_schedule(tx, r, t).await?;
                let scheduled = Task {
                    state: TaskState::Scheduled,
                    ..t.clone()
                };
                Ok((format!("{name} ({})", names(tx, &people).await?), scheduled))
            }
            Step::Create => Err(ServiceError::invalid(
                "The create step does not act on existing tasks.",
            )),
        }
    }

    /// The owners hear about a task that can't be filled, once per reason; our own faults are only
    /// logged (the next tick tries again).
    async fn report_fill_failure(&self, task: Option<&Task>, e: &ServiceError) {
        let (Some(t), true) = (task, alert::owners_can_fix(e)) else {
            tracing::warn!(rotation = %self.r.name, error = %e, "autopilot could not fill a task");
            return;
        };
        // The lottery's remedies say `<rotation>`; the owners get commands they can copy.
        let reason = e.user_message(None).replace("<rotation>", &self.r.name);
        if let Err(err) = alert::tell_owners(self.svc, self.r, t, &reason, self.now).await {
            tracing::warn!(rotation = %self.r.name, task = t.number, error = %err,
                "could not tell the owners about a task the autopilot can't fill");
        }
    }
}

/// `ICE#3 (Couldn't fill the task: …)`: the first line of the error, for the report.
fn failure(rotation: &str, number: i64, e: &ServiceError) -> String {
    let msg = if e.is_internal() {
        // Our fault, not the owners': the details go to the log, the report says where to look.
        tracing::warn!(rotation, task = number, error = %e, "an autopilot step failed on our side");
        "something went wrong on our side; the bot's log has the details".to_string()
    } else {
        e.user_message(None)
    };
    let first = msg.lines().next().unwrap_or_default();
    format!("{} ({first})", format::task_name(rotation, number))
}

/// `@ann, @bob`, or `nobody on it`.
async fn names(conn: &mut Conn, ids: &[UserId]) -> Result<String> {
    if ids.is_empty() {
        return Ok("nobody on it".into());
    }
    let known = store::users::get_many(conn, ids).await?;
    Ok(ids
        .iter()
        .map(|id| match known.get(id) {
            Some(u) => format!("@{}", u.username),
            None => format!("user `{id}`"),
        })
        .collect::<Vec<_>>()
        .join(", "))
}
