//! The one runner every background job goes through: a tick that runs longer than the job's
//! interval keeps its lease (it is renewed while the tick runs), so another process never runs the
//! same job at the same time; a panicking tick is caught, recorded, and the job goes on.
//! (Before the runner, the calendar job's lease lasted 1.5 intervals and was never renewed, so a
//! long sync could overlap another process's.)

use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::{DateTime, Utc};
use futures_util::FutureExt;
use futures_util::future::BoxFuture;
use solar_lottery::jobs::{Job, JobError, Outcome, RunLog, Runner};
use solar_lottery::store::Db;
use tokio::sync::watch;
use tokio::time::Instant;

use crate::support::wait::eventually;

const INTERVAL: Duration = Duration::from_millis(300);

/// Who ran, from when to when.
type Spans = Arc<Mutex<Vec<(String, Instant, Instant)>>>;

/// A job whose every tick takes three intervals; the first `panics` ticks panic instead.
struct SlowJob {
    instance: String,
    spans: Spans,
    panics: Mutex<u32>,
}

impl Job for SlowJob {
    fn name(&self) -> &'static str {
        "slow"
    }

    fn tick(&self, _now: DateTime<Utc>) -> BoxFuture<'_, Result<String, JobError>> {
        async move {
            let started = Instant::now();
            let panic_now = {
                let mut left = self.panics.lock().expect("panics");
                let p = *left > 0;
                *left = left.saturating_sub(1);
                p
            };
            assert!(!panic_now, "a tick that panics");
            tokio::time::sleep(INTERVAL * 3).await;
            self.spans.lock().expect("spans").push((
                self.instance.clone(),
                started,
                Instant::now(),
            ));
            Ok("slept".to_string())
        }
        .boxed()
    }
}

/// A database of its own (it lives as long as the returned guard).
async fn temp_db() -> (crate::support::db::TestDb, Db) {
    let database = crate::support::db::fresh().await;
    let db = Db::connect(&database.url).await.expect("database");
    (database, db)
}

fn process(
    db: &Db,
    instance: &str,
    spans: &Spans,
    panics: u32,
    shutdown: &watch::Receiver<bool>,
) -> RunLog {
    let runs = RunLog::default();
    let runner = Runner {
        db: db.clone(),
        instance: instance.to_string(),
        runs: runs.clone(),
        shutdown: shutdown.clone(),
    };
    let job = SlowJob {
        instance: instance.to_string(),
        spans: spans.clone(),
        panics: Mutex::new(panics),
    };
    runner.spawn(Arc::new(job), INTERVAL);
    runs
}

#[tokio::test]
async fn a_tick_longer_than_its_interval_keeps_the_lease_and_never_overlaps_another_process() {
    let (_dir, db) = temp_db().await;
    let spans: Spans = Arc::default();
    let (stop, shutdown) = watch::channel(false);
    let a = process(&db, "a", &spans, 0, &shutdown);
    let b = process(&db, "b", &spans, 0, &shutdown);
    // Four long ticks in all, whoever runs them.
    eventually("four long ticks", async || {
        (spans.lock().expect("spans").len() >= 4).then_some(())
    })
    .await;
    let spans = spans.lock().expect("spans").clone();
    let (a, b) = (a.snapshot(), b.snapshot());
    let _ = stop.send(true);
    for (i, (who, start, end)) in spans.iter().enumerate() {
        for (other, s2, e2) in spans.iter().skip(i + 1) {
            assert!(
                end <= s2 || e2 <= start,
                "{who}'s tick overlapped {other}'s: {spans:?}"
            );
        }
    }
    // Every tick ran to its end: the lease was renewed while it ran, nothing was stopped.
    for runs in [a, b] {
        for run in runs.values().flatten() {
            assert_ne!(run.outcome, Outcome::Stopped, "{run:?}");
        }
    }
}

#[tokio::test]
async fn a_panicking_tick_is_recorded_and_the_job_runs_on() {
    let (_dir, db) = temp_db().await;
    let spans: Spans = Arc::default();
    let (stop, shutdown) = watch::channel(false);
    let runs = process(&db, "a", &spans, 1, &shutdown);
    let slow = eventually("a tick recorded after the panic", async || {
        runs.snapshot().remove("slow").filter(|r| r.len() >= 2)
    })
    .await;
    let _ = stop.send(true);
    assert_eq!(slow[0].outcome, Outcome::Panicked, "{slow:?}");
    assert_eq!(slow[1].outcome, Outcome::Ok, "{slow:?}");
}
