//! A stand-in for the bot's `/slash` endpoint: serves a fixed answer on a random port and records
//! every request, for tests of the fake Mattermost's slash side and of `response_url`.

use std::sync::{Arc, Mutex};

use axum::body::Bytes;
use axum::http::{HeaderMap, Method, Uri};
use axum::response::{IntoResponse, Response};

/// One request as the receiver saw it.
pub type Request = (Method, Uri, HeaderMap, Bytes);

/// A stand-in for the bot's `/slash` endpoint that records what it received.
#[derive(Clone, Default)]
pub struct Received {
    requests: Arc<Mutex<Vec<Request>>>,
}

impl Received {
    pub fn last(&self) -> Request {
        self.requests
            .lock()
            .unwrap()
            .last()
            .cloned()
            .expect("a request arrived")
    }
}

/// Serves `respond()` on a random port; returns the `/slash` URL and what arrived.
pub async fn receiver(respond: fn() -> Response) -> (String, Received) {
    let received = Received::default();
    let store = received.clone();
    let handler = move |method: Method, uri: Uri, headers: HeaderMap, body: Bytes| {
        let store = store.clone();
        async move {
            store
                .requests
                .lock()
                .unwrap()
                .push((method, uri, headers, body));
            respond()
        }
    };
    let app = axum::Router::new().route("/slash", axum::routing::any(handler));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/slash", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (url, received)
}

/// What a bot answers: an ephemeral `ok from the bot`.
pub fn json_reply() -> Response {
    axum::Json(serde_json::json!({"response_type": "ephemeral", "text": "ok from the bot"}))
        .into_response()
}
