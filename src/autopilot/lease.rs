use std::time::Duration;

use chrono::{TimeDelta, Utc};
use tokio::sync::watch;

use crate::service::Service;
use crate::store;

/// The lease row that makes one process the autopilot runner.
pub const LEASE: &str = "autopilot";

/// The background autopilot: every `every`, if this process holds (or can take) the lease, run a tick.
/// The lease lasts 1.5 intervals and is renewed on every tick; a process that doesn't hold it checks
/// twice per interval, so when the holder dies another takes over within two intervals.
pub async fn run_loop(
    svc: Service,
    instance: String,
    every: Duration,
    mut shutdown: watch::Receiver<bool>,
) {
    let ttl = TimeDelta::from_std(every.mul_f64(1.5)).unwrap_or(TimeDelta::minutes(2));
    let mut held = false;
    loop {
        if *shutdown.borrow() {
            break;
        }
        let now = Utc::now();
        match acquire(&svc, &instance, now, ttl).await {
            Ok(true) => {
                if !held {
                    tracing::info!(%instance, "took the autopilot lease");
                }
                held = true;
                // A panic inside a tick must not kill the loop: run it as its own task.
                let s = svc.clone();
                match tokio::spawn(async move { crate::autopilot::tick(&s, now).await }).await {
                    Ok(Ok(report)) => tracing::debug!(?report, "autopilot tick"),
                    Ok(Err(e)) => tracing::warn!(error = %e, "autopilot tick failed"),
                    Err(e) => tracing::error!(error = %e, "autopilot tick panicked"),
                }
            }
            Ok(false) => held = false,
            Err(e) => tracing::warn!(error = %e, "could not check the autopilot lease"),
        }
        let wait = if held { every } else { every / 2 };
        tokio::select! {
            _ = tokio::time::sleep(wait) => {}
            _ = shutdown.changed() => {}
        }
    }
    if held {
        if let Ok(mut conn) = svc.pool().acquire().await {
            let _ = store::leases::release(&mut conn, LEASE, &instance).await;
        }
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
