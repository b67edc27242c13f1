//! `GET /metrics`: the bot's metrics in Prometheus' text format, through the `metrics` facade and
//! `metrics-exporter-prometheus` (no listener of its own: the axum route renders the handle).
//!
//! The names are listed here, once, and in the README. Counters and histograms are recorded where
//! things happen (the slash handler, the job runner, the outbox sender, the calendar sync); gauges
//! that describe stored state (the outbox) are read from the database at each scrape, so every
//! process sharing a database reports the same numbers.

use std::sync::OnceLock;
use std::time::Duration;

use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};

use crate::store::{self, Db};

pub const SLASH_REQUESTS: &str = "lotto_slash_requests_total";
pub const SLASH_DURATION: &str = "lotto_slash_request_duration_seconds";
pub const JOB_RUNS: &str = "lotto_job_runs_total";
pub const JOB_FAILURES: &str = "lotto_job_failures_total";
pub const JOB_DURATION: &str = "lotto_job_run_duration_seconds";
pub const OUTBOX_MESSAGES: &str = "lotto_outbox_messages";
pub const OUTBOX_SENT: &str = "lotto_outbox_sent_total";
pub const OUTBOX_FAILED: &str = "lotto_outbox_failed_total";
pub const OUTBOX_LATENCY: &str = "lotto_outbox_delivery_latency_seconds";
pub const CALENDAR_RUNS: &str = "lotto_calendar_sync_runs_total";
pub const CALENDAR_PEOPLE: &str = "lotto_calendar_sync_people";
pub const CALENDAR_CHANGES: &str = "lotto_calendar_sync_changes_total";
pub const CALENDAR_FAILURES: &str = "lotto_calendar_sync_failures_total";
pub const PRESENCE_WATCHED: &str = "lotto_presence_watched_people";
pub const WEBSOCKET_CONNECTED: &str = "lotto_websocket_connected";
pub const WEBSOCKET_LAST_EVENT: &str = "lotto_websocket_last_event_timestamp_seconds";
pub const PROFILE_APPLIED: &str = "lotto_profile_applied_total";
pub const PROFILE_WRITES: &str = "lotto_profile_writes_total";
pub const PROFILE_OVERFLOWED: &str = "lotto_profile_overflowed_total";
pub const PROFILE_RATE_LIMITED: &str = "lotto_profile_rate_limited_total";
pub const BUILD_INFO: &str = "lotto_build_info";

/// Seconds: from a fast command to the slash command's 30 s limit and long job runs.
const BUCKETS: &[f64] = &[
    0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 300.0,
];

/// The process's recorder, installed on first use (the bot and the tests may launch several apps in
/// one process; they share it). `None` if another recorder was installed first.
pub fn handle() -> Option<&'static PrometheusHandle> {
    static HANDLE: OnceLock<Option<PrometheusHandle>> = OnceLock::new();
    HANDLE
        .get_or_init(|| {
            let builder = PrometheusBuilder::new()
                .set_buckets_for_metric(Matcher::Suffix("_seconds".into()), BUCKETS)
                .ok()?;
            let recorder = builder.build_recorder();
            let handle = recorder.handle();
            metrics::set_global_recorder(recorder).ok()?;
            describe();
            Some(handle)
        })
        .as_ref()
}

fn describe() {
    use metrics::{describe_counter, describe_gauge, describe_histogram};
    describe_counter!(
        SLASH_REQUESTS,
        "Slash requests by outcome: ok, error (the command was refused or invalid), deferred (answered through response_url), unauthorized, bad_request, failed"
    );
    describe_histogram!(SLASH_DURATION, "How long a slash request took to answer");
    describe_counter!(JOB_RUNS, "Background job runs by job and outcome");
    describe_counter!(
        JOB_FAILURES,
        "Background job runs that failed, panicked or were stopped"
    );
    describe_histogram!(JOB_DURATION, "How long a background job run took");
    describe_gauge!(
        OUTBOX_MESSAGES,
        "DMs in the outbox by state (pending, failed), read at scrape"
    );
    describe_counter!(OUTBOX_SENT, "DMs this process delivered");
    describe_counter!(OUTBOX_FAILED, "DMs this process gave up on");
    describe_histogram!(OUTBOX_LATENCY, "From queuing a DM to its delivery");
    describe_counter!(CALENDAR_RUNS, "Calendar sync runs");
    describe_gauge!(CALENDAR_PEOPLE, "People with a calendar at the last sync");
    describe_counter!(
        CALENDAR_CHANGES,
        "What calendar syncs changed, by kind: status, custom_status, unavailability"
    );
    describe_counter!(
        CALENDAR_FAILURES,
        "Calendar sync failures by kind: source (a calendar not read), write (Mattermost refused)"
    );
    describe_gauge!(
        PRESENCE_WATCHED,
        "People whose presence the last presence poll of this process watched"
    );
    describe_gauge!(
        WEBSOCKET_CONNECTED,
        "1 while this process has the WebSocket to Mattermost open (the lease holder)"
    );
    describe_gauge!(
        WEBSOCKET_LAST_EVENT,
        "When this process last received a WebSocket event (Unix seconds)"
    );
    describe_counter!(
        PROFILE_APPLIED,
        "People the profile-preset engine of this process brought in line with their status"
    );
    describe_counter!(
        PROFILE_WRITES,
        "Nickname and picture writes the profile-preset engine made"
    );
    describe_counter!(
        PROFILE_OVERFLOWED,
        "Profile changes that found the engine's queues full (marked for reconciliation instead)"
    );
    describe_counter!(
        PROFILE_RATE_LIMITED,
        "Profile writes Mattermost answered with 429"
    );
    describe_gauge!(BUILD_INFO, "Always 1; the labels name the build");
    metrics::gauge!(BUILD_INFO, "version" => env!("CARGO_PKG_VERSION"), "git_hash" => crate::support::GIT_HASH).set(1.0);
    metrics::gauge!(PRESENCE_WATCHED).set(0.0);
    metrics::gauge!(WEBSOCKET_CONNECTED).set(0.0);
    for name in [
        PROFILE_APPLIED,
        PROFILE_WRITES,
        PROFILE_OVERFLOWED,
        PROFILE_RATE_LIMITED,
    ] {
        metrics::counter!(name).absolute(0);
    }
}

/// The text for a scrape: the stored state's gauges refreshed first. A database that does not
/// answer leaves them at their last value (and `/healthz` says so).
pub async fn render(db: &Db) -> Option<String> {
    let handle = handle()?;
    if let Ok(mut conn) = db.read().await
        && let Ok((pending, _sent, failed)) = store::outbox::counts(&mut conn).await
    {
        metrics::gauge!(OUTBOX_MESSAGES, "state" => "pending").set(pending as f64);
        metrics::gauge!(OUTBOX_MESSAGES, "state" => "failed").set(failed as f64);
    }
    handle.run_upkeep();
    Some(handle.render())
}

/// The WebSocket opened or closed.
pub fn websocket_connected(connected: bool) {
    metrics::gauge!(WEBSOCKET_CONNECTED).set(if connected { 1.0 } else { 0.0 });
}

/// A WebSocket event arrived.
pub fn websocket_event(at: chrono::DateTime<chrono::Utc>) {
    metrics::gauge!(WEBSOCKET_LAST_EVENT).set(at.timestamp_millis() as f64 / 1000.0);
}

/// The profile-preset engine's counters moved from `before` to `after`.
pub fn profile_engine(before: &crate::profile::EngineStats, after: &crate::profile::EngineStats) {
    let pairs = [
        (PROFILE_APPLIED, before.applied, after.applied),
        (PROFILE_WRITES, before.writes, after.writes),
        (PROFILE_OVERFLOWED, before.overflowed, after.overflowed),
        (
            PROFILE_RATE_LIMITED,
            before.rate_limited,
            after.rate_limited,
        ),
    ];
    for (name, was, is) in pairs {
        if is > was {
            metrics::counter!(name).increment(is - was);
        }
    }
}

/// Records one slash request.
pub fn slash(outcome: &'static str, took: Duration) {
    metrics::counter!(SLASH_REQUESTS, "outcome" => outcome).increment(1);
    metrics::histogram!(SLASH_DURATION).record(took.as_secs_f64());
}

/// Records one job run.
pub fn job_run(job: &'static str, outcome: &'static str, took: Duration) {
    metrics::counter!(JOB_RUNS, "job" => job, "outcome" => outcome).increment(1);
    if outcome != "ok" {
        metrics::counter!(JOB_FAILURES, "job" => job).increment(1);
    }
    metrics::histogram!(JOB_DURATION, "job" => job).record(took.as_secs_f64());
}
