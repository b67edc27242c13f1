use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::lottery::{RotationId, TaskState, TaskType};
use crate::service::format;
use crate::service::{AutopilotReport, Result, Service, ServiceError, TaskOps, messages};
use crate::store::outbox::{self, NewMessage};
use crate::store::rotations::Rotation;
use crate::store::tasks::Task;
use crate::store::{self};

/// Most shifts one run creates for a rotation (guards against a huge create-ahead setting).
const MAX_CREATE_PER_RUN: usize = 200;

/// What a background tick did across rotations.
#[derive(Debug, Default, Clone, Serialize)]
pub struct TickReport {
    pub rotations: usize,
    pub failed_rotations: usize,
}

/// Runs every rotation whose autopilot is on, as of `now`. A failing rotation is logged and skipped.
pub async fn tick(svc: &Service, now: DateTime<Utc>) -> Result<TickReport> {
    let rotations = {
        let mut conn = svc
            .pool()
            .acquire()
            .await
            .map_err(store::StoreError::from)?;
        store::rotations::list_autopilot(&mut conn).await?
    };
    let mut report = TickReport::default();
    for r in rotations {
        report.rotations += 1;
        if let Err(e) = run(svc, &r, "The autopilot", now).await {
            report.failed_rotations += 1;
            tracing::warn!(rotation = %r.name, error = %e, "autopilot run failed");
        }
    }
    svc.wake_sender();
    Ok(report)
}

/// Runs the autopilot for one rotation now (the `rotation autopilot` command).
pub async fn run_rotation(
    svc: &Service,
    id: RotationId,
    actor: &str,
    now: DateTime<Utc>,
) -> Result<AutopilotReport> {
    let r = {
        let mut conn = svc
            .pool()
            .acquire()
            .await
            .map_err(store::StoreError::from)?;
        store::rotations::get(&mut conn, id).await?
    };
    let report = run(svc, &r, actor, now).await?;
    svc.wake_sender();
    Ok(report)
}

async fn run(
    svc: &Service,
    r: &Rotation,
    actor: &str,
    now: DateTime<Utc>,
) -> Result<AutopilotReport> {
    let a = r.autopilot;
    let mut report = AutopilotReport::default();

    // 1. Remind people their task ends soon.
    report.lines.push((
        "finish reminder".to_string(),
        if a.remind_finish {
            let due: Vec<Task> = open(svc, r)
                .await?
                .into_iter()
                .filter(|t| {
                    t.state == TaskState::Started
                        && !t.reminded_finish
                        && now >= t.times.finish() - a.remind_finish_prior
                        && now < t.times.finish()
                })
                .collect();
            let mut people = 0;
            let mut errors = Vec::new();
            for t in &due {
                match {
                    let mut tx = begin(svc).await?;
                    let tx_ref = &mut tx;
                    let result =
                        async { TaskOps::new(actor, now).remind(tx_ref, r, t, true).await }.await;
                    finish(tx, result).await
                } {
                    Ok(n) => people += n,
                    Err(e) => errors.push(err_line(r, t, &e)),
                }
            }
            summary(
                due.len() - errors.len(),
                &format!(
                    "reminded {people} {} of {} ending",
                    plural(people, "person", "people"),
                    tasks(due.len() - errors.len())
                ),
                &errors,
            )
        } else {
            "not configured".into()
        },
    ));

    // 2. Finish started tasks whose time is up (on time: at their planned end).
    report.lines.push((
        "finish".to_string(),
        if a.start_finish {
            let due: Vec<Task> = open(svc, r)
                .await?
                .into_iter()
                .filter(|t| t.state == TaskState::Started && t.times.finish() <= now)
                .collect();
            let mut done = Vec::new();
            let mut errors = Vec::new();
            for t in &due {
                let at = t.times.finish().min(now);
                match {
                    let mut tx = begin(svc).await?;
                    let tx_ref = &mut tx;
                    let result = async {
                        TaskOps::new(actor, at)
                            .transition(tx_ref, r, t, TaskState::Finished, false)
                            .await
                    }
                    .await;
                    finish(tx, result).await
                } {
                    Ok(_) => done.push(crate::service::format::task_name(&r.name, t.number)),
                    Err(e) => errors.push(err_line(r, t, &e)),
                }
            }
            summary(
                done.len(),
                &format!("finished {}", done.join(", ")),
                &errors,
            )
        } else {
            "not configured".into()
        },
    ));

    // 3. Create shifts up to `create_prior` ahead.
    report.lines.push((
        "create shifts".to_string(),
        if !a.create {
            "not configured".into()
        } else if r.task_type == TaskType::Ticket {
            "tickets are created on request, not by the autopilot".into()
        } else {
            let mut created = Vec::new();
            let mut errors = Vec::new();
            let mut n = r
                .period
                .shift_number_at(r.beginning, r.tz, now)
                .unwrap_or(0);
            let horizon = now + a.create_prior;
            loop {
                let Ok(start) = r.period.try_shift_start(r.beginning, r.tz, n) else {
                    break;
                };
                if start >= horizon || created.len() + errors.len() >= MAX_CREATE_PER_RUN {
                    break;
                }
                let exists = {
                    let mut conn = svc
                        .pool()
                        .acquire()
                        .await
                        .map_err(store::StoreError::from)?;
                    store::tasks::by_number(&mut conn, r.id, n).await?.is_some()
                };
                if !exists {
                    match {
                        let mut tx = begin(svc).await?;
                        let tx_ref = &mut tx;
                        let result =
                            async { TaskOps::new(actor, now).create_shift(tx_ref, r, n).await }
                                .await;
                        finish(tx, result).await
                    } {
                        Ok(t) => created.push(crate::service::format::task_name(&r.name, t.number)),
                        Err(e) => errors.push(format!("{}#{n}: {}", r.name, e.user_message())),
                    }
                }
                n += 1;
            }
            summary(
                created.len(),
                &format!("created {}", created.join(", ")),
                &errors,
            )
        },
    ));

    // 4. Fill and schedule pending tasks that are due.
    report.lines.push((
        "fill and schedule".to_string(),
        if a.schedule {
            let due: Vec<Task> = open(svc, r)
                .await?
                .into_iter()
                .filter(|t| {
                    t.state == TaskState::Pending
                        && now >= t.times.expected_start - a.schedule_prior
                })
                .collect();
            let mut done = Vec::new();
            let mut errors = Vec::new();
            for t in &due {
                let mut tx = begin(svc).await?;
                let attempt = async {
                    let ops = TaskOps::new(actor, now);
                    let picked = ops.fill(&mut tx, r, t).await?;
                    let names = names(&mut tx, &picked).await?;
                    ops.transition(&mut tx, r, t, TaskState::Scheduled, false)
                        .await?;
                    Ok(names)
                }
                .await;
                let result = finish(tx, attempt).await;
                match result {
                    Ok(names) => done.push(format!(
                        "{} ({})",
                        format::task_name(&r.name, t.number),
                        if names.is_empty() {
                            "already staffed".into()
                        } else {
                            names.join(", ")
                        }
                    )),
                    Err(e) => {
                        alert_owners(svc, r, t, &e, now).await?;
                        errors.push(err_line(r, t, &e));
                    }
                }
            }
            summary(
                done.len(),
                &format!("scheduled {}", done.join(", ")),
                &errors,
            )
        } else {
            "not configured".into()
        },
    ));

    // 5. Remind people their task starts soon.
    report.lines.push((
        "start reminder".to_string(),
        if a.remind_start {
            let due: Vec<Task> = open(svc, r)
                .await?
                .into_iter()
                .filter(|t| {
                    t.state == TaskState::Scheduled
                        && !t.reminded_start
                        && now >= t.times.expected_start - a.remind_start_prior
                        && now < t.times.expected_start
                })
                .collect();
            let mut people = 0;
            let mut errors = Vec::new();
            for t in &due {
                match {
                    let mut tx = begin(svc).await?;
                    let tx_ref = &mut tx;
                    let result =
                        async { TaskOps::new(actor, now).remind(tx_ref, r, t, false).await }.await;
                    finish(tx, result).await
                } {
                    Ok(n) => people += n,
                    Err(e) => errors.push(err_line(r, t, &e)),
                }
            }
            summary(
                due.len() - errors.len(),
                &format!(
                    "reminded {people} {} of {} starting",
                    plural(people, "person", "people"),
                    tasks(due.len() - errors.len())
                ),
                &errors,
            )
        } else {
            "not configured".into()
        },
    ));

    // 6. Start scheduled tasks whose time has come (on time: at their planned start).
    report.lines.push((
        "start".to_string(),
        if a.start_finish {
            let due: Vec<Task> = open(svc, r)
                .await?
                .into_iter()
                .filter(|t| t.state == TaskState::Scheduled && t.times.expected_start <= now)
                .collect();
            let mut done = Vec::new();
            let mut errors = Vec::new();
            for t in &due {
                let at = t.times.expected_start;
                match {
                    let mut tx = begin(svc).await?;
                    let tx_ref = &mut tx;
                    let result = async {
                        TaskOps::new(actor, at)
                            .transition(tx_ref, r, t, TaskState::Started, false)
                            .await
                    }
                    .await;
                    finish(tx, result).await
                } {
                    Ok(_) => done.push(format::task_name(&r.name, t.number)),
                    Err(e) => errors.push(err_line(r, t, &e)),
                }
            }
            summary(done.len(), &format!("started {}", done.join(", ")), &errors)
        } else {
            "not configured".into()
        },
    ));

    Ok(report)
}

type Tx = sqlx::Transaction<'static, sqlx::Sqlite>;

/// Each task's work runs in its own transaction: it all happens, or none of it.
async fn begin(svc: &Service) -> Result<Tx> {
    Ok(store::begin_write(svc.pool()).await?)
}

/// Commits on success; on failure the transaction is dropped, which rolls it back.
async fn finish<T>(tx: Tx, result: Result<T>) -> Result<T> {
    let value = result?;
    tx.commit().await.map_err(store::StoreError::from)?;
    Ok(value)
}

async fn open(svc: &Service, r: &Rotation) -> Result<Vec<Task>> {
    let mut conn = svc
        .pool()
        .acquire()
        .await
        .map_err(store::StoreError::from)?;
    Ok(store::tasks::of_rotation(&mut conn, r.id, false).await?)
}

async fn names(conn: &mut store::Conn, ids: &[crate::lottery::UserId]) -> Result<Vec<String>> {
    let mut out = Vec::new();
    for id in ids {
        out.push(
            store::users::username(conn, id)
                .await?
                .map(|n| format!("@{n}"))
                .unwrap_or_else(|| id.to_string()),
        );
    }
    Ok(out)
}

fn summary(done: usize, what: &str, errors: &[String]) -> String {
    match (done, errors.is_empty()) {
        (0, true) => "nothing to do".into(),
        (_, true) => what.to_string(),
        (0, false) => format!("failed: {}", errors.join("; ")),
        (_, false) => format!("{what}; failed: {}", errors.join("; ")),
    }
}

fn err_line(r: &Rotation, t: &Task, e: &ServiceError) -> String {
    let msg = e.user_message();
    let first = msg.lines().next().unwrap_or_default();
    format!("{} ({first})", format::task_name(&r.name, t.number))
}

fn tasks(n: usize) -> String {
    format!("{n} {}", plural(n, "task", "tasks"))
}

fn plural<'a>(n: usize, one: &'a str, many: &'a str) -> &'a str {
    if n == 1 { one } else { many }
}

/// Tells the rotation's owners that a task can't be filled — once per reason.
async fn alert_owners(
    svc: &Service,
    r: &Rotation,
    t: &Task,
    e: &ServiceError,
    now: DateTime<Utc>,
) -> Result<()> {
    let reason = e.user_message();
    let mut tx = store::begin_write(svc.pool()).await?;
    if !store::tasks::alert_is_new(&mut tx, t.id, &reason).await? {
        return Ok(());
    }
    store::tasks::record_alert(&mut tx, t.id, &reason, now).await?;
    let owners = store::rotations::owner_ids(&mut tx, r.id).await?;
    let profiles = store::users::get_many(&mut tx, &owners).await?;
    let digest = {
        use std::hash::{Hash, Hasher};
        let mut h = std::collections::hash_map::DefaultHasher::new();
        reason.hash(&mut h);
        h.finish()
    };
    for owner in &owners {
        let tz = profiles
            .get(owner)
            .map(|p| p.zone())
            .unwrap_or(chrono_tz::Tz::UTC);
        #[derive(Serialize)]
        struct C {
            task: String,
            rotation: String,
            start: String,
            zone: String,
            starts_in: String,
            reason: String,
        }
        let message = messages::render(
            "fill_failed",
            &C {
                task: format::task_name(&r.name, t.number),
                rotation: r.name.clone(),
                start: format::time(t.times.expected_start, tz),
                zone: tz.name().to_string(),
                starts_in: format::relative(t.times.expected_start, now),
                reason: reason.clone(),
            },
        );
        outbox::enqueue(
            &mut tx,
            &NewMessage {
                key: format!("alert:{}:{digest:x}:{}:{owner}", t.id, now.timestamp()),
                user_id: owner.clone(),
                kind: "fill_failed",
                message,
                rotation_id: Some(r.id),
            },
            now,
        )
        .await?;
    }
    tx.commit().await.map_err(store::StoreError::from)?;
    Ok(())
}
