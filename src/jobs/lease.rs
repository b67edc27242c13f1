//! A job's loop and its single-runner lease.
//!
//! Of several bot processes on one database, only the holder of the job's lease row ticks. The
//! holder renews the lease three times per interval, also while a long tick runs, so a slow tick never
//! lets it lapse; if a renewal finds the lease taken (this process stalled past its expiry), the tick
//! in flight is stopped at once. A job's work must be safe to stop mid-tick (each of its transactions
//! self-contained, every item re-checked inside its own), so stopping loses nothing and repeats
//! nothing.
//!
//! A process that does not hold the lease tries to take it four times per interval. The lease lasts one
//! interval past its last renewal, so when the holder dies another process takes over within 1¼
//! intervals, and at once when the holder shuts down cleanly (it releases the lease).

use std::sync::Arc;
use std::time::Duration;

use chrono::{TimeDelta, Utc};
use tokio::time::Instant;

use super::runs::{Outcome, RunRecord};
use super::{Job, Runner};
use crate::store::{self, StoreError};

/// How long a lease lasts and how often it is renewed or sought, for a tick interval.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LeaseTiming {
    pub every: Duration,
    pub ttl: Duration,
    pub renew_every: Duration,
    pub poll_every: Duration,
}

impl LeaseTiming {
    pub fn for_interval(every: Duration) -> Self {
        let every = every.max(Duration::from_millis(100));
        LeaseTiming {
            every,
            ttl: every,
            renew_every: every / 3,
            poll_every: every / 4,
        }
    }

    /// The longest a dead holder keeps the others waiting: its lease running out, plus one poll.
    pub fn worst_takeover(&self) -> Duration {
        self.ttl + self.poll_every
    }

    pub(super) fn ttl_delta(&self) -> TimeDelta {
        TimeDelta::from_std(self.ttl).unwrap_or(TimeDelta::minutes(1))
    }
}

/// Every `timing.every`, if this process holds (or can take) the lease, run a tick as of the real
/// clock. Returns at shutdown, releasing the lease.
pub(super) async fn run_loop(job: Arc<dyn Job>, timing: LeaseTiming, mut runner: Runner) {
    let name = job.name();
    let instance = runner.instance.clone();
    let mut held = false;
    let mut next_tick = Instant::now();
    loop {
        if *runner.shutdown.borrow() {
            break;
        }
        match acquire(&runner, name, timing).await {
            Ok(true) => {
                if !held {
                    tracing::info!(job = name, %instance, "took the lease");
                    // A new holder ticks at once: the previous one may have died before its tick.
                    next_tick = Instant::now();
                }
                held = true;
            }
            Ok(false) => {
                if held {
                    tracing::warn!(job = name, %instance, "lost the lease to another process");
                }
                held = false;
            }
            Err(e) => {
                // Unsure whether the lease is still ours: don't tick on it.
                tracing::warn!(job = name, error = %e, "could not check the lease");
                held = false;
            }
        }
        if held && Instant::now() >= next_tick {
            held = tick_holding_lease(&job, timing, &mut runner).await;
            // Keep the rhythm, but never run ticks back to back to catch up.
            next_tick = (next_tick + timing.every).max(Instant::now());
        }
        let wait = if held {
            timing
                .renew_every
                .min(next_tick.saturating_duration_since(Instant::now()))
        } else {
            timing.poll_every
        };
        tokio::select! {
            _ = tokio::time::sleep(wait) => {}
            _ = runner.shutdown.changed() => {}
        }
    }
    if held && let Err(e) = release(&runner, name).await {
        tracing::warn!(job = name, error = %e, "could not release the lease");
    }
}

/// Runs one tick while renewing the lease, and records it. Returns whether the lease is still held
/// afterwards; a tick is stopped (its open transaction rolled back) when the lease is lost or can't
/// be confirmed in time, or when the process shuts down.
async fn tick_holding_lease(job: &Arc<dyn Job>, timing: LeaseTiming, runner: &mut Runner) -> bool {
    let name = job.name();
    let started = Instant::now();
    let started_at = Utc::now();
    let runs = runner.runs.clone();
    let record = |outcome: Outcome, detail: String| {
        let duration = started.elapsed();
        crate::metrics::job_run(name, outcome.as_str(), duration);
        runs.record(
            name,
            RunRecord {
                started_at,
                duration,
                outcome,
                detail,
            },
        )
    };
    let instance = runner.instance.clone();
    tracing::debug!(job = name, %instance, "tick starts");
    // Its own task, so that a panic in a tick does not end the loop.
    let j = job.clone();
    let mut tick = tokio::spawn(async move { j.tick(started_at).await });
    let mut renew = tokio::time::interval_at(started + timing.renew_every, timing.renew_every);
    let mut confirmed = started;
    loop {
        tokio::select! {
            result = &mut tick => {
                match result {
                    Ok(Ok(summary)) => {
                        tracing::debug!(job = name, %instance, %summary, elapsed = ?started.elapsed(), "tick done");
                        record(Outcome::Ok, summary);
                    }
                    Ok(Err(e)) => {
                        tracing::warn!(job = name, %instance, error = %e, "tick failed");
                        record(Outcome::Failed, e.to_string());
                    }
                    Err(e) => {
                        tracing::error!(job = name, %instance, error = %e, "tick panicked");
                        record(Outcome::Panicked, e.to_string());
                    }
                }
                return true;
            }
            _ = renew.tick() => {
                match acquire(runner, name, timing).await {
                    Ok(true) => confirmed = Instant::now(),
                    Ok(false) => {
                        stop(tick, name, &instance, "another process took the lease").await;
                        record(Outcome::Stopped, "another process took the lease".into());
                        return false;
                    }
                    Err(e) => {
                        tracing::warn!(job = name, error = %e, "could not renew the lease during a tick");
                        if confirmed.elapsed() + timing.renew_every >= timing.ttl {
                            stop(tick, name, &instance, "the lease may lapse").await;
                            record(Outcome::Stopped, "the lease could not be renewed".into());
                            return false;
                        }
                    }
                }
            }
            _ = runner.shutdown.changed() => {
                stop(tick, name, &instance, "shutting down").await;
                record(Outcome::Stopped, "shutting down".into());
                return true;
            }
        }
    }
}

/// Cancels a tick and waits until it is gone (its open transaction rolled back), so nothing of it
/// runs on once the lease is given up.
async fn stop<T>(tick: tokio::task::JoinHandle<T>, job: &str, instance: &str, why: &str) {
    tick.abort();
    let _ = tick.await;
    tracing::warn!(job, %instance, why, "tick stopped");
}

async fn release(runner: &Runner, name: &str) -> Result<(), StoreError> {
    let mut conn = runner.db.read().await?;
    store::leases::release(&mut conn, name, &runner.instance).await
}

async fn acquire(runner: &Runner, name: &str, timing: LeaseTiming) -> Result<bool, StoreError> {
    let mut conn = runner.db.read().await?;
    store::leases::acquire(
        &mut conn,
        name,
        &runner.instance,
        Utc::now(),
        timing.ttl_delta(),
    )
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_dead_holder_is_replaced_within_two_intervals_and_a_live_one_keeps_its_lease() {
        for secs in [1, 60, 3600] {
            let t = LeaseTiming::for_interval(Duration::from_secs(secs));
            assert!(t.worst_takeover() <= t.every * 2, "{t:?}");
            // At least two renewals fit in a lease, so one slow renewal does not lose it.
            assert!(t.renew_every * 2 < t.ttl, "{t:?}");
        }
    }
}
