//! The WebSocket listener: follows Mattermost's `user_updated` events and turns them into
//! [`ProfileSignal`]s for the preset engine (docs/seed-systems.md §C.2–C.3).
//!
//! Of several bot processes on one database only one listens: the holder of the `websocket` lease,
//! renewed while it is connected and released on shutdown; when the holder dies, another process
//! takes over once the lease has lapsed. A drop is followed by a reconnect with capped, jittered
//! exponential backoff that resumes the connection (`connection_id` + `sequence_number`), so the
//! server replays what was missed. When it can't, or a sequence number shows a gap, the engine is told
//! to reconcile from the last moment the listener knew it had everything ([`tracker`]).

mod status;
mod tracker;

use std::time::Duration;

use backon::{BackoffBuilder, ExponentialBuilder};
use chrono::Utc;
use tokio::sync::watch;
use tokio::time::Instant;

use crate::jobs::{LeaseTiming, NamedLease};
use crate::mattermost::websocket::{
    Keepalive, ServerMessage, WebSocketClient, WebSocketConnection, WebSocketError, WsEvent,
};
use crate::profile::signal::{ProfileSignal, SignalSender};

pub use status::{ListenerState, ListenerStatus};
pub use tracker::{CLOCK_MARGIN, Tracker, Verdict};

/// The lease row's name.
pub const LEASE_NAME: &str = "websocket";

/// The listener's timing; tests shorten it.
#[derive(Debug, Clone, Copy)]
pub struct ListenerOptions {
    /// The lease: lasts `ttl` past its last renewal, renewed every `renew_every` while connected,
    /// sought every `poll_every` by the processes that don't hold it.
    pub lease: LeaseTiming,
    /// The first reconnect delay; it doubles after each failed attempt…
    pub backoff_base: Duration,
    /// …up to this cap (jitter included).
    pub backoff_cap: Duration,
    pub keepalive: Keepalive,
}

impl Default for ListenerOptions {
    fn default() -> Self {
        ListenerOptions {
            lease: LeaseTiming::for_interval(Duration::from_secs(30)),
            backoff_base: Duration::from_secs(1),
            backoff_cap: Duration::from_secs(60),
            keepalive: Keepalive::default(),
        }
    }
}

/// Everything the listener needs; [`Listener::run`] until shutdown.
pub struct Listener {
    pub client: WebSocketClient,
    pub lease: NamedLease,
    pub signals: SignalSender,
    pub shutdown: watch::Receiver<bool>,
    pub options: ListenerOptions,
    /// Connected or not, the last event (support packet, metrics).
    pub status: ListenerStatus,
}

/// How one connection (or attempt) ended.
enum End {
    Shutdown,
    /// Another process holds the lease now (or ours can't be confirmed in time).
    LeaseLost,
    /// Nothing was heard: the attempt failed.
    Failed(WebSocketError),
    /// The connection worked for a while, then dropped.
    Dropped(WebSocketError),
}

impl Listener {
    pub async fn run(self) {
        let name = self.lease.name();
        let instance = self.lease.holder().to_string();
        let mut tracker = Tracker::default();
        let mut backoff = self.new_backoff();
        let mut held = false;
        loop {
            if *self.shutdown.borrow() {
                break;
            }
            match self.lease.acquire().await {
                Ok(true) => {
                    if !held {
                        tracing::info!(lease = name, %instance, "took the WebSocket lease");
                    }
                    held = true;
                }
                Ok(false) => held = false,
                Err(e) => {
                    tracing::warn!(lease = name, error = %e, "could not check the WebSocket lease");
                    held = false;
                }
            }
            if !held {
                if self.pause(self.options.lease.poll_every).await {
                    break;
                }
                continue;
            }
            let wait = match self.connection(&mut tracker).await {
                End::Shutdown => break,
                End::LeaseLost => {
                    tracing::warn!(lease = name, %instance, "lost the WebSocket lease; disconnected");
                    held = false;
                    continue;
                }
                End::Dropped(e) => {
                    tracing::info!(error = %e, "the WebSocket dropped; reconnecting");
                    backoff = self.new_backoff();
                    self.next_delay(&mut backoff)
                }
                End::Failed(e) => {
                    let delay = self.next_delay(&mut backoff);
                    tracing::warn!(error = %e, retry_in = ?delay, "could not connect to the Mattermost WebSocket");
                    delay
                }
            };
            if self.pause(wait).await {
                break;
            }
        }
        if held && let Err(e) = self.lease.release().await {
            tracing::warn!(lease = name, error = %e, "could not release the WebSocket lease");
        }
    }

    /// Exponential from `backoff_base`, doubling; jitter adds up to as much again, so the base
    /// delays stop at half the cap.
    fn new_backoff(&self) -> backon::ExponentialBackoff {
        ExponentialBuilder::default()
            .with_min_delay(self.options.backoff_base)
            .with_max_delay(self.options.backoff_cap / 2)
            .with_factor(2.0)
            .with_jitter()
            .without_max_times()
            .build()
    }

    fn next_delay(&self, backoff: &mut backon::ExponentialBackoff) -> Duration {
        backoff
            .next()
            .unwrap_or(self.options.backoff_cap)
            .min(self.options.backoff_cap)
    }

    /// Sleeps; true when shutting down.
    async fn pause(&self, wait: Duration) -> bool {
        tokio::select! {
            _ = tokio::time::sleep(wait) => *self.shutdown.borrow(),
            _ = stopped(self.shutdown.clone()) => true,
        }
    }

    /// Connects (resuming if it can) and follows events until the connection ends, renewing the
    /// lease meanwhile.
    async fn connection(&self, tracker: &mut Tracker) -> End {
        let resume = tracker.resume();
        let connecting = self.client.connect(resume.as_ref());
        let connection = tokio::select! {
            result = connecting => match result {
                Ok(c) => c,
                Err(e) => return End::Failed(e),
            },
            _ = stopped(self.shutdown.clone()) => return End::Shutdown,
        };
        tracing::debug!(resuming = resume.is_some(), "WebSocket connected");
        self.status.connected(true);
        let end = self.follow(tracker, connection, resume.is_some()).await;
        self.status.connected(false);
        end
    }

    /// Follows one open connection until it ends.
    async fn follow(
        &self,
        tracker: &mut Tracker,
        mut connection: WebSocketConnection,
        resuming: bool,
    ) -> End {
        let timing = self.options.lease;
        let mut renew =
            tokio::time::interval_at(Instant::now() + timing.renew_every, timing.renew_every);
        let mut confirmed = Instant::now();
        let mut heard = false;
        let shutdown = stopped(self.shutdown.clone());
        tokio::pin!(shutdown);
        loop {
            tokio::select! {
                message = connection.next() => match message {
                    Ok(message) => {
                        heard = true;
                        if !self.handle(tracker, message).await {
                            connection.close().await;
                            return End::Shutdown;
                        }
                    }
                    Err(e) if heard || !resuming => return End::Dropped(e),
                    Err(e) => return End::Failed(e),
                },
                _ = renew.tick() => match self.lease.acquire().await {
                    Ok(true) => confirmed = Instant::now(),
                    Ok(false) => return lost(connection).await,
                    Err(e) => {
                        tracing::warn!(error = %e, "could not renew the WebSocket lease");
                        if confirmed.elapsed() + timing.renew_every >= timing.ttl {
                            return lost(connection).await;
                        }
                    }
                },
                _ = &mut shutdown => {
                    connection.close().await;
                    return End::Shutdown;
                }
            }
        }
    }

    /// Acts on one message; false when nobody listens to the signals any more.
    async fn handle(&self, tracker: &mut Tracker, message: ServerMessage) -> bool {
        let ServerMessage::Event { seq, event } = message else {
            return true;
        };
        let now = Utc::now();
        self.status.event(now);
        let verdict = match &event {
            WsEvent::Hello { connection_id, .. } => tracker.hello(connection_id, seq, now),
            _ => tracker.event(seq, now),
        };
        match verdict {
            Verdict::Duplicate => return true,
            Verdict::Fresh => {}
            Verdict::AfterGap { since } => {
                tracing::info!(%since, "events may have been missed; reconciling");
                if !self.send(ProfileSignal::Reconcile { since }).await {
                    return false;
                }
            }
        }
        match event {
            WsEvent::UserUpdated(user) => self.send(ProfileSignal::UserUpdated(user)).await,
            WsEvent::Hello { .. } | WsEvent::Other(_) => true,
        }
    }

    async fn send(&self, signal: ProfileSignal) -> bool {
        if self.signals.send(signal).await.is_ok() {
            true
        } else {
            tracing::warn!("the profile engine is gone; the WebSocket listener stops");
            false
        }
    }
}

/// Resolves when shutdown is asked for. A dropped sender is no request: a running app that is
/// dropped keeps running.
async fn stopped(mut shutdown: watch::Receiver<bool>) {
    loop {
        if *shutdown.borrow_and_update() {
            return;
        }
        if shutdown.changed().await.is_err() {
            std::future::pending::<()>().await;
        }
    }
}

async fn lost(connection: WebSocketConnection) -> End {
    connection.close().await;
    End::LeaseLost
}
