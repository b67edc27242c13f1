//! `GET /ical/<token>.ics`: a calendar feed, with ETag / Last-Modified so clients polling every few
//! minutes get a 304 until something changes. Unknown, revoked and malformed tokens all answer 404
//! alike, so the answer says nothing about which tokens exist.

use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};

use super::AppState;
use crate::service::ical::Feed;

pub async fn handle(
    State(state): State<AppState>,
    Path(file): Path<String>,
    headers: HeaderMap,
) -> Response {
    let Some(token) = file.strip_suffix(".ics") else {
        return not_found();
    };
    match state.service.ical_feed(token, Utc::now()).await {
        Ok(Some(feed)) => answer(&feed, &headers),
        Ok(None) => not_found(),
        Err(e) => {
            tracing::error!(error = %e, "a calendar feed failed");
            (StatusCode::SERVICE_UNAVAILABLE, "try again later").into_response()
        }
    }
}

fn not_found() -> Response {
    (StatusCode::NOT_FOUND, "no such calendar").into_response()
}

fn answer(feed: &Feed, request: &HeaderMap) -> Response {
    let last_modified = httpdate::fmt_http_date(feed.last_modified.into());
    let mut headers = HeaderMap::new();
    let mut set = |name, value: &str| {
        if let Ok(v) = HeaderValue::from_str(value) {
            headers.insert(name, v);
        }
    };
    set(header::ETAG, &feed.etag);
    set(header::LAST_MODIFIED, &last_modified);
    // Clients may keep it but must ask again; the link is a secret, so no shared caches.
    set(header::CACHE_CONTROL, "private, no-cache");
    if not_modified(feed, request) {
        return (StatusCode::NOT_MODIFIED, headers).into_response();
    }
    set(header::CONTENT_TYPE, "text/calendar; charset=utf-8");
    (StatusCode::OK, headers, feed.body.to_string()).into_response()
}

/// RFC 9110 §13.2.2: If-None-Match, when present, decides; otherwise If-Modified-Since.
fn not_modified(feed: &Feed, request: &HeaderMap) -> bool {
    if let Some(inm) = request.get(header::IF_NONE_MATCH) {
        let Ok(inm) = inm.to_str() else { return false };
        return inm
            .split(',')
            .map(str::trim)
            .any(|tag| tag == "*" || tag.strip_prefix("W/").unwrap_or(tag) == feed.etag.as_str());
    }
    let Some(since) = request
        .get(header::IF_MODIFIED_SINCE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| httpdate::parse_http_date(v).ok())
    else {
        return false;
    };
    // HTTP dates have whole seconds.
    let since: DateTime<Utc> = since.into();
    feed.last_modified.timestamp() <= since.timestamp()
}
