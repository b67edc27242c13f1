//! Builds and runs the whole bot: database, Mattermost client, outbox sender, background jobs and the
//! HTTP server. `main` and the integration tests both start the bot through `launch`, on a listener they
//! own (tests bind port 0).

use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use secrecy::SecretString;
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinHandle;

use crate::calendar::job::{CalendarSync, SyncOptions};
use crate::config::Settings;
use crate::http::{self, AppState};
use crate::mattermost::{DEFAULT_REQUEST_TIMEOUT, MattermostClient};
use crate::notify::{RetryPolicy, Sender};
use crate::service::Service;
use crate::store;

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
    /// The bound on each request to Mattermost; the outbox's claims are derived from it.
    pub mattermost_timeout: Duration,
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
        }
    }
}

/// A running bot. Dropping it does not stop it; call `shutdown`.
pub struct RunningApp {
    pub addr: std::net::SocketAddr,
    pub service: Service,
    pub sender: Sender,
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
    let pool = store::connect(&settings.database_url)
        .await
        .with_context(|| format!("could not open the database {}", settings.database_url))?;
    let mm = MattermostClient::new(
        &mm_settings.url,
        mm_settings.bot_token.clone(),
        options.mattermost_timeout,
    )
    .context("invalid LOTTO_MATTERMOST_URL")?;
    let me = mm
        .get_me()
        .await
        .context("could not reach Mattermost with LOTTO_BOT_TOKEN (GET /api/v4/users/me)")?;
    let bot_id = me.id.clone();
    let sender = Sender::new(
        pool.clone(),
        mm.clone(),
        bot_id.clone(),
        options.retry.clone(),
    );
    let service = Service::new(crate::service::Deps {
        pool: pool.clone(),
        mm: mm.clone(),
        bot_id,
        admins: settings.admins.clone(),
        rotation_creators: settings.rotation_creators,
        sender: Some(sender.clone()),
        slash_deadline: options.slash_deadline,
        graph: settings.graph.clone(),
        public_url: settings.public_url.clone(),
        calendar: calendar_sync(&settings, options.calendar.clone())?,
    });
    let (shutdown_tx, shutdown_rx) = watch::channel(false);
    let mut tasks = Vec::new();
    if options.background_sender {
        tasks.push(tokio::spawn(sender.clone().run(shutdown_rx.clone())));
    }
    if let Some(every) = settings.autopilot_interval {
        tasks.push(tokio::spawn(crate::autopilot::run_loop(
            service.clone(),
            options.instance.clone(),
            every,
            shutdown_rx.clone(),
        )));
    }
    if let Some(every) = settings.calendar_interval {
        tasks.push(tokio::spawn(crate::calendar::job::run_loop(
            service.clone(),
            options.instance.clone(),
            every,
            shutdown_rx.clone(),
        )));
    }
    let state = AppState {
        service: service.clone(),
        slash_tokens: Arc::new(mm_settings.slash_tokens.clone()),
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
        shutdown: shutdown_tx,
        tasks,
    })
}

/// For `exec`: the service without HTTP or background jobs.
pub async fn service_only(settings: &Settings) -> anyhow::Result<(Service, Sender)> {
    let mm_settings = settings.mattermost()?;
    let pool = store::connect(&settings.database_url).await?;
    let mm = MattermostClient::new(
        &mm_settings.url,
        mm_settings.bot_token.clone(),
        DEFAULT_REQUEST_TIMEOUT,
    )?;
    let me = mm
        .get_me()
        .await
        .context("could not reach Mattermost with LOTTO_BOT_TOKEN")?;
    let bot_id = me.id.clone();
    let sender = Sender::new(
        pool.clone(),
        mm.clone(),
        bot_id.clone(),
        RetryPolicy::default(),
    );
    let service = Service::new(crate::service::Deps {
        pool,
        mm,
        bot_id,
        admins: settings.admins.clone(),
        rotation_creators: settings.rotation_creators,
        sender: None,
        slash_deadline: Duration::from_secs(3600),
        graph: settings.graph.clone(),
        public_url: settings.public_url.clone(),
        calendar: calendar_sync(settings, SyncOptions::default())?,
    });
    Ok((service, sender))
}

/// The calendar sources (Graph when configured, ICS feeds) the commands and the sync job share.
fn calendar_sync(settings: &Settings, options: SyncOptions) -> anyhow::Result<Arc<CalendarSync>> {
    let sync =
        CalendarSync::from_settings(settings.graph.as_ref(), settings.ics_allow_private, options)
            .context("could not set up the calendar sources")?;
    Ok(Arc::new(sync))
}

/// Keeps the compiler honest about the secret type used for tokens.
pub type Token = SecretString;
