//! Builds and runs the whole bot: database, Mattermost client, outbox sender, background jobs and the
//! HTTP server. `main` and the integration tests both start the bot through `launch`, on a listener they
//! own (tests bind port 0).

use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinHandle;

use crate::autopilot::AutopilotJob;
use crate::calendar::job::CalendarJob;
use crate::calendar::sync::{CalendarSync, SyncOptions};
use crate::config::Settings;
use crate::history::HistoryJob;
use crate::holidays::HolidayFeedJob;
use crate::http::{self, AppState};
use crate::jobs::{Job, NamedLease, RunLog, Runner};
use crate::mattermost::{DEFAULT_REQUEST_TIMEOUT, MattermostClient};
use crate::notify::{RetryPolicy, Sender};
use crate::presence::PresenceJob;
use crate::profile::listener::{self, Listener, ListenerOptions};
use crate::service::Service;
use crate::shared::Shared;
use crate::store::Db;

/// Knobs that tests turn (production uses the defaults).
#[derive(Debug, Clone)]
pub struct Options {
    pub retry: RetryPolicy,
    /// How long a slash command may run before the reply is sent through `response_url` instead.
    pub slash_deadline: Duration,
    /// Identity of this process for single-runner leases.
    pub instance: String,
    /// Deliver the outbox in the background (tests turn it off and deliver explicitly).
    pub background_sender: bool,
    /// The calendar sync's tunables (tests shorten the source timeout).
    pub calendar: SyncOptions,
    /// How long one Mattermost request may take; the outbox's claims last this plus a margin.
    pub mattermost_timeout: Duration,
    /// The WebSocket listener's lease, backoff and keep-alive timing.
    pub websocket: ListenerOptions,
    /// The profile-preset engine's tunables.
    pub profile: crate::profile::EngineOptions,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            retry: RetryPolicy::default(),
            slash_deadline: Duration::from_millis(2500),
            instance: format!("{}-{}", std::process::id(), uuid::Uuid::new_v4()),
            background_sender: true,
            calendar: SyncOptions::default(),
            mattermost_timeout: DEFAULT_REQUEST_TIMEOUT,
            websocket: ListenerOptions::default(),
            profile: crate::profile::EngineOptions::default(),
        }
    }
}

/// A running bot. Dropping it does not stop it; call `shutdown`.
pub struct RunningApp {
    pub addr: std::net::SocketAddr,
    pub service: Service,
    pub sender: Sender,
    /// The background jobs' last runs.
    pub runs: RunLog,
    /// Where the profile-preset engine takes its signals (the WebSocket listener sends here).
    pub profile_signals: crate::profile::signal::SignalSender,
    shutdown: watch::Sender<bool>,
    tasks: Vec<JoinHandle<()>>,
}

impl RunningApp {
    /// Stops accepting requests, lets in-flight ones finish, stops the background jobs.
    pub async fn shutdown(self) {
        let _ = self.shutdown.send(true);
        for t in self.tasks {
            let _ = tokio::time::timeout(Duration::from_secs(10), t).await;
        }
    }

    /// Stops at once, as a crash would: background tasks are aborted mid-flight.
    pub fn kill(self) {
        for t in &self.tasks {
            t.abort();
        }
    }
}

pub async fn launch(
    settings: Settings,
    listener: TcpListener,
    options: Options,
) -> anyhow::Result<RunningApp> {
    let mm_settings = settings.mattermost()?;
    crate::metrics::handle();
    let runs = RunLog::default();
    let websocket_status = listener::ListenerStatus::default();
    let (service, sender) = build(
        &settings,
        Built {
            retry: options.retry.clone(),
            calendar: options.calendar.clone(),
            mattermost_timeout: options.mattermost_timeout,
            runs: runs.clone(),
            instance: options.instance.clone(),
            websocket: websocket_status.clone(),
        },
        |sender: &Sender| options.background_sender.then(|| sender.clone()),
    )
    .await?;
    let (shutdown_tx, shutdown_rx) = watch::channel(false);
    let runner = Runner {
        db: service.db().clone(),
        instance: options.instance.clone(),
        runs: runs.clone(),
        shutdown: shutdown_rx.clone(),
    };
    let mut tasks = Vec::new();
    if options.background_sender {
        tasks.push(tokio::spawn(sender.clone().run(shutdown_rx.clone())));
    }
    // The background jobs: each runs in one process at a time, every interval; `None` is off.
    let jobs: [(Arc<dyn Job>, Option<Duration>); 5] = [
        (
            Arc::new(AutopilotJob::new(service.clone())),
            settings.autopilot_interval,
        ),
        (
            Arc::new(CalendarJob::new(service.calendar().clone())),
            settings.calendar_interval,
        ),
        (
            Arc::new(PresenceJob::new(service.clone())),
            settings.presence_interval,
        ),
        (
            Arc::new(HistoryJob::new(
                service.clone(),
                settings.history_retention.unwrap_or_default(),
            )),
            settings.history_retention.map(|_| crate::history::EVERY),
        ),
        (
            Arc::new(HolidayFeedJob::new(service.clone())),
            Some(crate::holidays::EVERY),
        ),
    ];
    for (job, every) in jobs {
        if let Some(every) = every {
            tasks.push(runner.spawn(job, every));
        }
    }
    // Profile presets: the WebSocket listener produces signals, the preset engine consumes them.
    let (profile_signals, profile_inbox) = crate::profile::signal::channel();
    // One process at a time runs the engine: the holder of its lease.
    let engine_lease = NamedLease::new(
        service.db().clone(),
        crate::profile::holding::LEASE_NAME,
        options.instance.clone(),
        options.profile.lease,
    );
    tasks.push(
        crate::profile::ProfileEngine::new(service.deps.shared.clone(), options.profile.clone())
            .with_lease(engine_lease)
            .spawn(profile_inbox, shutdown_rx.clone()),
    );
    if settings.websocket {
        let timing = options.websocket;
        let listener = Listener {
            client: service.mattermost().websocket(timing.keepalive),
            lease: NamedLease::new(
                service.db().clone(),
                listener::LEASE_NAME,
                options.instance.clone(),
                timing.lease,
            ),
            signals: profile_signals.clone(),
            shutdown: shutdown_rx.clone(),
            options: timing,
            status: websocket_status,
        };
        tasks.push(tokio::spawn(listener.run()));
    }
    let state = AppState {
        service: service.clone(),
        slash_tokens: Arc::new(mm_settings.slash_tokens.clone()),
        slash_deadline: options.slash_deadline,
        admin_token: settings.admin_token.clone().map(Arc::new),
    };
    let addr = listener.local_addr()?;
    let app = http::router(state);
    let mut rx = shutdown_rx.clone();
    tasks.push(tokio::spawn(async move {
        let result = axum::serve(listener, app)
            .with_graceful_shutdown(async move {
                let _ = rx.wait_for(|stop| *stop).await;
            })
            .await;
        if let Err(e) = result {
            tracing::error!(error = %e, "HTTP server failed");
        }
    }));
    tracing::info!(%addr, "solar-lottery is listening");
    Ok(RunningApp {
        addr,
        service,
        sender,
        runs,
        profile_signals,
        shutdown: shutdown_tx,
        tasks,
    })
}

/// For `exec`: the service without HTTP or background jobs; the caller delivers with the sender.
pub async fn service_only(settings: &Settings) -> anyhow::Result<(Service, Sender)> {
    build(
        settings,
        Built {
            retry: RetryPolicy::default(),
            calendar: SyncOptions::default(),
            mattermost_timeout: DEFAULT_REQUEST_TIMEOUT,
            runs: RunLog::default(),
            instance: Options::default().instance,
            websocket: Default::default(),
        },
        |_| None,
    )
    .await
}

/// How `build` sets things up.
struct Built {
    retry: RetryPolicy,
    calendar: SyncOptions,
    mattermost_timeout: Duration,
    /// Where the jobs record their runs (the support packet lists them).
    runs: RunLog,
    instance: String,
    websocket: listener::ListenerStatus,
}

/// The database, Mattermost, the outbox sender and the service on top. `waker` says which sender
/// (if any) commands wake after queuing messages.
async fn build(
    settings: &Settings,
    how: Built,
    waker: impl FnOnce(&Sender) -> Option<Sender>,
) -> anyhow::Result<(Service, Sender)> {
    let Built {
        retry,
        calendar,
        mattermost_timeout,
        runs,
        instance,
        websocket,
    } = how;
    let mm_settings = settings.mattermost()?;
    let db = Db::connect(&settings.database_url)
        .await
        .context("could not open the database")?;
    let mm = MattermostClient::new(
        &mm_settings.url,
        mm_settings.bot_token.clone(),
        mattermost_timeout,
    )
    .context("invalid LOTTO_MATTERMOST_URL")?;
    let me = mm
        .get_me()
        .await
        .context("could not reach Mattermost with LOTTO_BOT_TOKEN (GET /api/v4/users/me)")?;
    let bot_id = me.id.clone();
    let sender = Sender::new(db.clone(), mm.clone(), bot_id.clone(), retry);
    let shared = Arc::new(Shared {
        db,
        mm,
        bot_id,
        admins: settings.admins.clone(),
        sender: waker(&sender),
    });
    let calendar = CalendarSync::from_settings(
        shared.clone(),
        settings.graph.as_ref(),
        settings.allow_private_urls,
        calendar,
    )
    .context("could not set up the calendar sources")?;
    let packet = crate::support::Sources {
        settings: settings.clone(),
        db: shared.db.clone(),
        mm: Some(shared.mm.clone()),
        runs,
        logs: Some(crate::support::LogTail::global().clone()),
        started: std::time::Instant::now(),
        instance,
        websocket,
    };
    let service = Service::new(crate::service::Deps {
        packet: Arc::new(packet),
        shared,
        rotation_creators: settings.rotation_creators,
        graph: settings.graph.clone(),
        public_url: settings.public_url.clone(),
        calendar: Arc::new(calendar),
        url_policy: crate::url_guard::AddressPolicy::from_allow_private(
            settings.allow_private_urls,
        ),
    });
    Ok((service, sender))
}
