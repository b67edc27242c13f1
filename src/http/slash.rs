//! `POST /slash` and `GET /slash`: the outgoing slash-command request exactly as Mattermost sends it
//! (docs/mattermost-contract.md §1.2), answered with a JSON CommandResponse.
//!
//! The transport lives here and only here: form parsing, the token check, the deadline after which
//! Mattermost gets "working on it" and the result follows through `response_url`, and splitting a
//! long reply into several posts. The service only sees (caller, text, mentions).

use axum::Json;
use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use secrecy::ExposeSecret;
use subtle::ConstantTimeEq;

use std::collections::HashMap;

use super::AppState;
use crate::mattermost::CommandResponse;
use crate::service::{Caller, Reply};

/// The fields of a slash request the bot uses (docs/mattermost-contract.md §1.2).
#[derive(Debug, Clone, Default)]
struct SlashRequest {
    caller: Caller,
    text: String,
    response_url: Option<String>,
    /// username → user id, from the repeated `user_mentions`/`user_mentions_ids` fields.
    mentions: HashMap<String, String>,
}

impl SlashRequest {
    /// Reads the form fields; returns the name of a missing required field.
    fn from_fields(fields: &[(String, String)]) -> Result<Self, &'static str> {
        let get = |k: &str| fields.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone());
        let all = |k: &str| {
            fields
                .iter()
                .filter(|(n, _)| n == k)
                .map(|(_, v)| v.clone())
                .collect::<Vec<_>>()
        };
        let user_id = get("user_id").filter(|v| !v.is_empty()).ok_or("user_id")?;
        let mentions = all("user_mentions")
            .into_iter()
            .zip(all("user_mentions_ids"))
            .map(|(name, id)| (name.trim_start_matches('@').to_string(), id))
            .collect();
        Ok(SlashRequest {
            caller: Caller {
                user_id,
                user_name: get("user_name").unwrap_or_default(),
                team_id: get("team_id").unwrap_or_default(),
            },
            text: get("text").unwrap_or_default(),
            response_url: get("response_url")
                .filter(|u| u.starts_with("http://") || u.starts_with("https://")),
            mentions,
        })
    }
}

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
    let started = std::time::Instant::now();
    let fields: Vec<(String, String)> = form_urlencoded::parse(form).into_owned().collect();
    let token = fields
        .iter()
        .find(|(k, _)| k == "token")
        .map(|(_, v)| v.as_str())
        .or_else(|| header_token(headers));
    if !token.is_some_and(|t| token_matches(&state, t)) {
        crate::metrics::slash("unauthorized", started.elapsed());
        return (
            StatusCode::UNAUTHORIZED,
            Json(CommandResponse::ephemeral("Unknown slash command token.")),
        )
            .into_response();
    }
    let req = match SlashRequest::from_fields(&fields) {
        Ok(r) => r,
        Err(missing) => {
            crate::metrics::slash("bad_request", started.elapsed());
            return (
                StatusCode::BAD_REQUEST,
                Json(CommandResponse::ephemeral(format!(
                    "This is not a slash command request: `{missing}` is missing."
                ))),
            )
                .into_response();
        }
    };
    let (reply, outcome) = answer(&state, req).await;
    crate::metrics::slash(outcome, started.elapsed());
    ([(header::CONTENT_TYPE, "application/json")], Json(reply)).into_response()
}

/// Answers within the deadline. Work that outlives it keeps running and its result is posted to
/// `response_url`, while Mattermost gets an immediate "working on it". Also says how it went, for
/// the metrics.
async fn answer(state: &AppState, req: SlashRequest) -> (CommandResponse, &'static str) {
    let svc = state.service.clone();
    let SlashRequest {
        caller,
        text,
        response_url,
        mentions,
    } = req;
    let mut work = tokio::spawn(async move { svc.execute(&caller, &text, &mentions).await });
    match tokio::time::timeout(state.slash_deadline, &mut work).await {
        Ok(Ok(reply)) => (
            CommandResponse::ephemeral_long(&reply.text),
            if reply.is_error { "error" } else { "ok" },
        ),
        Ok(Err(e)) => {
            tracing::error!(error = %e, "command task failed");
            (
                CommandResponse::ephemeral(
                    "Something went wrong on our side; nothing was changed. Please try again.",
                ),
                "failed",
            )
        }
        Err(_) => {
            let mm = state.service.mattermost().clone();
            tokio::spawn(async move {
                let text = match work.await {
                    Ok(Reply { text, .. }) => text,
                    Err(_) => {
                        "Something went wrong on our side while finishing your command.".to_string()
                    }
                };
                if let Some(url) = response_url
                    && let Err(e) = mm
                        .post_response_url(&url, &CommandResponse::ephemeral_long(&text))
                        .await
                {
                    tracing::warn!(error = %e, "could not post the delayed reply");
                }
            });
            (
                CommandResponse::ephemeral("Working on it… the result will appear here shortly."),
                "deferred",
            )
        }
    }
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
