//! DM channels and posts (`api4/channel.go` `createDirectChannel`, `api4/post.go` `createPost`,
//! `app/post.go` `CreatePost` with its `pending_post_id` de-duplication).

use std::time::Instant;

use axum::body::Bytes;
use axum::extract::{Path, State as AxumState};
use axum::http::StatusCode;
use axum::response::Response;
use serde_json::{Value, json};

use super::faults::RouteKind;
use super::http::{ApiError, Ctx, Reply, run_api};
use super::state::{FakePost, Shared, State, is_valid_id, new_id, now_ms};

/// `PostMessageMaxRunesV2`.
const MAX_MESSAGE_CHARS: usize = 16_383;

pub(crate) async fn create_direct_channel(
    AxumState(shared): AxumState<Shared>,
    ctx: Ctx,
    body: Bytes,
) -> Response {
    run_api(
        &shared,
        RouteKind::CreateDirectChannel,
        &ctx,
        |state, caller| {
            // `model.ArrayFromJSON`: anything but an array of strings reads as empty.
            let ids: Vec<String> = serde_json::from_slice(&body).unwrap_or_default();
            if ids.len() != 2 {
                return Err(ApiError::invalid_body_param("user_ids"));
            }
            if ids.iter().any(|id| !is_valid_id(id)) {
                return Err(ApiError::invalid_body_param("user_id"));
            }
            let includes_caller = ids.iter().any(|id| id == caller);
            if !includes_caller && !state.is_admin(caller) {
                return Err(ApiError::permissions("manage_system"));
            }
            for id in &ids {
                match state.users.get(id) {
                    None => return Err(ApiError::missing_account()),
                    // The fake's rule: no new conversations with a deactivated account.
                    Some(user) if !user.is_active() => {
                        return Err(ApiError::permissions("create_direct_channel"));
                    }
                    Some(_) => {}
                }
            }
            let channel = state.direct_channel(&ids[0], &ids[1], caller);
            Ok(Reply::Json(StatusCode::CREATED, channel.to_json()))
        },
    )
    .await
}

pub(crate) async fn create_post(
    AxumState(shared): AxumState<Shared>,
    ctx: Ctx,
    body: Bytes,
) -> Response {
    let set_online = ctx
        .query_param("set_online")
        .and_then(|v| parse_go_bool(&v))
        .unwrap_or(true);
    run_api(&shared, RouteKind::CreatePost, &ctx, |state, caller| {
        let request = PostRequest::parse(&body)?;
        check_can_post(state, caller, &request.channel_id)?;
        if let Some(first) = deduplicated(state, caller, &request.pending_post_id) {
            return Ok(Reply::Json(StatusCode::CREATED, first.to_json()));
        }
        if request.message.chars().count() > MAX_MESSAGE_CHARS {
            return Err(ApiError::new(
                StatusCode::BAD_REQUEST,
                "model.post.is_valid.msg.app_error",
                "Invalid Message.",
            ));
        }
        check_root(state, &request)?;
        // `Post.IsValid`: the ids as a JSON array may be at most 300 characters (about 10 files).
        if serde_json::to_string(&request.file_ids).map_or(0, |t| t.chars().count()) > 300 {
            return Err(ApiError::new(
                StatusCode::BAD_REQUEST,
                "model.post.is_valid.file_ids.app_error",
                "Invalid file ids.",
            ));
        }
        let mut props = request.props;
        if state.users.get(caller).is_some_and(|u| u.is_bot) {
            props.insert("from_bot".into(), json!("true"));
        }
        let id = new_id();
        let file_ids =
            super::files::attach(state, caller, &request.channel_id, &id, &request.file_ids);
        let post = FakePost {
            id,
            channel_id: request.channel_id,
            user_id: caller.to_string(),
            root_id: request.root_id,
            message: request.message,
            props: Value::Object(props),
            pending_post_id: request.pending_post_id.clone(),
            create_at: now_ms(),
            set_online,
            file_ids,
        };
        if !request.pending_post_id.is_empty() {
            state
                .pending_posts
                .insert(request.pending_post_id, (post.id.clone(), Instant::now()));
        }
        let body = post.to_json();
        state.posts.push(post);
        Ok(Reply::Json(StatusCode::CREATED, body))
    })
    .await
}

struct PostRequest {
    channel_id: String,
    message: String,
    root_id: String,
    props: serde_json::Map<String, Value>,
    pending_post_id: String,
    file_ids: Vec<String>,
}

impl PostRequest {
    /// Decodes like Go into `model.Post`: unknown keys ignored, wrong types rejected.
    fn parse(body: &Bytes) -> Result<Self, ApiError> {
        let invalid = || ApiError::invalid_body_param("post");
        let value: Value = serde_json::from_slice(body).map_err(|_| invalid())?;
        let object = value.as_object().ok_or_else(invalid)?;
        let text = |key: &str| -> Result<String, ApiError> {
            match object.get(key) {
                None | Some(Value::Null) => Ok(String::new()),
                Some(Value::String(s)) => Ok(s.clone()),
                Some(_) => Err(invalid()),
            }
        };
        let props = match object.get("props") {
            None | Some(Value::Null) => serde_json::Map::new(),
            Some(Value::Object(map)) => map.clone(),
            Some(_) => return Err(invalid()),
        };
        let file_ids = match object.get("file_ids") {
            None | Some(Value::Null) => Vec::new(),
            Some(Value::Array(items)) => items
                .iter()
                .map(|v| v.as_str().map(str::to_string).ok_or_else(invalid))
                .collect::<Result<Vec<_>, _>>()?,
            Some(_) => return Err(invalid()),
        };
        Ok(Self {
            file_ids,
            channel_id: text("channel_id")?,
            message: text("message")?,
            root_id: text("root_id")?,
            props,
            pending_post_id: text("pending_post_id")?,
        })
    }
}

/// `create_post` in the channel: a member of a DM or private channel (or a system admin), any team
/// member in a public channel; never in an archived one.
/// An unknown channel fails the same permission check.
fn check_can_post(state: &State, caller: &str, channel_id: &str) -> Result<(), ApiError> {
    let channel = state
        .channels
        .get(channel_id)
        .ok_or_else(|| ApiError::permissions("create_post"))?;
    let member = channel.members.iter().any(|m| m == caller);
    if channel.channel_type == "P" && !member && !state.is_admin(caller) {
        return Err(ApiError::permissions("create_post"));
    }
    if channel.delete_at > 0 {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            "api.post.create_post.can_not_post_to_deleted.error",
            "Can not post to deleted channel.",
        ));
    }
    if channel.channel_type == "D" {
        if !channel.members.iter().any(|m| m == caller) {
            return Err(ApiError::permissions("create_post"));
        }
        // The fake's rule: a DM with a deactivated account is read-only.
        let partner_gone = channel
            .members
            .iter()
            .any(|m| state.users.get(m).is_none_or(|u| !u.is_active()));
        if partner_gone {
            return Err(ApiError::permissions("create_post"));
        }
    }
    Ok(())
}

/// The first post made with this `pending_post_id` by this user, while the server still remembers it.
fn deduplicated(state: &State, caller: &str, pending_post_id: &str) -> Option<FakePost> {
    if pending_post_id.is_empty() {
        return None;
    }
    let (post_id, seen_at) = state.pending_posts.get(pending_post_id)?;
    if seen_at.elapsed() > state.pending_post_ttl {
        return None;
    }
    state
        .posts
        .iter()
        .find(|p| &p.id == post_id && p.user_id == caller)
        .cloned()
}

fn check_root(state: &State, request: &PostRequest) -> Result<(), ApiError> {
    if request.root_id.is_empty() {
        return Ok(());
    }
    let root_error = || {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            "api.post.create_post.root_id.app_error",
            "Invalid RootId parameter.",
        )
    };
    let root = state
        .posts
        .iter()
        .find(|p| p.id == request.root_id)
        .ok_or_else(root_error)?;
    if root.channel_id != request.channel_id {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            "api.post.create_post.channel_root_id.app_error",
            "Invalid ChannelId for RootId parameter.",
        ));
    }
    if !root.root_id.is_empty() {
        return Err(root_error());
    }
    Ok(())
}

/// Go's `strconv.ParseBool`.
fn parse_go_bool(text: &str) -> Option<bool> {
    match text {
        "1" | "t" | "T" | "true" | "TRUE" | "True" => Some(true),
        "0" | "f" | "F" | "false" | "FALSE" | "False" => Some(false),
        _ => None,
    }
}

/// `GET /channels/{id}/posts[?since=ms]`: a `PostList`. `pending_post_id` is not stored by the
/// server, so it reads back empty.
pub(crate) async fn get_posts_for_channel(
    AxumState(shared): AxumState<Shared>,
    Path(channel_id): Path<String>,
    ctx: Ctx,
) -> Response {
    let since = ctx.query_param("since");
    run_api(
        &shared,
        RouteKind::GetPostsForChannel,
        &ctx,
        |state, caller| {
            if !is_valid_id(&channel_id) {
                return Err(ApiError::invalid_url_param("channel_id"));
            }
            let since: i64 = match since {
                None => 0,
                Some(text) => text
                    .parse()
                    .map_err(|_| ApiError::invalid_url_param("since"))?,
            };
            let readable = state
                .channels
                .get(&channel_id)
                .is_some_and(|c| c.channel_type == "O" || c.members.iter().any(|m| m == caller));
            if !readable {
                return Err(ApiError::permissions("read_channel"));
            }
            // Newest first; posts are stored in creation order.
            let posts: Vec<&FakePost> = state
                .posts
                .iter()
                .rev()
                .filter(|p| p.channel_id == channel_id && p.create_at > since)
                .collect();
            let order: Vec<&str> = posts.iter().map(|p| p.id.as_str()).collect();
            let by_id: serde_json::Map<String, Value> = posts
                .iter()
                .map(|p| {
                    let mut json = p.to_json();
                    json["pending_post_id"] = json!("");
                    (p.id.clone(), json)
                })
                .collect();
            Ok(Reply::ok(json!({
                "order": order,
                "posts": by_id,
                "next_post_id": "",
                "prev_post_id": "",
                "has_next": false,
            })))
        },
    )
    .await
}
