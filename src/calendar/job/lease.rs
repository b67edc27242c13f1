//! The background loop: every `LOTTO_CALENDAR_INTERVAL`, if this process holds (or can take) the
//! `calendar` lease, run a sync. As with the autopilot, the lease lasts 1.5 intervals and is renewed
//! each run; a process that does not hold it looks twice per interval, so when the holder dies another
//! takes over within two intervals.

use std::time::Duration;

use chrono::{TimeDelta, Utc};
use tokio::sync::watch;

use crate::service::Service;
use crate::store;

/// The lease row that makes one process the calendar sync runner.
pub const LEASE: &str = "calendar";

pub async fn run_loop(
    svc: Service,
    instance: String,
    every: Duration,
    mut shutdown: watch::Receiver<bool>,
) {
    let ttl = TimeDelta::from_std(every.mul_f64(1.5)).unwrap_or(TimeDelta::minutes(10));
    let mut held = false;
    loop {
        if *shutdown.borrow() {
            break;
        }
        let now = Utc::now();
        match acquire(&svc, &instance, now, ttl).await {
            Ok(true) => {
                if !held {
                    tracing::info!(%instance, "took the calendar sync lease");
                }
                held = true;
                // A panic inside a run must not end the loop: run it as its own task.
                let s = svc.clone();
                match tokio::spawn(async move { super::run(&s, now).await }).await {
                    Ok(Ok(_)) => {}
                    Ok(Err(e)) => tracing::warn!(error = %e, "calendar sync failed"),
                    Err(e) => tracing::error!(error = %e, "calendar sync panicked"),
                }
            }
            Ok(false) => held = false,
            Err(e) => tracing::warn!(error = %e, "could not check the calendar lease"),
        }
        let wait = if held { every } else { every / 2 };
        tokio::select! {
            _ = tokio::time::sleep(wait) => {}
            _ = shutdown.changed() => {}
        }
    }
    if held && let Ok(mut conn) = svc.pool().acquire().await {
        let _ = store::leases::release(&mut conn, LEASE, &instance).await;
    }
}

async fn acquire(
    svc: &Service,
    instance: &str,
    now: chrono::DateTime<Utc>,
    ttl: TimeDelta,
) -> Result<bool, store::StoreError> {
    let mut conn = svc.pool().acquire().await?;
    store::leases::acquire(&mut conn, LEASE, instance, now, ttl).await
}
