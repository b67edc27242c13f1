//! Interactive buttons (docs/mattermost-contract.md §4b): `POST /posts/{post_id}/actions/{action_id}`
//! as a user's client sends it when they click, which the server forwards to the button's
//! integration URL (`DoPostAction` in `app/post_action.go`), and `PUT /posts/{id}/patch`, with which
//! the bot edits its own posts.
//!
//! The click: session and `read_channel` checked; the action found in the post's
//! `props.attachments[].actions[]` (ids of letters and digits only, else 404 before anything else,
//! MM-49350); `{user_id, user_name, channel_id, channel_name, team_id, team_domain, post_id,
//! trigger_id, type, data_source, context}` POSTed as JSON (no redirects, 30 s); a 200 JSON object
//! answer is applied (`update` replaces message and props, `props: null` keeps them;
//! `ephemeral_text` becomes an ephemeral post for the clicker); anything else is 400
//! `api.post.do_action.action_integration.app_error`.

use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State as AxumState};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{post, put};
use serde_json::{Map, Value, json};

use super::FakeMattermost;
use super::faults::RouteKind;
use super::http::{ApiError, Ctx, Reply, json_response, parse_json, run_api};
use super::state::{Shared, State, is_valid_id, lock, new_id, now_ms};

/// An ephemeral post: shown to one user only, never stored as a channel post.
#[derive(Debug, Clone, PartialEq)]
pub struct FakeEphemeral {
    pub user_id: String,
    pub channel_id: String,
    pub message: String,
}

pub(super) fn routes() -> Router<Shared> {
    Router::new()
        .route(
            "/api/v4/posts/{post_id}/actions/{action_id}",
            post(do_post_action),
        )
        .route("/api/v4/posts/{post_id}/patch", put(patch_post))
}

fn integration_error(detail: impl Into<String>) -> ApiError {
    let mut e = ApiError::new(
        StatusCode::BAD_REQUEST,
        "api.post.do_action.action_integration.app_error",
        "Action integration error.",
    );
    e.detailed_error = detail.into();
    e
}

/// What the click forwards, read under the lock.
struct Forward {
    url: String,
    body: Value,
    caller: String,
    channel_id: String,
}

async fn do_post_action(
    AxumState(shared): AxumState<Shared>,
    Path((post_id, action_id)): Path<(String, String)>,
    ctx: Ctx,
) -> Response {
    if action_id.is_empty() || !action_id.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return super::http::not_found(ctx).await;
    }
    // First the server's own checks, under the lock; then the forward, without it.
    let mut forward: Option<Forward> = None;
    let checked = run_api(&shared, RouteKind::DoPostAction, &ctx, |state, caller| {
        forward = Some(find_action(state, caller, &post_id, &action_id)?);
        Ok(Reply::status_ok())
    })
    .await;
    let Some(f) = forward else {
        return checked;
    };
    let answer = match send(&f).await {
        Ok(answer) => answer,
        Err(detail) => return integration_error(detail).into_response(&ctx.request_id),
    };
    let mut state = lock(&shared);
    if let Some(update) = answer.get("update").and_then(Value::as_object)
        && let Some(p) = state.posts.iter_mut().find(|p| p.id == post_id)
    {
        // An update without `message` blanks it; `props: null` (or none) keeps them.
        p.message = update
            .get("message")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string();
        if let Some(props) = update.get("props").filter(|v| !v.is_null()) {
            p.props = props.clone();
        }
    }
    if let Some(text) = answer.get("ephemeral_text").and_then(Value::as_str)
        && !text.is_empty()
    {
        state.ephemerals.push(FakeEphemeral {
            user_id: f.caller.clone(),
            channel_id: f.channel_id.clone(),
            message: text.to_string(),
        });
    }
    json_response(
        StatusCode::OK,
        &json!({"status": "OK", "trigger_id": new_id()}),
    )
}

fn find_action(
    state: &State,
    caller: &str,
    post_id: &str,
    action_id: &str,
) -> Result<Forward, ApiError> {
    if !is_valid_id(post_id) {
        return Err(ApiError::invalid_url_param("post_id"));
    }
    let post = state
        .posts
        .iter()
        .find(|p| p.id == post_id)
        .ok_or_else(|| ApiError::permissions("read_channel"))?;
    let channel = state
        .channels
        .get(&post.channel_id)
        .ok_or_else(|| ApiError::permissions("read_channel"))?;
    let readable = channel.channel_type == "O" || channel.members.iter().any(|m| m == caller);
    if !readable {
        return Err(ApiError::permissions("read_channel"));
    }
    let action = post
        .props
        .get("attachments")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|a| a.get("actions").and_then(Value::as_array))
        .flatten()
        .find(|a| a.get("id").and_then(Value::as_str) == Some(action_id))
        .ok_or_else(|| {
            ApiError::new(
                StatusCode::NOT_FOUND,
                "app.post.do_action.action_id.app_error",
                "Unable to find action.",
            )
        })?;
    let integration = action.get("integration").cloned().unwrap_or(Value::Null);
    let url = integration
        .get("url")
        .and_then(Value::as_str)
        .filter(|u| u.starts_with("http://") || u.starts_with("https://"))
        .ok_or_else(|| integration_error("the action has no integration URL"))?
        .to_string();
    let context = integration
        .get("context")
        .cloned()
        .unwrap_or_else(|| json!({}));
    let user_name = state
        .users
        .get(caller)
        .map(|u| u.username.clone())
        .unwrap_or_default();
    // DMs have no team.
    let (team_id, team_domain) = if channel.channel_type == "D" {
        (String::new(), String::new())
    } else {
        (channel.team_id.clone(), state.team_name.clone())
    };
    Ok(Forward {
        url,
        caller: caller.to_string(),
        channel_id: post.channel_id.clone(),
        body: json!({
            "user_id": caller,
            "user_name": user_name,
            "channel_id": post.channel_id,
            "channel_name": channel.name,
            "team_id": team_id,
            "team_domain": team_domain,
            "post_id": post.id,
            "trigger_id": new_id(),
            "type": "button",
            "data_source": "",
            "context": context,
        }),
    })
}

/// POSTs the click to the integration; its answer must be 200 with a JSON object.
async fn send(f: &Forward) -> Result<Map<String, Value>, String> {
    let client = reqwest::Client::builder()
        .connect_timeout(Duration::from_secs(3))
        .timeout(Duration::from_secs(30))
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .map_err(|e| e.to_string())?;
    let response = client
        .post(&f.url)
        .json(&f.body)
        .send()
        .await
        .map_err(|e| e.to_string())?;
    let status = response.status();
    let text = response.text().await.map_err(|e| e.to_string())?;
    if status != reqwest::StatusCode::OK {
        return Err(format!("status={status}"));
    }
    match serde_json::from_str::<Value>(&text) {
        Ok(Value::Object(map)) => Ok(map),
        _ => Err("the answer is not a JSON object".into()),
    }
}

/// `PUT /posts/{id}/patch`: `message` and `props` as given replace the post's (absent ones stay).
/// The author may edit their post; others need `edit_others_posts` (system admins).
async fn patch_post(
    AxumState(shared): AxumState<Shared>,
    Path(post_id): Path<String>,
    ctx: Ctx,
    body: Bytes,
) -> Response {
    run_api(&shared, RouteKind::PatchPost, &ctx, |state, caller| {
        if !is_valid_id(&post_id) {
            return Err(ApiError::invalid_url_param("post_id"));
        }
        let patch: Map<String, Value> = parse_json(&body, || ApiError::invalid_body_param("post"))?;
        let admin = state.is_admin(caller);
        let post = state
            .posts
            .iter_mut()
            .find(|p| p.id == post_id)
            .ok_or_else(|| ApiError::permissions("edit_post"))?;
        if post.user_id != caller && !admin {
            return Err(ApiError::permissions("edit_others_posts"));
        }
        match patch.get("message") {
            None | Some(Value::Null) => {}
            Some(Value::String(m)) => post.message = m.clone(),
            Some(_) => return Err(ApiError::invalid_body_param("post")),
        }
        match patch.get("props") {
            None | Some(Value::Null) => {}
            Some(Value::Object(p)) => post.props = Value::Object(p.clone()),
            Some(_) => return Err(ApiError::invalid_body_param("post")),
        }
        let mut json = post.to_json();
        json["edit_at"] = json!(now_ms());
        Ok(Reply::ok(json))
    })
    .await
}

impl FakeMattermost {
    /// A session token for `username`, as their client would hold after logging in.
    pub fn session_of(&self, username: &str) -> String {
        let mut state = lock(&self.shared);
        let id = state
            .user_by_name(username)
            .unwrap_or_else(|| panic!("the fake has no user @{username}"))
            .id
            .clone();
        let token = new_id();
        state.tokens.insert(token.clone(), id);
        token
    }

    /// `username` clicks the button `action_id` of the post, as their client does: the answer's
    /// HTTP status and body.
    pub async fn click(&self, username: &str, post_id: &str, action_id: &str) -> (u16, Value) {
        let token = self.session_of(username);
        let response = reqwest::Client::new()
            .post(format!(
                "{}/api/v4/posts/{post_id}/actions/{action_id}",
                self.base_url
            ))
            .bearer_auth(token)
            .send()
            .await
            .expect("the fake answers");
        let status = response.status().as_u16();
        let body = response.json().await.unwrap_or(Value::Null);
        (status, body)
    }

    /// Ephemeral posts shown to `username`, oldest first.
    pub fn ephemerals_to(&self, username: &str) -> Vec<String> {
        let state = lock(&self.shared);
        let Some(user) = state.user_by_name(username) else {
            return Vec::new();
        };
        state
            .ephemerals
            .iter()
            .filter(|e| e.user_id == user.id)
            .map(|e| e.message.clone())
            .collect()
    }

    /// The post as the fake stores it now.
    pub fn post(&self, post_id: &str) -> Option<super::FakePost> {
        lock(&self.shared)
            .posts
            .iter()
            .find(|p| p.id == post_id)
            .cloned()
    }
}
