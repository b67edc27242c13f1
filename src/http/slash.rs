//! `POST /slash` and `GET /slash`: the outgoing slash-command request exactly as Mattermost sends it
//! (docs/mattermost-contract.md §1.2), answered with a JSON CommandResponse.

use axum::Json;
use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use secrecy::ExposeSecret;
use subtle::ConstantTimeEq;

use super::AppState;
use crate::mattermost::CommandResponse;
use crate::service::SlashRequest;

pub async fn handle_post(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    handle(state, &headers, &body).await
}

pub async fn handle_get(
    State(state): State<AppState>,
    headers: HeaderMap,
    RawQuery(q): RawQuery,
) -> Response {
    handle(state, &headers, q.unwrap_or_default().as_bytes()).await
}

async fn handle(state: AppState, headers: &HeaderMap, form: &[u8]) -> Response {
    let fields: Vec<(String, String)> = form_urlencoded::parse(form).into_owned().collect();
    let token = fields
        .iter()
        .find(|(k, _)| k == "token")
        .map(|(_, v)| v.as_str())
        .or_else(|| header_token(headers));
    if !token.is_some_and(|t| token_matches(&state, t)) {
        return (
            StatusCode::UNAUTHORIZED,
            Json(CommandResponse::ephemeral("Unknown slash command token.")),
        )
            .into_response();
    }
    let req = match SlashRequest::from_fields(&fields) {
        Ok(r) => r,
        Err(missing) => {
            return (
                StatusCode::BAD_REQUEST,
                Json(CommandResponse::ephemeral(format!(
                    "This is not a slash command request: `{missing}` is missing."
                ))),
            )
                .into_response();
        }
    };
    let reply = state.service.handle_slash(req).await;
    ([(header::CONTENT_TYPE, "application/json")], Json(reply)).into_response()
}

/// `Authorization: Token <t>` (Mattermost sends it beside the form field).
fn header_token(headers: &HeaderMap) -> Option<&str> {
    let v = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = v.split_once(' ')?;
    scheme.eq_ignore_ascii_case("token").then_some(token.trim())
}

/// Compares against every configured token in constant time.
fn token_matches(state: &AppState, token: &str) -> bool {
    let mut ok = subtle::Choice::from(0u8);
    for t in state.slash_tokens.iter() {
        let expected = t.expose_secret().as_bytes();
        ok |= expected.ct_eq(token.as_bytes());
    }
    bool::from(ok)
}
