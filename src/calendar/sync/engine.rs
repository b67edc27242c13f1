//! The sync's set-up: its tunables, its sources (Graph when configured, ICS feeds) and the handles it
//! shares with the service (database, Mattermost, outbox).

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, TimeDelta, Utc};

use super::{SyncError, SyncReport};
use crate::calendar::{
    AddressPolicy, Fetcher, GraphClient, GraphConfig, IcsClient, SourceError, Span,
};
use crate::config::GraphSettings;
use crate::lottery::UserId;
use crate::mattermost::MattermostClient;
use crate::shared::Shared;
use crate::store;

/// The job's tunables; the defaults are what production uses.
#[derive(Debug, Clone)]
pub struct SyncOptions {
    /// How far ahead calendars are read: long enough that back-to-back meetings merge into one
    /// Do Not Disturb, short enough to stay a small answer.
    pub window: TimeDelta,
    /// People whose Mattermost writes are in flight at once.
    pub write_concurrency: usize,
    /// People recorded per database transaction.
    pub people_per_transaction: usize,
    /// Most people whose Mattermost status is read in one go (calendars that came in together).
    pub people_per_read: usize,
    /// Bounds each Graph or ICS request.
    pub source_timeout: Duration,
}

impl Default for SyncOptions {
    fn default() -> Self {
        Self {
            window: TimeDelta::hours(12),
            write_concurrency: 16,
            people_per_transaction: 500,
            people_per_read: 1000,
            source_timeout: Duration::from_secs(20),
        }
    }
}

/// What the job needs besides the service: the calendar sources, and a lock so two runs in one
/// process (the loop and a `calendar sync` command) never interleave.
pub struct CalendarSync {
    shared: Arc<Shared>,
    pub(super) fetcher: Fetcher,
    graph: Option<GraphSettings>,
    pub(super) options: SyncOptions,
    pub(super) run_lock: tokio::sync::Mutex<()>,
}

impl std::fmt::Debug for CalendarSync {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CalendarSync")
            .field("fetcher", &self.fetcher)
            .field("graph", &self.graph.is_some())
            .field("options", &self.options)
            .finish()
    }
}

impl CalendarSync {
    /// Sources from the settings: Graph when its credentials are set, ICS always (internal
    /// addresses only with `allow_private_ics`).
    pub fn from_settings(
        shared: Arc<Shared>,
        graph: Option<&GraphSettings>,
        allow_private_ics: bool,
        options: SyncOptions,
    ) -> Result<Self, SourceError> {
        let graph_client = graph
            .map(|g| {
                GraphClient::new(
                    GraphConfig {
                        base_url: g.base_url.clone(),
                        token_url: g.token_url.clone(),
                        tenant: g.tenant.clone(),
                        client_id: g.client_id.clone(),
                        client_secret: g.client_secret.clone(),
                    },
                    options.source_timeout,
                )
            })
            .transpose()?;
        let ics = IcsClient::new(
            options.source_timeout,
            AddressPolicy::from_allow_private(allow_private_ics),
        )?;
        Ok(Self::new(
            shared,
            Fetcher::new(graph_client, ics),
            graph.cloned(),
            options,
        ))
    }

    pub fn new(
        shared: Arc<Shared>,
        fetcher: Fetcher,
        graph: Option<GraphSettings>,
        options: SyncOptions,
    ) -> Self {
        Self {
            shared,
            fetcher,
            graph,
            options,
            run_lock: tokio::sync::Mutex::new(()),
        }
    }

    /// One full run as of `now`: see the module documentation.
    pub async fn run(&self, now: DateTime<Utc>) -> Result<SyncReport, SyncError> {
        let report = super::run(self, now).await?;
        record_metrics(&report);
        Ok(report)
    }

    pub(super) fn db(&self) -> &store::Db {
        &self.shared.db
    }

    pub(super) fn mattermost(&self) -> &MattermostClient {
        &self.shared.mm
    }

    pub(super) fn admins(&self) -> &[String] {
        &self.shared.admins
    }

    pub(super) fn bot_id(&self) -> &UserId {
        &self.shared.bot_id
    }

    pub(super) fn wake_sender(&self) {
        self.shared.wake_sender();
    }

    /// The Graph settings, for the admin-consent link.
    pub fn graph(&self) -> Option<&GraphSettings> {
        self.graph.as_ref()
    }

    pub fn fetcher(&self) -> &Fetcher {
        &self.fetcher
    }

    pub fn options(&self) -> &SyncOptions {
        &self.options
    }

    /// The window read at `now`.
    pub fn window(&self, now: DateTime<Utc>) -> Option<Span> {
        Span::new(now, now.checked_add_signed(self.options.window)?).ok()
    }
}

/// What a run did, for `/metrics`.
fn record_metrics(report: &SyncReport) {
    use crate::metrics::{CALENDAR_CHANGES, CALENDAR_FAILURES, CALENDAR_PEOPLE, CALENDAR_RUNS};
    let n = |v: usize| u64::try_from(v).unwrap_or(u64::MAX);
    metrics::counter!(CALENDAR_RUNS).increment(1);
    metrics::gauge!(CALENDAR_PEOPLE).set(report.people as f64);
    metrics::counter!(CALENDAR_CHANGES, "kind" => "status").increment(n(report.status_writes));
    metrics::counter!(CALENDAR_CHANGES, "kind" => "custom_status")
        .increment(n(report.custom_status_writes));
    metrics::counter!(CALENDAR_CHANGES, "kind" => "unavailability")
        .increment(n(report.unavailability_changes));
    metrics::counter!(CALENDAR_FAILURES, "kind" => "source").increment(n(report.failed_sources));
    metrics::counter!(CALENDAR_FAILURES, "kind" => "write").increment(n(report.write_failures));
}
