//! Two (then three) bot processes on one SQLite file, each with the background autopilot on: exactly
//! one of them ticks, their ticks never overlap, and when the runner stops — cleanly or by crashing —
//! another takes over: at once after a clean stop (the lease is released), and after a crash as soon
//! as the dead runner's lease has lapsed, which is at most one interval after its death. (That the
//! waiting processes poll often enough to make this "within two intervals" is pinned by the unit
//! tests of the lease timing; nothing here measures how long the machine took.)
//!
//! Ticks are observed through the autopilot's own log events (`autopilot tick starts` / `done`,
//! carrying the process's lease identity), captured for this test's thread: `#[tokio::test]` runs
//! every process's tasks on it.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use crate::support::app::{Spawn, spawn_app, spawn_app_with, start};
use crate::support::wait::eventually;
use chrono::{DateTime, TimeDelta, Utc};
use tokio::time::Instant;
use tracing::field::{Field, Visit};
use tracing_subscriber::layer::{Context, SubscriberExt};
use tracing_subscriber::{Layer, Registry};

const INTERVAL: Duration = Duration::from_secs(2);

#[derive(Debug, Clone, PartialEq)]
enum What {
    Starts,
    Done,
    /// Not an event of the bot: the test killed this process here.
    Killed,
}

#[derive(Debug, Clone)]
struct Tick {
    at: Instant,
    /// The wall clock, to compare with the lease's expiry in the database.
    wall: DateTime<Utc>,
    instance: String,
    what: What,
}

#[derive(Clone, Default)]
struct Log(Arc<Mutex<Vec<Tick>>>);

impl Log {
    fn ticks(&self) -> Vec<Tick> {
        self.0.lock().unwrap().clone()
    }

    fn starts_of(&self, instance: &str) -> usize {
        self.ticks()
            .iter()
            .filter(|t| t.what == What::Starts && t.instance == instance)
            .count()
    }

    fn mark_killed(&self, instance: &str) {
        self.0.lock().unwrap().push(Tick {
            at: Instant::now(),
            wall: Utc::now(),
            instance: instance.to_string(),
            what: What::Killed,
        });
    }

    /// The first tick start after `since` by anyone but `not`: (who, when).
    /// The first tick start after `since` by anyone but `not`.
    fn first_start_after(&self, since: Instant, not: &str) -> Option<Tick> {
        self.ticks()
            .into_iter()
            .find(|t| t.what == What::Starts && t.at > since && t.instance != not)
    }

    async fn wait_for<T>(&self, what: &str, mut f: impl FnMut(&Log) -> Option<T>) -> T {
        eventually(what, async || f(self)).await
    }

    /// No tick starts while another process's tick is still running.
    fn assert_never_overlapping(&self) {
        let mut running: Option<String> = None;
        for t in self.ticks() {
            match t.what {
                What::Starts => {
                    assert!(
                        running.is_none(),
                        "{} started a tick while {running:?} was running",
                        t.instance
                    );
                    running = Some(t.instance);
                }
                What::Done | What::Killed => {
                    if running.as_deref() == Some(t.instance.as_str()) {
                        running = None;
                    }
                }
            }
        }
    }
}

impl<S: tracing::Subscriber> Layer<S> for Log {
    fn on_event(&self, event: &tracing::Event<'_>, _: Context<'_, S>) {
        if event.metadata().target() != "solar_lottery::jobs::lease" {
            return;
        }
        #[derive(Default)]
        struct Fields {
            message: String,
            instance: String,
            job: String,
        }
        impl Visit for Fields {
            fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
                match field.name() {
                    "message" => self.message = format!("{value:?}"),
                    "instance" => self.instance = format!("{value:?}"),
                    "job" => self.job = format!("{value:?}"),
                    _ => {}
                }
            }
        }
        let mut f = Fields::default();
        event.record(&mut f);
        if f.job.trim_matches('"') != "autopilot" {
            return;
        }
        let what = match f.message.as_str() {
            "tick starts" => What::Starts,
            "tick done" | "tick failed" | "tick panicked" | "tick stopped" => What::Done,
            _ => return,
        };
        self.0.lock().unwrap().push(Tick {
            at: Instant::now(),
            wall: Utc::now(),
            instance: f.instance,
            what,
        });
    }
}

fn every_2s() -> Spawn {
    Spawn {
        autopilot_interval: "2s",
        ..Spawn::default()
    }
}

#[tokio::test]
async fn one_process_ticks_and_another_takes_over_when_it_stops_or_dies() {
    let log = Log::default();
    let _guard = tracing::subscriber::set_default(Registry::default().with(log.clone()));

    // Process A starts first, so it takes the lease.
    let mut t = spawn_app_with(every_2s()).await;
    let a = log
        .wait_for("A's first tick", |l| {
            l.ticks().first().map(|t| t.instance.clone())
        })
        .await;
    assert_eq!(
        t.lease_holder("autopilot").await.as_deref(),
        Some(a.as_str())
    );

    // A rotation for the real clock: its next shifts are created and filled by whoever runs.
    t.mm.add_user("ann").time_zone("UTC");
    let beginning = (Utc::now() + TimeDelta::days(3)).format("%Y-%m-%dT%H:%MZ");
    for cmd in [
        format!("rotation new ICE --period weekly --beginning {beginning} --tz UTC"),
        "user join ICE @ann".to_string(),
        "rotation set autopilot ICE --create-prior 10d --schedule-prior 10d".to_string(),
    ] {
        t.run("admin", &cmd).await;
    }

    // Process B on the same database.
    let b_app = start(&t.mm, &t.db_url, &every_2s()).await;
    let b_started = Instant::now();
    log.wait_for("three more ticks of A", |l| {
        let since = l
            .ticks()
            .iter()
            .filter(|t| t.what == What::Starts && t.instance == a && t.at > b_started)
            .count();
        (since >= 3).then_some(())
    })
    .await;
    // Only A ticked; B never did.
    let instances: std::collections::BTreeSet<String> =
        log.ticks().into_iter().map(|t| t.instance).collect();
    assert_eq!(instances.len(), 1, "{instances:?}");
    // The work was done once: ICE#0 and #1 created and scheduled, ann told once each.
    assert_eq!(t.tasks_in_state("scheduled").await, ["ICE#0", "ICE#1"]);
    t.deliver().await;
    let ann = t.mm.dms_to("ann");
    assert_eq!(ann.len(), 3, "welcome and two shifts: {ann:#?}");

    // A shuts down cleanly, releasing the lease: B need not wait for it to lapse.
    let a_app = t.app.take().unwrap();
    let stopped = Instant::now();
    a_app.shutdown().await;
    assert_ne!(
        t.lease_holder("autopilot").await.as_deref(),
        Some(a.as_str()),
        "A released the lease when it stopped"
    );
    let Tick {
        instance: b,
        at: b_first,
        ..
    } = log
        .wait_for("B's first tick", |l| l.first_start_after(stopped, &a))
        .await;
    assert_eq!(
        t.lease_holder("autopilot").await.as_deref(),
        Some(b.as_str())
    );

    // Process C joins; then B crashes, its lease left behind: C takes over within two intervals.
    let c_app = start(&t.mm, &t.db_url, &every_2s()).await;
    log.wait_for("another tick of B", |l| {
        l.ticks()
            .iter()
            .any(|t| t.what == What::Done && t.instance == b && t.at > b_first)
            .then_some(())
    })
    .await;
    b_app.kill();
    let killed = Instant::now();
    let killed_wall = Utc::now();
    log.mark_killed(&b);
    // The lease B left behind was last renewed before B died, so it lapses at most one interval
    // after its death. (Unless C already holds it, which would only mean the takeover was quicker.)
    let left_behind = t.lease("autopilot").await.filter(|lease| lease.holder == b);
    if let Some(lease) = &left_behind {
        let latest = (killed_wall + TimeDelta::from_std(INTERVAL).unwrap()).timestamp_millis();
        assert!(
            lease.expires_at <= latest,
            "B's lease runs until {} ms, more than an interval after its death at {} ms",
            lease.expires_at,
            killed_wall.timestamp_millis()
        );
    }
    let Tick {
        instance: c,
        wall: c_first_wall,
        ..
    } = log
        .wait_for("C's first tick", |l| l.first_start_after(killed, &b))
        .await;
    assert_ne!(c, a);
    // C took over, and not before the dead B's lease had lapsed.
    if let Some(lease) = &left_behind {
        assert!(
            c_first_wall.timestamp_millis() >= lease.expires_at,
            "C ticked at {c_first_wall} while B's lease ran until {} ms",
            lease.expires_at
        );
    }
    // C ticks on; the dead B and the stopped A never tick again.
    log.wait_for("a second tick of C", |l| {
        (l.starts_of(&c) >= 2).then_some(())
    })
    .await;
    for t in log.ticks() {
        if t.what == What::Starts && t.at > killed {
            assert_eq!(t.instance, c);
        }
        if t.what == What::Starts && t.at > stopped {
            assert_ne!(t.instance, a);
        }
    }
    log.assert_never_overlapping();
    c_app.shutdown().await;
    assert_eq!(
        t.lease_holder("autopilot").await,
        None,
        "released on shutdown"
    );
    // Still nothing doubled.
    t.deliver().await;
    assert_eq!(t.mm.dms_to("ann").len(), 3);
}

#[tokio::test]
async fn an_interval_of_zero_turns_the_background_autopilot_off() {
    let log = Log::default();
    let _guard = tracing::subscriber::set_default(Registry::default().with(log.clone()));
    let t = spawn_app().await; // LOTTO_AUTOPILOT_INTERVAL=0
    t.run(
        "admin",
        "rotation new ICE --period daily --beginning 2020-01-01 --tz UTC",
    )
    .await;
    t.run("admin", "rotation set autopilot ICE --create-prior 1w")
        .await;
    assert!(log.ticks().is_empty());
    assert_eq!(t.lease_holder("autopilot").await, None);
    assert!(t.tasks().await.is_empty());

    // A witness instead of a pause: a second process on the same database, with the autopilot on.
    // Its first tick finds the lease free and the shifts still to create, so the first process, up
    // all along with work waiting, never ran the autopilot.
    let witness_started = Instant::now();
    let witness = start(&t.mm, &t.db_url, &every_2s()).await;
    let done = log
        .wait_for("the witness's first tick", |l| {
            l.ticks().into_iter().find(|t| t.what == What::Done)
        })
        .await;
    let ticks = log.ticks();
    assert!(
        ticks
            .iter()
            .all(|tick| tick.instance == done.instance && tick.at >= witness_started),
        "only the witness ticked: {ticks:#?}"
    );
    assert_eq!(t.lease_holder("autopilot").await, Some(done.instance));
    assert!(
        !t.tasks().await.is_empty(),
        "the witness created the shifts that were waiting"
    );
    witness.shutdown().await;
}
