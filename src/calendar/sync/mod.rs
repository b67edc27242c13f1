//! The calendar sync job: every `LOTTO_CALENDAR_INTERVAL`, for everyone with a connected calendar,
//! make their Mattermost status follow it and keep their out-of-office time in the lottery.
//!
//! One run:
//! 1. reads every connection and starts fetching every calendar at once ([`Fetcher::fetch_each`], on
//!    its own task); each person is handed over the moment their calendar is in, so a slow feed or
//!    a throttled Graph request holds up only its own people;
//! 2. for each batch of people whose calendars came in together: reads their current status
//!    (`POST /users/status/ids`) and custom status (`POST /users/ids`, profile props), decides per
//!    person with the pure [`rules`](crate::calendar::rules), writes only what must change in
//!    Mattermost, a bounded number of people at a time ([`writes`]), and records in a few
//!    transactions the memory of what really changed, the calendar unavailability, the notices and
//!    alerts (outbox), and the problems people are told once ([`record`]);
//! 3. tells the bot admins once about server-wide refusals (no permission to change statuses,
//!    custom statuses turned off).
//!
//! Runs never overlap within a process (a lock), and the background loop runs under the
//! single-runner lease `calendar` across processes ([`run_loop`]).

mod engine;
mod mapping;
mod messages;
mod preview;
mod record;
mod report;
mod writes;

pub use engine::{CalendarSync, SyncOptions};
pub use preview::{Preview, Release, fetch_one, preview, release};
pub use report::{Change, PersonReport, SyncReport};
pub use writes::{Applied, Part, WriteFailure};

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use futures_util::StreamExt;

use super::rules::{self, MattermostStatus, RuleInput, StatusKind};
use super::{CalendarView, FetchRequest, SourceError};
use crate::lottery::UserId;
use crate::mattermost::MattermostError;
use crate::store::calendar::Connected;
use crate::store::{self, StoreError};
use record::{Clock, Outcome, Recorded};

/// Why a whole run could not happen. One person's trouble never ends up here.
#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    #[error("the calendar connections could not be read or recorded: {0}")]
    Store(#[from] StoreError),
    #[error(
        "Mattermost's statuses could not be read, so nobody's status was touched this run: {0}"
    )]
    ReadStatuses(MattermostError),
    #[error(
        "Mattermost's profiles (for custom statuses) could not be read, so nobody's status was touched this run: {0}"
    )]
    ReadProfiles(MattermostError),
    #[error("the time {0} is too far in the future to read calendars at")]
    BadTime(DateTime<Utc>),
}

/// Alert keys for server-wide problems.
const ALERT_FORBIDDEN: &str = "status_forbidden";
const ALERT_CUSTOM_DISABLED: &str = "custom_status_disabled";

/// One full run as of `now`: see the module documentation.
async fn run(svc: &CalendarSync, now: DateTime<Utc>) -> Result<SyncReport, SyncError> {
    let cal = svc;
    let _one_at_a_time = cal.run_lock.lock().await;
    let mut report = SyncReport::new(now);
    let people = {
        let mut conn = svc.db().read().await?;
        store::calendar::all(&mut conn).await?
    };
    report.people = people.len();
    if people.is_empty() {
        return Ok(report);
    }
    let window = cal.window(now).ok_or(SyncError::BadTime(now))?;
    let requests: Vec<FetchRequest<UserId>> = people
        .iter()
        .map(|p| FetchRequest {
            key: p.connection.user_id.clone(),
            source: p.connection.source.clone(),
            tz: p.zone(),
        })
        .collect();
    let mut waiting: HashMap<UserId, Connected> = people
        .into_iter()
        .map(|p| (p.connection.user_id.clone(), p))
        .collect();

    // The fetch runs on its own task and hands each person over as soon as their calendar is in,
    // so writing for early people overlaps fetching the rest, and a slow source waits alone.
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let fetching = {
        let fetcher = cal.fetcher.clone();
        tokio::spawn(async move {
            let mut results = fetcher.fetch_each(requests, window);
            while let Some(result) = results.next().await {
                if tx.send(result).is_err() {
                    break;
                }
            }
        })
    };

    let mut run = Progress {
        gate: writes::Gate::default(),
        clock: Clock {
            now,
            real_now: Utc::now(),
        },
        counts: Recorded::default(),
        report,
    };
    let per_read = cal.options.people_per_read.max(1);
    while let Some(first) = rx.recv().await {
        let mut arrived = vec![first];
        while arrived.len() < per_read {
            match rx.try_recv() {
                Ok(result) => arrived.push(result),
                Err(_) => break,
            }
        }
        let batch: Vec<(Connected, Fetched)> = arrived
            .into_iter()
            .filter_map(|(id, result)| waiting.remove(&id).map(|p| (p, result)))
            .collect();
        run.batch(svc, cal, batch).await?;
    }
    if let Err(e) = fetching.await {
        tracing::error!(error = %e, "calendar fetch task failed");
    }
    // Only a failed fetch task leaves anyone waiting; they are tried again next run.
    for (user_id, person) in waiting {
        run.report.people_changed.push(PersonReport {
            user_id,
            username: person.username,
            changes: vec![Change::Skipped {
                reason: "the calendar fetch stopped before reaching them".into(),
            }],
        });
    }

    let mut tx = svc.db().begin_write().await?;
    alerts(svc, &mut tx, &run.gate, run.clock, &mut run.counts).await?;
    tx.commit().await.map_err(StoreError::from)?;

    let Progress {
        gate,
        counts,
        mut report,
        ..
    } = run;
    report.status_writes = gate.status_writes();
    report.custom_status_writes = gate.custom_status_writes();
    report.unavailability_changes = counts.unavailability_changes;
    report.messages = counts.messages;
    report
        .people_changed
        .sort_by(|a, b| a.username.cmp(&b.username));
    svc.wake_sender();
    tracing::info!(
        people = report.people,
        read = report.read,
        failed_sources = report.failed_sources,
        status_writes = report.status_writes,
        custom_status_writes = report.custom_status_writes,
        unavailability_changes = report.unavailability_changes,
        write_failures = report.write_failures,
        messages = report.messages,
        "calendar sync"
    );
    Ok(report)
}

type Fetched = Result<Vec<super::Block>, SourceError>;

/// What a run has done so far, across its batches.
struct Progress {
    gate: writes::Gate,
    clock: Clock,
    counts: Recorded,
    report: SyncReport,
}

impl Progress {
    /// People whose calendars just came in: read their Mattermost state, decide, write, record.
    async fn batch(
        &mut self,
        svc: &CalendarSync,
        cal: &CalendarSync,
        batch: Vec<(Connected, Fetched)>,
    ) -> Result<(), SyncError> {
        let now = self.clock.now;
        let readable: Vec<UserId> = batch
            .iter()
            .filter(|(_, fetched)| fetched.is_ok())
            .map(|(p, _)| p.connection.user_id.clone())
            .collect();
        let mm = svc.mattermost();
        let (statuses, profiles) = if readable.is_empty() {
            (Ok(Vec::new()), Ok(Vec::new()))
        } else {
            tokio::join!(
                mm.get_statuses_by_ids(&readable),
                mm.get_users_by_ids(&readable)
            )
        };
        let statuses: HashMap<UserId, MattermostStatus> = statuses
            .map_err(SyncError::ReadStatuses)?
            .iter()
            .map(|s| (s.user_id.clone(), mapping::status(s)))
            .collect();
        let profiles: HashMap<UserId, crate::mattermost::User> = profiles
            .map_err(SyncError::ReadProfiles)?
            .into_iter()
            .map(|u| (u.id.clone(), u))
            .collect();

        let mut outcomes = Vec::with_capacity(batch.len());
        let mut decided = Vec::new();
        let mut read_ok = Vec::new();
        for (person, fetched) in batch {
            let id = person.connection.user_id.clone();
            let blocks = match fetched {
                Ok(blocks) => blocks,
                Err(error) => {
                    outcomes.push(Outcome::SourceFailed { person, error });
                    continue;
                }
            };
            let Some(profile) = profiles.get(&id).filter(|u| !u.is_deactivated()) else {
                self.report.people_changed.push(PersonReport {
                    user_id: id,
                    username: person.username.clone(),
                    changes: vec![Change::Skipped {
                        reason: "Mattermost has no active account for them".into(),
                    }],
                });
                continue;
            };
            read_ok.push(id.clone());
            let decision = rules::decide(&RuleInput {
                now,
                settings: person.connection.settings.clone(),
                // The server reports everyone; someone missing reads as offline, left alone.
                status: statuses
                    .get(&id)
                    .copied()
                    .unwrap_or(MattermostStatus::new(StatusKind::Offline, false)),
                custom_status: mapping::custom_status(profile),
                memory: person.connection.memory.clone(),
                view: CalendarView::at(&blocks, now),
                // The profile just read beats the cached one for the notice's times.
                tz: profile.time_zone().unwrap_or_else(|| person.zone()),
            });
            decided.push((person, decision));
        }
        self.report.read += read_ok.len();
        self.report.failed_sources += outcomes.len();

        let gate = &self.gate;
        let written: Vec<Outcome> = futures_util::stream::iter(decided)
            .map(|(person, decision)| async move {
                let applied = if decision.status.is_some() || decision.custom_status.is_some() {
                    writes::apply(mm, &person.connection.user_id, &decision, gate).await
                } else {
                    Applied::NOTHING
                };
                Outcome::Decided {
                    person,
                    decision: Box::new(decision),
                    applied: Box::new(applied),
                }
            })
            .buffer_unordered(cal.options.write_concurrency.max(1))
            .collect()
            .await;
        outcomes.extend(written);

        for chunk in outcomes.chunks(cal.options.people_per_transaction.max(1)) {
            let mut tx = svc.db().begin_write().await?;
            for outcome in chunk {
                if let Some(person) =
                    record::record(&mut tx, outcome, self.clock, &mut self.counts).await?
                {
                    self.report.write_failures += person
                        .changes
                        .iter()
                        .filter(|c| matches!(c, Change::WriteFailed { .. }))
                        .count();
                    self.report.people_changed.push(person);
                }
            }
            tx.commit().await.map_err(StoreError::from)?;
        }
        let mut conn = svc.db().read().await?;
        store::calendar::mark_synced(&mut conn, &read_ok, now).await?;
        Ok(())
    }
}

/// Server-wide problems go to the bot admins once; a run where the same kind of write went through
/// again clears the alert, so a relapse is told anew.
async fn alerts(
    svc: &CalendarSync,
    conn: &mut store::Conn,
    gate: &writes::Gate,
    clock: Clock,
    counts: &mut Recorded,
) -> Result<(), StoreError> {
    let admins = svc.admins();
    let bot = svc.bot_id();
    match gate.forbidden() {
        Some(error) => {
            record::alert_admins(conn, ALERT_FORBIDDEN, &error, admins, bot, clock, counts).await?
        }
        None if gate.status_writes() > 0 => {
            store::calendar::clear_alert(conn, ALERT_FORBIDDEN).await?
        }
        None => {}
    }
    match gate.custom_disabled() {
        Some(error) => {
            record::alert_admins(
                conn,
                ALERT_CUSTOM_DISABLED,
                &error,
                admins,
                bot,
                clock,
                counts,
            )
            .await?
        }
        None if gate.custom_status_writes() > 0 => {
            store::calendar::clear_alert(conn, ALERT_CUSTOM_DISABLED).await?
        }
        None => {}
    }
    Ok(())
}
