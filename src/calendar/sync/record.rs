//! The database half of a run, after the Mattermost writes: per person, the memory of what really
//! changed, the calendar unavailability, the notice (naming only the changes that happened), the
//! problem they are told about once, and the rotation owners' alerts. One transaction per chunk of
//! people, so ten thousand people are a few dozen commits, not ten thousand.

use chrono::{DateTime, Utc};

use super::messages;
use super::report::{Change, PersonReport};
use super::writes::{Applied, Part, WriteFailure};
use crate::calendar::SourceError;
use crate::calendar::model::Span;
use crate::calendar::rules::{Decision, Notice, NoticeChange, UnavailabilityChange};
use crate::lottery::{
    HistoryActor, HistoryEntry, HistoryEvent, Interval, Person, TaskState, UserId,
};
use crate::notify::{self, Queued};
use crate::store::calendar::{Connected, Problem, ProblemKind};
use crate::store::unavailability::{self, Stored};
use crate::store::{self, Conn, StoreError};

/// What happened to one person in this run.
pub enum Outcome {
    SourceFailed {
        person: Connected,
        error: SourceError,
    },
    Decided {
        person: Connected,
        decision: Box<Decision>,
        applied: Box<Applied>,
    },
}

/// Counts for the run's report.
#[derive(Debug, Default)]
pub struct Recorded {
    pub unavailability_changes: usize,
    pub messages: usize,
}

/// Times a record needs: the run's (`--now` or real) and the real one for queued DMs, so a run "as
/// if" at another time still delivers its messages now.
#[derive(Debug, Clone, Copy)]
pub struct Clock {
    pub now: DateTime<Utc>,
    pub real_now: DateTime<Utc>,
}

pub async fn record(
    conn: &mut Conn,
    outcome: &Outcome,
    clock: Clock,
    counts: &mut Recorded,
) -> Result<Option<PersonReport>, StoreError> {
    match outcome {
        Outcome::SourceFailed { person, error } => {
            let message = error.to_string();
            let told = person
                .connection
                .problem
                .as_ref()
                .is_some_and(|p| p.kind == ProblemKind::Source);
            if !told {
                tell_problem(conn, person, ProblemKind::Source, &message, clock, counts).await?;
            }
            Ok(Some(report(
                person,
                vec![Change::SourceFailed { error: message }],
            )))
        }
        Outcome::Decided {
            person,
            decision,
            applied,
        } => record_decided(conn, person, decision, applied, clock, counts).await,
    }
}

async fn record_decided(
    conn: &mut Conn,
    person: &Connected,
    decision: &Decision,
    applied: &Applied,
    clock: Clock,
    counts: &mut Recorded,
) -> Result<Option<PersonReport>, StoreError> {
    let user = &person.connection.user_id;
    let old = &person.connection.memory;
    let mut memory = old.clone();
    if applied.status.succeeded() {
        memory.status = decision.memory.status.clone();
    }
    if applied.custom_status.succeeded() {
        memory.custom_status = decision.memory.custom_status.clone();
    }
    // The unavailability is a database write in this very transaction.
    memory.unavailability = decision.memory.unavailability;
    if memory != *old {
        store::calendar::save_memory(conn, user, &memory).await?;
    }

    let mut changes = Vec::new();
    if let Some(change) = decision.unavailability {
        apply_unavailability(conn, user, change, clock.now).await?;
        counts.unavailability_changes += 1;
        changes.push(Change::Unavailability {
            unavailability: change,
        });
    }
    if let Some(away) = memory.unavailability {
        alert_owners(conn, person, away, clock, counts).await?;
    }
    for (what, part, change) in [
        (
            "status",
            &applied.status,
            decision.status.map(|status| Change::Status { status }),
        ),
        (
            "custom status",
            &applied.custom_status,
            decision
                .custom_status
                .clone()
                .map(|custom_status| Change::CustomStatus { custom_status }),
        ),
    ] {
        match part {
            Part::Unchanged => {}
            Part::Written => changes.extend(change),
            Part::Failed(failure) => changes.push(Change::WriteFailed {
                what,
                error: failure.describe(),
            }),
        }
    }

    if let Some(notice) = &decision.notice
        && let Some(done) = only_done(notice, applied)
    {
        let message = Queued {
            to: user.clone(),
            rotation_id: None,
            message: messages::notice(&done, clock.now),
        };
        queue(conn, message, clock, counts).await?;
    }

    update_problem(conn, person, applied, clock, counts).await?;
    Ok((!changes.is_empty()).then(|| report(person, changes)))
}

/// The notice without the changes whose writes failed; `None` when nothing of it happened.
fn only_done(notice: &Notice, applied: &Applied) -> Option<Notice> {
    let changes: Vec<NoticeChange> = notice
        .changes
        .iter()
        .filter(|c| match c {
            NoticeChange::StatusSet { .. }
            | NoticeChange::StatusEndMoved { .. }
            | NoticeChange::StatusRestored { .. } => applied.status.succeeded(),
            NoticeChange::CustomStatusSet { .. } | NoticeChange::CustomStatusCleared { .. } => {
                applied.custom_status.succeeded()
            }
            NoticeChange::Unavailable { .. } | NoticeChange::UnavailabilityRemoved { .. } => true,
        })
        .cloned()
        .collect();
    (!changes.is_empty()).then(|| Notice {
        changes,
        ..notice.clone()
    })
}

/// A readable calendar clears a source problem; a refused write is told once; a write that went
/// through clears the refusal.
async fn update_problem(
    conn: &mut Conn,
    person: &Connected,
    applied: &Applied,
    clock: Clock,
    counts: &mut Recorded,
) -> Result<(), StoreError> {
    let forbidden = [&applied.status, &applied.custom_status]
        .into_iter()
        .find_map(|part| match part {
            Part::Failed(WriteFailure::Forbidden(e)) => Some(e.to_string()),
            _ => None,
        });
    let current = person.connection.problem.as_ref().map(|p| p.kind);
    match (current, forbidden) {
        (Some(ProblemKind::Forbidden), Some(_)) => Ok(()),
        (_, Some(error)) => {
            tell_problem(conn, person, ProblemKind::Forbidden, &error, clock, counts).await
        }
        (Some(ProblemKind::Source), None) => {
            store::calendar::set_problem(conn, &person.connection.user_id, None).await
        }
        (Some(ProblemKind::Forbidden), None)
            if matches!(applied.status, Part::Written)
                || matches!(applied.custom_status, Part::Written) =>
        {
            store::calendar::set_problem(conn, &person.connection.user_id, None).await
        }
        _ => Ok(()),
    }
}

async fn tell_problem(
    conn: &mut Conn,
    person: &Connected,
    kind: ProblemKind,
    error: &str,
    clock: Clock,
    counts: &mut Recorded,
) -> Result<(), StoreError> {
    let user = &person.connection.user_id;
    let message = match kind {
        ProblemKind::Source => messages::source_failed(error, clock.now),
        ProblemKind::Forbidden => messages::forbidden(error, clock.now),
    };
    store::calendar::set_problem(
        conn,
        user,
        Some(&Problem {
            kind,
            message: error.to_string(),
            since: clock.now,
        }),
    )
    .await?;
    let message = Queued {
        to: user.clone(),
        rotation_id: None,
        message,
    };
    queue(conn, message, clock, counts).await
}

async fn apply_unavailability(
    conn: &mut Conn,
    user: &UserId,
    change: UnavailabilityChange,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    let mut changed = Vec::new();
    match change {
        UnavailabilityChange::Upsert { span, replaces } => {
            if let Some(old) = replaces
                && unavailability::remove_exact(conn, user, Stored::Calendar, interval(old)).await?
                    > 0
            {
                changed.push((interval(old), false));
            }
            if unavailability::add_once(conn, user, Stored::Calendar, interval(span), now).await? {
                changed.push((interval(span), true));
            }
        }
        UnavailabilityChange::Remove { span } => {
            if unavailability::remove_exact(conn, user, Stored::Calendar, interval(span)).await? > 0
            {
                changed.push((interval(span), false));
            }
        }
    }
    record_time_off(conn, user, &changed, now).await
}

/// Time off the calendar gave or took back, in the history of every rotation the person is a
/// member of (the sync is a background job: its actor is `autopilot`).
async fn record_time_off(
    conn: &mut Conn,
    user: &UserId,
    changed: &[(Interval, bool)],
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    if changed.is_empty() {
        return Ok(());
    }
    let username = store::users::username(conn, user)
        .await?
        .unwrap_or_default();
    for (rotation, _) in store::members::memberships(conn, user).await? {
        for (span, added) in changed {
            let entry = HistoryEntry {
                rotation: Some(rotation),
                task: None,
                at: now,
                actor: HistoryActor::Autopilot,
                event: HistoryEvent::TimeOff {
                    person: Person::new(user.clone(), &username),
                    start: span.start,
                    finish: span.finish,
                    added: *added,
                    from_calendar: true,
                },
            };
            store::history::record(conn, &entry).await?;
        }
    }
    Ok(())
}

pub fn interval(span: Span) -> Interval {
    Interval {
        start: span.start(),
        finish: span.end(),
    }
}

/// Tells the owners of every rotation where `person` is on a scheduled or started task overlapping
/// their out-of-office time. Checked every run (a task may be assigned after the time off was
/// recorded); the outbox key makes it once per task, person and stretch of time off.
async fn alert_owners(
    conn: &mut Conn,
    person: &Connected,
    away: Span,
    clock: Clock,
    counts: &mut Recorded,
) -> Result<(), StoreError> {
    let user = &person.connection.user_id;
    let from = away.start().max(clock.now);
    for (rotation, task) in store::tasks::open_tasks_of_user(conn, user).await? {
        let (start, finish) = task.times.span();
        let relevant = matches!(task.state, TaskState::Scheduled | TaskState::Started)
            && start < away.end()
            && finish > from;
        if !relevant {
            continue;
        }
        for owner in store::members::owner_ids(conn, task.rotation_id).await? {
            if &owner == user {
                continue;
            }
            let tz = store::users::get(conn, &owner)
                .await?
                .map(|u| u.zone())
                .unwrap_or(chrono_tz::Tz::UTC);
            let message = messages::owner_oof(&messages::OwnerOof {
                user_id: user,
                username: &person.username,
                rotation: &rotation,
                task: &task,
                away,
                tz,
            });
            let message = Queued {
                to: owner,
                rotation_id: Some(task.rotation_id),
                message,
            };
            queue(conn, message, clock, counts).await?;
        }
    }
    Ok(())
}

async fn queue(
    conn: &mut Conn,
    message: Queued,
    clock: Clock,
    counts: &mut Recorded,
) -> Result<(), StoreError> {
    if notify::queue(conn, &message, clock.real_now).await? {
        counts.messages += 1;
    }
    Ok(())
}

fn report(person: &Connected, changes: Vec<Change>) -> PersonReport {
    PersonReport {
        user_id: person.connection.user_id.clone(),
        username: person.username.clone(),
        changes,
    }
}

/// Queues a server-wide alert for every bot admin, unless they were already told.
pub async fn alert_admins(
    conn: &mut Conn,
    kind: &str,
    error: &str,
    admins: &[String],
    bot_id: &UserId,
    clock: Clock,
    counts: &mut Recorded,
) -> Result<(), StoreError> {
    if !store::calendar::raise_alert(conn, kind, error, clock.now).await? {
        tracing::warn!(
            kind,
            error,
            "calendar sync still needs an admin (already told)"
        );
        return Ok(());
    }
    tracing::error!(
        kind,
        error,
        "calendar sync needs an admin; telling the bot admins"
    );
    let message = messages::admin_alert(kind, error, bot_id.as_str(), clock.now);
    let recipients = store::calendar::bot_admins(conn, admins).await?;
    if recipients.is_empty() {
        tracing::warn!(
            kind,
            "no bot admin is known to the bot yet, so nobody was told by DM"
        );
    }
    for admin in recipients {
        let message = Queued {
            to: admin,
            rotation_id: None,
            message: message.clone(),
        };
        queue(conn, message, clock, counts).await?;
    }
    Ok(())
}
