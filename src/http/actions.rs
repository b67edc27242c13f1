//! `POST /actions`: an interactive button's click, as Mattermost forwards it
//! (docs/mattermost-contract.md §4b): `{user_id, post_id, channel_id, …, context}`. Mattermost does
//! not sign this request, so the service trusts only the context's own signature and answers with
//! the post's new text (`update`) and a note for the clicker (`ephemeral_text`). Transport only.

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use chrono::Utc;
use serde::Deserialize;
use serde_json::{Value, json};

use super::AppState;
use crate::service::swap::{ActionAnswer, ActionClick};

/// Largest click accepted: the bot's contexts are a few hundred bytes.
pub const MAX_ACTION_BYTES: usize = 16 * 1024;

#[derive(Debug, Deserialize)]
struct ActionRequest {
    #[serde(default)]
    user_id: String,
    #[serde(default)]
    context: Value,
}

pub async fn handle(State(state): State<AppState>, body: Bytes) -> Response {
    let Ok(request) = serde_json::from_slice::<ActionRequest>(&body) else {
        return bad_request("This is not a button click from Mattermost.");
    };
    if request.user_id.is_empty() || request.user_id.len() > 64 {
        return bad_request("This is not a button click from Mattermost: `user_id` is missing.");
    }
    let click = ActionClick {
        user_id: request.user_id,
        context: request.context,
    };
    let answer = state.service.button_click(&click, Utc::now()).await;
    Json(to_json(&answer)).into_response()
}

fn to_json(answer: &ActionAnswer) -> Value {
    let mut out = json!({});
    if let Some((message, props)) = &answer.update {
        out["update"] = json!({ "message": message, "props": props });
    }
    if let Some(text) = &answer.ephemeral_text {
        out["ephemeral_text"] = json!(text);
    }
    out
}

fn bad_request(text: &str) -> Response {
    (
        StatusCode::BAD_REQUEST,
        Json(json!({ "ephemeral_text": text })),
    )
        .into_response()
}
