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
        "1 while the bot's WebSocket to Mattermost is open (this version does not use one)"
    );
    describe_gauge!(BUILD_INFO, "Always 1; the labels name the build");
    metrics::gauge!(BUILD_INFO, "version" => env!("CARGO_PKG_VERSION"), "git_hash" => crate::support::GIT_HASH).set(1.0);
    metrics::gauge!(PRESENCE_WATCHED).set(0.0);
    metrics::gauge!(WEBSOCKET_CONNECTED).set(0.0);
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
