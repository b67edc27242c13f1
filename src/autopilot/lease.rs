//! The background loop and its single-runner lease.
//!
//! Of several bot processes on one database, only the holder of the `autopilot` lease row ticks. The
//! holder renews the lease three times per interval, also while a long tick runs, so a slow tick never
//! lets it lapse; if a renewal finds the lease taken (this process stalled past its expiry), the tick
//! in flight is stopped at once. Every transaction of a tick is self-contained and each task is
//! re-checked inside its own, so stopping mid-tick loses nothing and repeats nothing.
//!
//! A process that does not hold the lease tries to take it four times per interval. The lease lasts one
//! interval past its last renewal, so when the holder dies another process takes over within 1¼
//! intervals, and at once when the holder shuts down cleanly (it releases the lease).

use std::time::Duration;

use chrono::{TimeDelta, Utc};
use tokio::sync::watch;
use tokio::time::Instant;

use crate::service::Service;
use crate::store;

/// The lease row that makes one process the autopilot runner.
pub const LEASE: &str = "autopilot";

/// How long the lease lasts and how often it is renewed or sought, for a tick interval.
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

    fn ttl_delta(&self) -> TimeDelta {
        TimeDelta::from_std(self.ttl).unwrap_or(TimeDelta::minutes(1))
    }
}

/// The background autopilot: every `every`, if this process holds (or can take) the lease, run a tick
/// as of the real clock. Returns when `shutdown` turns true, releasing the lease.
pub async fn run_loop(
    svc: Service,
    instance: String,
    every: Duration,
    mut shutdown: watch::Receiver<bool>,
) {
    let timing = LeaseTiming::for_interval(every);
    let mut held = false;
    let mut next_tick = Instant::now();
    loop {
        if *shutdown.borrow() {
            break;
        }
        match acquire(&svc, &instance, timing).await {
            Ok(true) => {
                if !held {
                    tracing::info!(%instance, "took the autopilot lease");
                    // A new holder ticks at once: the previous one may have died before its tick.
                    next_tick = Instant::now();
                }
                held = true;
            }
            Ok(false) => {
                if held {
                    tracing::warn!(%instance, "lost the autopilot lease to another process");
                }
                held = false;
            }
            Err(e) => {
                // Unsure whether the lease is still ours: don't tick on it.
                tracing::warn!(error = %e, "could not check the autopilot lease");
                held = false;
            }
        }
        if held && Instant::now() >= next_tick {
            held = tick_holding_lease(&svc, &instance, timing, &mut shutdown).await;
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
            _ = shutdown.changed() => {}
        }
    }
    if held && let Err(e) = release(&svc, &instance).await {
        tracing::warn!(error = %e, "could not release the autopilot lease");
    }
}

/// Runs one tick while renewing the lease. Returns whether the lease is still held afterwards; a tick
/// is stopped (its open transaction rolled back) when the lease is lost or can't be confirmed in time,
/// or when the process shuts down.
async fn tick_holding_lease(
    svc: &Service,
    instance: &str,
    timing: LeaseTiming,
    shutdown: &mut watch::Receiver<bool>,
) -> bool {
    let s = svc.clone();
    let started = Instant::now();
    tracing::debug!(%instance, "autopilot tick starts");
    // Its own task, so that a panic in a tick does not end the loop.
    let mut tick = tokio::spawn(async move { crate::autopilot::tick(&s, Utc::now()).await });
    let mut renew = tokio::time::interval_at(started + timing.renew_every, timing.renew_every);
    let mut confirmed = started;
    loop {
        tokio::select! {
            result = &mut tick => {
                match result {
                    Ok(Ok(report)) => tracing::debug!(%instance, ?report, elapsed = ?started.elapsed(), "autopilot tick done"),
                    Ok(Err(e)) => tracing::warn!(%instance, error = %e, "autopilot tick failed"),
                    Err(e) => tracing::error!(%instance, error = %e, "autopilot tick panicked"),
                }
                return true;
            }
            _ = renew.tick() => {
                match acquire(svc, instance, timing).await {
                    Ok(true) => confirmed = Instant::now(),
                    Ok(false) => {
                        stop(tick, instance, "another process took the lease").await;
                        return false;
                    }
                    Err(e) => {
                        tracing::warn!(error = %e, "could not renew the autopilot lease during a tick");
                        if confirmed.elapsed() + timing.renew_every >= timing.ttl {
                            stop(tick, instance, "the lease may lapse").await;
                            return false;
                        }
                    }
                }
            }
            _ = shutdown.changed() => {
                stop(tick, instance, "shutting down").await;
                return true;
            }
        }
    }
}

/// Cancels a tick and waits until it is gone (its open transaction rolled back), so nothing of it
/// runs on once the lease is given up.
async fn stop<T>(tick: tokio::task::JoinHandle<T>, instance: &str, why: &str) {
    tick.abort();
    let _ = tick.await;
    tracing::warn!(%instance, why, "autopilot tick stopped");
}

async fn release(svc: &Service, instance: &str) -> Result<(), store::StoreError> {
    let mut conn = svc.pool().acquire().await?;
    store::leases::release(&mut conn, LEASE, instance).await
}

async fn acquire(
    svc: &Service,
    instance: &str,
    timing: LeaseTiming,
) -> Result<bool, store::StoreError> {
    let mut conn = svc.pool().acquire().await?;
    store::leases::acquire(&mut conn, LEASE, instance, Utc::now(), timing.ttl_delta()).await
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
