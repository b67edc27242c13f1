//! A typed client for Mattermost's WebSocket (`/api/v4/websocket`, docs/mattermost-contract.md §4).
//!
//! The bot authenticates with its token in `Authorization: Bearer` on the upgrade request. A new
//! connection starts with a `hello` carrying its `connection_id`; every event has a sequence number.
//! After a drop, connecting again with `connection_id` + `sequence_number` (the next sequence number
//! expected) resumes: the server replays what was missed from its per-connection buffer, and sends
//! no `hello`. When it can't (buffer gone or overrun, server restarted) it answers with a `hello`
//! of a new connection instead; telling the two apart is the caller's job (`profile::listener`).
//!
//! Keep-alive: the server pings every minute and this client answers (tungstenite does); the client
//! also pings and gives the connection up when it has heard nothing for a while, so a half-open TCP
//! connection is noticed.

mod event;

use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use reqwest::Url;
use reqwest::header::{AUTHORIZATION, HeaderValue};
use tokio::net::TcpStream;
use tokio::time::{Instant, MissedTickBehavior};
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;
use tokio_tungstenite::tungstenite::{self, Message};
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

pub use event::{EventError, ServerMessage, WsEvent};

use super::MattermostClient;

/// The largest message we read (a `user_updated` is a few KiB); larger is a protocol error.
const MAX_MESSAGE_BYTES: usize = 4 * 1024 * 1024;

/// How the client keeps a connection honest.
#[derive(Debug, Clone, Copy)]
pub struct Keepalive {
    /// How long connecting (TCP, TLS, upgrade) may take.
    pub connect_timeout: Duration,
    /// How long a new connection may take to say `hello`.
    pub hello_timeout: Duration,
    /// How often we ping.
    pub ping_every: Duration,
    /// Silence (no message, ping or pong) after which the connection is given up.
    pub silence_limit: Duration,
}

impl Default for Keepalive {
    fn default() -> Self {
        // The server pings every 60 s and waits 100 s for a pong: mirror it.
        Keepalive {
            connect_timeout: Duration::from_secs(10),
            hello_timeout: Duration::from_secs(10),
            ping_every: Duration::from_secs(30),
            silence_limit: Duration::from_secs(100),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum WebSocketError {
    #[error("Mattermost refused the bot token on the WebSocket (HTTP 401): check LOTTO_BOT_TOKEN")]
    Unauthorized,
    #[error("Mattermost refused the WebSocket upgrade with HTTP {0}")]
    Rejected(u16),
    #[error("WebSocket transport failed: {0}")]
    Transport(String),
    #[error("WebSocket protocol error: {0}")]
    Protocol(String),
    #[error("the connection said no hello in time (a refused token closes it without one)")]
    NoHello,
    #[error("the server closed the WebSocket")]
    Closed,
    #[error("nothing heard on the WebSocket for {0:?}")]
    Silent(Duration),
}

/// Where to resume: the connection to continue and the next sequence number expected.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resume {
    pub connection_id: String,
    pub sequence_number: i64,
}

/// Opens WebSocket connections as the bot. Cheap to clone.
#[derive(Clone)]
pub struct WebSocketClient {
    url: Url,
    authorization: HeaderValue,
    keepalive: Keepalive,
}

impl std::fmt::Debug for WebSocketClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WebSocketClient")
            .field("url", &self.url.as_str())
            .finish_non_exhaustive()
    }
}

impl MattermostClient {
    /// A WebSocket client for the same server and bot token (`http` → `ws`, `https` → `wss`).
    pub fn websocket(&self, keepalive: Keepalive) -> WebSocketClient {
        let mut url = self.api_url(&["websocket"]);
        let scheme = if url.scheme() == "https" { "wss" } else { "ws" };
        // Both schemes are special and of the same kind, so this can't fail; if it did, the
        // upgrade would fail with a clear transport error.
        let _ = url.set_scheme(scheme);
        WebSocketClient {
            url,
            authorization: self.authorization().clone(),
            keepalive,
        }
    }
}

impl WebSocketClient {
    /// Connects, fresh or resuming. A fresh connection is returned after its `hello`, which is
    /// then the first event `next` yields; a resumed one at once.
    pub async fn connect(
        &self,
        resume: Option<&Resume>,
    ) -> Result<WebSocketConnection, WebSocketError> {
        let mut url = self.url.clone();
        if let Some(r) = resume {
            url.query_pairs_mut()
                .append_pair("connection_id", &r.connection_id)
                .append_pair("sequence_number", &r.sequence_number.to_string());
        }
        let mut request = url
            .as_str()
            .into_client_request()
            .map_err(|e| WebSocketError::Protocol(e.to_string()))?;
        request
            .headers_mut()
            .insert(AUTHORIZATION, self.authorization.clone());
        let config = WebSocketConfig::default()
            .max_message_size(Some(MAX_MESSAGE_BYTES))
            .max_frame_size(Some(MAX_MESSAGE_BYTES));
        let connecting = tokio_tungstenite::connect_async_with_config(request, Some(config), true);
        let (stream, _) = tokio::time::timeout(self.keepalive.connect_timeout, connecting)
            .await
            .map_err(|_| WebSocketError::Transport("connecting timed out".into()))?
            .map_err(upgrade_error)?;
        let mut connection = WebSocketConnection::new(stream, self.keepalive);
        if resume.is_none() {
            let first = tokio::time::timeout(self.keepalive.hello_timeout, connection.next())
                .await
                .map_err(|_| WebSocketError::NoHello)?;
            match first {
                Ok(
                    hello @ ServerMessage::Event {
                        event: WsEvent::Hello { .. },
                        ..
                    },
                ) => connection.pending = Some(hello),
                Ok(_) => return Err(WebSocketError::NoHello),
                Err(WebSocketError::Closed) => return Err(WebSocketError::NoHello),
                Err(e) => return Err(e),
            }
        }
        Ok(connection)
    }
}

fn upgrade_error(error: tungstenite::Error) -> WebSocketError {
    match error {
        tungstenite::Error::Http(response) if response.status().as_u16() == 401 => {
            WebSocketError::Unauthorized
        }
        tungstenite::Error::Http(response) => WebSocketError::Rejected(response.status().as_u16()),
        other => WebSocketError::Transport(other.to_string()),
    }
}

/// One open connection.
pub struct WebSocketConnection {
    stream: WebSocketStream<MaybeTlsStream<TcpStream>>,
    keepalive: Keepalive,
    ping: tokio::time::Interval,
    last_heard: Instant,
    /// The `hello` read while connecting, handed out first.
    pending: Option<ServerMessage>,
}

impl WebSocketConnection {
    fn new(stream: WebSocketStream<MaybeTlsStream<TcpStream>>, keepalive: Keepalive) -> Self {
        let mut ping =
            tokio::time::interval_at(Instant::now() + keepalive.ping_every, keepalive.ping_every);
        ping.set_missed_tick_behavior(MissedTickBehavior::Delay);
        WebSocketConnection {
            stream,
            keepalive,
            ping,
            last_heard: Instant::now(),
            pending: None,
        }
    }

    /// The next message from the server. Messages we can't read are logged and skipped; pings are
    /// answered. Cancel-safe: dropping the future loses no message.
    pub async fn next(&mut self) -> Result<ServerMessage, WebSocketError> {
        if let Some(message) = self.pending.take() {
            return Ok(message);
        }
        loop {
            let deadline = self.last_heard + self.keepalive.silence_limit;
            tokio::select! {
                frame = self.stream.next() => {
                    let frame = match frame {
                        None => return Err(WebSocketError::Closed),
                        Some(Err(e)) => return Err(read_error(e)),
                        Some(Ok(frame)) => frame,
                    };
                    self.last_heard = Instant::now();
                    let text = match frame {
                        Message::Text(text) => text,
                        Message::Close(_) => return Err(WebSocketError::Closed),
                        // Pongs to pings are queued by tungstenite and sent with the next read.
                        Message::Ping(_) | Message::Pong(_) | Message::Frame(_) => continue,
                        Message::Binary(_) => {
                            tracing::debug!("ignoring a binary WebSocket message");
                            continue;
                        }
                    };
                    match ServerMessage::parse(text.as_str()) {
                        Ok(message) => return Ok(message),
                        Err(e) => tracing::warn!(error = %e, "skipping a WebSocket message"),
                    }
                }
                _ = self.ping.tick() => {
                    self.stream
                        .send(Message::Ping(Vec::new().into()))
                        .await
                        .map_err(read_error)?;
                }
                _ = tokio::time::sleep_until(deadline) => {
                    return Err(WebSocketError::Silent(self.keepalive.silence_limit));
                }
            }
        }
    }

    /// Says goodbye (a close frame), without waiting long for the server's answer.
    pub async fn close(mut self) {
        let _ = tokio::time::timeout(Duration::from_secs(2), self.stream.close(None)).await;
    }
}

fn read_error(error: tungstenite::Error) -> WebSocketError {
    match error {
        tungstenite::Error::ConnectionClosed | tungstenite::Error::AlreadyClosed => {
            WebSocketError::Closed
        }
        tungstenite::Error::Protocol(e) => WebSocketError::Protocol(e.to_string()),
        tungstenite::Error::Capacity(e) => WebSocketError::Protocol(e.to_string()),
        other => WebSocketError::Transport(other.to_string()),
    }
}
