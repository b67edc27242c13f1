//! `GET /admin/support-packet` (the support packet as a download, for `Authorization: Bearer
//! $LOTTO_ADMIN_TOKEN`) and `GET /metrics` (Prometheus' text format).
//!
//! Without `LOTTO_ADMIN_TOKEN` the admin endpoints do not exist (404), so an unconfigured bot offers
//! nothing to guess at; a wrong or missing token is 401, compared in constant time.

use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use secrecy::ExposeSecret;
use subtle::ConstantTimeEq;

use super::AppState;
use crate::support;

pub async fn support_packet(
    State(state): State<AppState>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Response {
    let Some(expected) = &state.admin_token else {
        return (StatusCode::NOT_FOUND, "Not found").into_response();
    };
    let given = bearer(&headers).unwrap_or_default();
    if !bool::from(expected.expose_secret().as_bytes().ct_eq(given.as_bytes())) {
        return (
            StatusCode::UNAUTHORIZED,
            [(header::WWW_AUTHENTICATE, "Bearer")],
            "A valid `Authorization: Bearer <LOTTO_ADMIN_TOKEN>` header is required.",
        )
            .into_response();
    }
    // `?logs=false` leaves the log tail out, like Mattermost's `basic_server_logs=false`.
    let logs = !form_urlencoded::parse(query.unwrap_or_default().as_bytes())
        .any(|(k, v)| k == "logs" && matches!(v.as_ref(), "false" | "0" | "no" | "off"));
    let packet = support::generate(
        state.service.packet_sources(),
        support::Options { logs },
        chrono::Utc::now(),
    )
    .await;
    tracing::info!(filename = %packet.filename, logs, warnings = packet.warnings.len(), "support packet downloaded");
    let disposition = HeaderValue::from_str(&format!("attachment; filename={}", packet.filename))
        .unwrap_or_else(|_| HeaderValue::from_static("attachment"));
    (
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static(support::CONTENT_TYPE),
            ),
            (header::CONTENT_DISPOSITION, disposition),
            (
                header::CACHE_CONTROL,
                HeaderValue::from_static("no-cache, no-store, must-revalidate"),
            ),
        ],
        packet.bytes,
    )
        .into_response()
}

/// `Authorization: Bearer <t>` (scheme case-insensitive).
fn bearer(headers: &HeaderMap) -> Option<&str> {
    let v = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = v.trim().split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then_some(token.trim())
}

pub async fn metrics(State(state): State<AppState>) -> Response {
    match crate::metrics::render(state.service.db()).await {
        Some(text) => (
            [(
                header::CONTENT_TYPE,
                "text/plain; version=0.0.4; charset=utf-8",
            )],
            text,
        )
            .into_response(),
        None => (
            StatusCode::SERVICE_UNAVAILABLE,
            "metrics are not recorded in this process",
        )
            .into_response(),
    }
}
