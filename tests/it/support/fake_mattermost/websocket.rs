//! The fake's WebSocket (`/api/v4/websocket`, docs/mattermost-contract.md §4), a real one.
//!
//! Authentication by `Authorization: Bearer` on the upgrade (a bad token is 401), or, without the
//! header, by an `authentication_challenge` within 5 s (a bad token closes the socket without a
//! reply). A new connection gets a `hello` with its `connection_id` as message 0; every message
//! after it has the next sequence number. Each connection keeps its last 128 messages (the server's
//! `deadQueueSize`), also those broadcast while it is disconnected, so connecting again with
//! `connection_id` + `sequence_number` replays what was missed and says no `hello`; an unknown
//! connection, or a sequence number the buffer no longer holds, gets a new connection and a `hello`.
//!
//! `user_updated` goes to every connection whenever a user changes ([`State::user_changed`]):
//! unsanitised to system admins and to the user's own connections, sanitised (props kept) to others.

use std::collections::{HashMap, VecDeque};
use std::time::Duration;

use axum::extract::State as AxumState;
use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};
use tokio::sync::mpsc;

use super::http::{ApiError, Ctx, authenticate};
use super::state::{Shared, State, lock, new_id};

/// `deadQueueSize`: how many messages a connection keeps for a resume.
pub(crate) const DEAD_QUEUE_SIZE: usize = 128;
/// `authCheckInterval`: how long an unauthenticated socket may stay open.
const AUTH_TIMEOUT: Duration = Duration::from_secs(5);

pub(crate) enum Outgoing {
    Text(String),
    /// End the socket abruptly, as a network failure would.
    Drop,
}

pub(crate) struct WsConnection {
    user_id: String,
    next_seq: i64,
    recent: VecDeque<(i64, String)>,
    /// The socket currently serving this connection: (generation, its queue).
    live: Option<(u64, mpsc::UnboundedSender<Outgoing>)>,
}

impl WsConnection {
    /// Numbers and remembers a message; returns its text.
    fn push(&mut self, mut message: Value) -> String {
        let seq = self.next_seq;
        self.next_seq += 1;
        message["seq"] = json!(seq);
        let text = message.to_string();
        self.recent.push_back((seq, text.clone()));
        while self.recent.len() > DEAD_QUEUE_SIZE {
            self.recent.pop_front();
        }
        text
    }

    fn send(&mut self, text: String) {
        if let Some((_, tx)) = &self.live
            && tx.send(Outgoing::Text(text)).is_err()
        {
            self.live = None;
        }
    }
}

#[derive(Default)]
pub(crate) struct WsHub {
    connections: HashMap<String, WsConnection>,
    next_generation: u64,
    /// Upgrades that were authenticated.
    pub handshakes: usize,
    /// Of those, resumes that replayed instead of saying hello.
    pub resumes: usize,
    /// When upgrades were refused for a bad token (401).
    pub refused: Vec<std::time::Instant>,
}

impl WsHub {
    /// Registers an authenticated socket: the messages to send first, and its identity.
    fn open(
        &mut self,
        user_id: &str,
        resume: Option<(String, i64)>,
        tx: mpsc::UnboundedSender<Outgoing>,
    ) -> (String, u64, Vec<String>) {
        self.handshakes += 1;
        self.next_generation += 1;
        let generation = self.next_generation;
        if let Some((id, seq)) = &resume
            && let Some(connection) = self.connections.get_mut(id)
            && connection.user_id == user_id
        {
            let oldest = connection
                .recent
                .front()
                .map_or(connection.next_seq, |(s, _)| *s);
            if (oldest..=connection.next_seq).contains(seq) {
                if let Some((_, old)) = connection.live.take() {
                    let _ = old.send(Outgoing::Drop);
                }
                let replay = connection
                    .recent
                    .iter()
                    .filter(|(s, _)| s >= seq)
                    .map(|(_, text)| text.clone())
                    .collect();
                connection.live = Some((generation, tx));
                self.resumes += 1;
                return (id.clone(), generation, replay);
            }
        }
        if let Some((id, _)) = resume
            && let Some(old) = self.connections.remove(&id)
            && let Some((_, tx)) = old.live
        {
            let _ = tx.send(Outgoing::Drop);
        }
        let id = new_id();
        let mut connection = WsConnection {
            user_id: user_id.to_string(),
            next_seq: 0,
            recent: VecDeque::new(),
            live: Some((generation, tx)),
        };
        let hello = connection.push(json!({
            "event": "hello",
            "data": {
                "connection_id": id,
                "server_version": "10.11.0.0.fake.false",
                "server_hostname": "fake-mattermost",
            },
            "broadcast": broadcast(user_id),
        }));
        self.connections.insert(id.clone(), connection);
        (id, generation, vec![hello])
    }

    fn closed(&mut self, id: &str, generation: u64) {
        if let Some(connection) = self.connections.get_mut(id)
            && connection
                .live
                .as_ref()
                .is_some_and(|(g, _)| *g == generation)
        {
            connection.live = None;
        }
    }

    /// Ends every open socket abruptly; the connections stay resumable.
    pub fn drop_all(&mut self) {
        for connection in self.connections.values_mut() {
            if let Some((_, tx)) = connection.live.take() {
                let _ = tx.send(Outgoing::Drop);
            }
        }
    }

    /// Forgets every connection, as a server restart does: resuming gets a new `hello`.
    pub fn forget_all(&mut self) {
        self.drop_all();
        self.connections.clear();
    }

    pub fn live(&self) -> usize {
        self.connections
            .values()
            .filter(|c| c.live.as_ref().is_some_and(|(_, tx)| !tx.is_closed()))
            .count()
    }
}

fn broadcast(user_id: &str) -> Value {
    json!({
        "omit_users": null,
        "user_id": user_id,
        "channel_id": "",
        "team_id": "",
        "connection_id": "",
        "omit_connection_id": "",
    })
}

impl State {
    /// A user changed: `user_updated` to every connection, live or waiting for a resume. Every route
    /// that changes a user calls this.
    pub(crate) fn user_changed(&mut self, user_id: &str) {
        let Some(user) = self.users.get(user_id) else {
            return;
        };
        let full = user.to_json();
        let mut sanitised = full.clone();
        if let Some(fields) = sanitised.as_object_mut() {
            // `SanitizeProfile`: secrets and settings go, props (the custom status) stay.
            fields.remove("notify_props");
            fields.insert("auth_data".into(), json!(""));
            fields.insert("last_password_update".into(), json!(0));
        }
        let is_admin: HashMap<String, bool> = self
            .users
            .values()
            .map(|u| (u.id.clone(), u.is_system_admin()))
            .collect();
        for connection in self.ws.connections.values_mut() {
            let sees_everything = connection.user_id == user_id
                || is_admin.get(&connection.user_id).copied().unwrap_or(false);
            let user = if sees_everything { &full } else { &sanitised };
            let text = connection.push(json!({
                "event": "user_updated",
                "data": {"user": user},
                "broadcast": {
                    "omit_users": null,
                    "user_id": "",
                    "channel_id": "",
                    "team_id": "",
                    "connection_id": "",
                    "omit_connection_id": "",
                },
            }));
            connection.send(text);
        }
    }
}

pub(crate) async fn websocket(
    AxumState(shared): AxumState<Shared>,
    ctx: Ctx,
    upgrade: WebSocketUpgrade,
) -> Response {
    let user_id = if ctx.headers.contains_key("authorization") {
        let outcome = authenticate(&lock(&shared), &ctx.headers);
        match outcome {
            Ok(user_id) => Some(user_id),
            Err(error) => {
                lock(&shared).ws.refused.push(std::time::Instant::now());
                return error.into_response(&ctx.request_id);
            }
        }
    } else {
        None
    };
    let resume = ctx.query_param("connection_id").map(|id| {
        let seq = ctx
            .query_param("sequence_number")
            .and_then(|s| s.parse().ok())
            .unwrap_or(0);
        (id, seq)
    });
    upgrade
        .on_upgrade(move |socket| session(socket, shared, user_id, resume))
        .into_response()
}

async fn session(
    mut socket: WebSocket,
    shared: Shared,
    user_id: Option<String>,
    resume: Option<(String, i64)>,
) {
    let user_id = match user_id {
        Some(id) => id,
        None => match challenge(&mut socket, &shared).await {
            Some(id) => id,
            None => return,
        },
    };
    let (tx, mut rx) = mpsc::unbounded_channel();
    let (id, generation, opening) = lock(&shared).ws.open(&user_id, resume, tx);
    'pump: {
        for text in opening {
            if socket.send(Message::Text(text.into())).await.is_err() {
                break 'pump;
            }
        }
        loop {
            tokio::select! {
                out = rx.recv() => match out {
                    Some(Outgoing::Text(text)) => {
                        if socket.send(Message::Text(text.into())).await.is_err() {
                            break;
                        }
                    }
                    Some(Outgoing::Drop) | None => break,
                },
                incoming = socket.recv() => match incoming {
                    Some(Ok(Message::Text(text))) => {
                        if let Some(reply) = answer(text.as_str())
                            && socket.send(Message::Text(reply.to_string().into())).await.is_err()
                        {
                            break;
                        }
                    }
                    Some(Ok(Message::Close(_))) | Some(Err(_)) | None => break,
                    Some(Ok(_)) => {}
                },
            }
        }
    }
    lock(&shared).ws.closed(&id, generation);
}

/// Waits for `authentication_challenge`; `None` (the socket closed without a reply) for a bad
/// token, anything else, or nothing within 5 s.
async fn challenge(socket: &mut WebSocket, shared: &Shared) -> Option<String> {
    let first = tokio::time::timeout(AUTH_TIMEOUT, socket.recv()).await;
    let Ok(Some(Ok(Message::Text(text)))) = first else {
        return None;
    };
    let request: Value = serde_json::from_str(text.as_str()).ok()?;
    if request.get("action").and_then(Value::as_str) != Some("authentication_challenge") {
        return None;
    }
    let seq = request.get("seq").and_then(Value::as_i64)?;
    let token = request.pointer("/data/token").and_then(Value::as_str)?;
    let mut headers = HeaderMap::new();
    headers.insert("authorization", format!("Bearer {token}").parse().ok()?);
    let user_id = authenticate(&lock(shared), &headers).ok()?;
    let reply = json!({"status": "OK", "seq_reply": seq});
    socket
        .send(Message::Text(reply.to_string().into()))
        .await
        .ok()?;
    Some(user_id)
}

/// The answer to a client request: the fake knows no actions besides authentication, so any other
/// well-formed request gets a FAIL like an unknown action does.
fn answer(text: &str) -> Option<Value> {
    let request: Value = serde_json::from_str(text).ok()?;
    let seq = request.get("seq").and_then(Value::as_i64).unwrap_or(0);
    let error = ApiError::new(
        axum::http::StatusCode::BAD_REQUEST,
        "api.web_socket_router.bad_action.app_error",
        "Unknown action.",
    );
    Some(json!({
        "status": "FAIL",
        "seq_reply": seq,
        "error": {"id": error.id, "message": error.message, "status_code": 400},
    }))
}
