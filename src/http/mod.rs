//! The HTTP edge: one router, one shared state. Handlers translate requests into service calls and
//! service results into responses; nothing here knows the rules.
//!
//! Error policy: the slash endpoint always answers 200 with a CommandResponse once the token is valid
//! (command errors are replies, not HTTP errors); 401 for an unknown token; 413 for bodies over 64 KiB;
//! 400 for a request that is not a slash request at all. Internal errors are logged, never echoed.
//! `/admin/*` answers 404 unless `LOTTO_ADMIN_TOKEN` is set, and 401 without it as a bearer token.

mod actions;
mod admin;
mod ical;
mod slash;

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use tower_http::trace::TraceLayer;

use crate::service::Service;

/// Largest request body accepted.
pub const MAX_BODY_BYTES: usize = 64 * 1024;

#[derive(Clone)]
pub struct AppState {
    pub service: Service,
    pub slash_tokens: Arc<Vec<secrecy::SecretString>>,
    /// How long a slash command may run before the reply goes through `response_url` instead.
    pub slash_deadline: Duration,
    /// `LOTTO_ADMIN_TOKEN`; `None` turns the `/admin/*` endpoints off (404).
    pub admin_token: Option<Arc<secrecy::SecretString>>,
}

pub fn router(state: AppState) -> Router {
    Router::new()
        .route("/slash", get(slash::handle_get).post(slash::handle_post))
        .route(
            "/actions",
            post(actions::handle).layer(DefaultBodyLimit::max(actions::MAX_ACTION_BYTES)),
        )
        .route("/ical/{file}", get(ical::handle))
        .route("/healthz", get(healthz))
        .route("/metrics", get(admin::metrics))
        .route("/admin/support-packet", get(admin::support_packet))
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(TraceLayer::new_for_http().make_span_with(request_span))
        .with_state(state)
}

/// The request's span names the path only: a `GET /slash` carries the slash token (and the
/// `response_url` capability) in its query string, which must never reach a log; a calendar feed's
/// path is its secret, so it shows as `/ical/…`.
fn request_span(request: &axum::http::Request<axum::body::Body>) -> tracing::Span {
    let path = request.uri().path();
    let path = if path.starts_with("/ical/") {
        "/ical/…"
    } else {
        path
    };
    tracing::debug_span!("request", method = %request.method(), path = %path)
}

async fn healthz(State(state): State<AppState>) -> (StatusCode, &'static str) {
    match state.service.ping().await {
        Ok(()) => (StatusCode::OK, "ok"),
        Err(e) => {
            tracing::error!(error = %e, "health check failed");
            (StatusCode::SERVICE_UNAVAILABLE, "database unavailable")
        }
    }
}
