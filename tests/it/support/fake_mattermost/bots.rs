//! Accounts an admin manages: log in, the first account, bot accounts, access tokens and system
//! roles (`server/channels/api4/{user,bot}.go`, `app/bot.go`, `app/user.go`).

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State as AxumState};
use axum::http::StatusCode;
use axum::http::header::HeaderValue;
use axum::response::Response;
use axum::routing::{get, post, put};
use serde_json::{Value, json};

use super::faults::RouteKind;
use super::http::{ApiError, Ctx, Reply, parse_json, path_user_id, run_api, run_open};
use super::roles::is_system_role;
use super::state::{Shared, State, UserRecord, lock, new_id, now_ms};

/// A bot account's record (`model.Bot`); its user is in `users`.
#[derive(Debug, Clone)]
pub(crate) struct BotRecord {
    pub owner_id: String,
    pub display_name: String,
    pub description: String,
}

/// `POST /users/login`: the session token comes back in the `Token` header.
pub(crate) async fn login(AxumState(shared): AxumState<Shared>, ctx: Ctx, body: Bytes) -> Response {
    let mut token = None;
    let mut response = run_open(&shared, RouteKind::Login, &ctx, |state| {
        let body: Value = parse_json(&body, || ApiError::invalid_body_param("login_id"))?;
        let login_id = body["login_id"].as_str().unwrap_or("");
        let password = body["password"].as_str().unwrap_or("");
        let user = state
            .user_by_name(login_id)
            .filter(|u| u.is_active() && state.passwords.get(&u.id).is_some_and(|p| p == password))
            .cloned()
            .ok_or_else(|| {
                ApiError::new(
                    StatusCode::UNAUTHORIZED,
                    "api.user.login.invalid_credentials_email_username",
                    "Enter a valid email or username and/or password.",
                )
            })?;
        let session = new_id();
        state.tokens.insert(session.clone(), user.id.clone());
        token = Some(session);
        Ok(Reply::ok(user.to_json()))
    })
    .await;
    if let Some(value) = token.and_then(|t| HeaderValue::from_str(&t).ok()) {
        response.headers_mut().insert("token", value);
    }
    response
}

/// `POST /users` without a session: only the very first account (who becomes a system admin);
/// open sign-up is off, as by default.
pub(crate) async fn create_user(
    AxumState(shared): AxumState<Shared>,
    ctx: Ctx,
    body: Bytes,
) -> Response {
    run_open(&shared, RouteKind::CreateUser, &ctx, |state| {
        let body: Value = parse_json(&body, || ApiError::invalid_body_param("user"))?;
        if !state.users.is_empty() {
            return Err(ApiError::new(
                StatusCode::FORBIDDEN,
                "api.user.create_user.no_open_server",
                "This server does not allow open signups. Please speak with your Administrator to receive an invitation.",
            ));
        }
        let username = body["username"].as_str().unwrap_or("");
        let password = body["password"].as_str().unwrap_or("");
        if username.is_empty() || password.len() < 5 || !body["email"].as_str().unwrap_or("").contains('@') {
            return Err(ApiError::invalid_body_param("user"));
        }
        let id = new_id();
        let mut user = UserRecord::new(id.clone(), username, now_ms());
        user.email = body["email"].as_str().unwrap_or("").to_string();
        user.roles = "system_user system_admin".into();
        state.passwords.insert(id.clone(), password.to_string());
        state.users.insert(id.clone(), user.clone());
        Ok(Reply::Json(StatusCode::CREATED, user.to_json()))
    })
    .await
}

fn bot_json(state: &State, user_id: &str) -> Option<Value> {
    let bot = state.bots.get(user_id)?;
    let user = state.users.get(user_id)?;
    Some(json!({
        "user_id": user.id,
        "username": user.username,
        "display_name": bot.display_name,
        "description": bot.description,
        "owner_id": bot.owner_id,
        "create_at": user.create_at,
        "update_at": user.update_at,
        "delete_at": user.delete_at,
    }))
}

pub(crate) async fn create_bot(
    AxumState(shared): AxumState<Shared>,
    ctx: Ctx,
    body: Bytes,
) -> Response {
    run_api(&shared, RouteKind::CreateBot, &ctx, |state, caller| {
        let body: Value = parse_json(&body, || ApiError::invalid_body_param("bot"))?;
        state.require(caller, "create_bot")?;
        if !state.bot_creation_enabled {
            return Err(ApiError::new(
                StatusCode::FORBIDDEN,
                "api.bot.create_disabled",
                "Bot creation has been disabled.",
            ));
        }
        let username = body["username"].as_str().unwrap_or("").to_lowercase();
        if username.is_empty() {
            return Err(ApiError::invalid_body_param("username"));
        }
        if state.user_by_name(&username).is_some() {
            return Err(ApiError::new(
                StatusCode::BAD_REQUEST,
                "app.user.save.username_exists.app_error",
                "An account with that username already exists.",
            ));
        }
        let id = new_id();
        let mut user = UserRecord::new(id.clone(), &username, now_ms());
        user.is_bot = true;
        user.email = String::new();
        user.first_name = body["display_name"].as_str().unwrap_or("").to_string();
        state.users.insert(id.clone(), user);
        state.bots.insert(
            id.clone(),
            BotRecord {
                owner_id: caller.to_string(),
                display_name: body["display_name"].as_str().unwrap_or("").to_string(),
                description: body["description"].as_str().unwrap_or("").to_string(),
            },
        );
        if username == "solar-lottery" {
            state.bot_id = id.clone();
        }
        let json = bot_json(state, &id).unwrap_or_default();
        Ok(Reply::Json(StatusCode::CREATED, json))
    })
    .await
}

/// Reading a bot needs `read_bots` for one's own and `read_others_bots` for others'; managing one
/// `manage_bots` / `manage_others_bots` (`SessionHasPermissionToReadBot` / `…ManageBot`).
fn require_bot(
    state: &State,
    caller: &str,
    bot_id: &str,
    own: &str,
    others: &str,
) -> Result<(), ApiError> {
    let Some(bot) = state.bots.get(bot_id) else {
        return Err(ApiError::new(
            StatusCode::NOT_FOUND,
            "store.sql_bot.get.missing.app_error",
            "Bot does not exist.",
        ));
    };
    if bot.owner_id == caller {
        state.require(caller, own)
    } else {
        state.require(caller, others)
    }
}

pub(crate) async fn get_bot(
    AxumState(shared): AxumState<Shared>,
    Path(bot_id): Path<String>,
    ctx: Ctx,
) -> Response {
    run_api(&shared, RouteKind::GetBot, &ctx, |state, caller| {
        require_bot(state, caller, &bot_id, "read_bots", "read_others_bots")?;
        let json = bot_json(state, &bot_id).unwrap_or_default();
        let disabled = json["delete_at"].as_i64().unwrap_or(0) > 0;
        if disabled && ctx.query_param("include_deleted").as_deref() != Some("true") {
            return Err(ApiError::new(
                StatusCode::NOT_FOUND,
                "store.sql_bot.get.missing.app_error",
                "Bot does not exist.",
            ));
        }
        Ok(Reply::ok(json))
    })
    .await
}

pub(crate) async fn enable_bot(
    AxumState(shared): AxumState<Shared>,
    Path(bot_id): Path<String>,
    ctx: Ctx,
) -> Response {
    run_api(&shared, RouteKind::EnableBot, &ctx, |state, caller| {
        require_bot(state, caller, &bot_id, "manage_bots", "manage_others_bots")?;
        if let Some(user) = state.users.get_mut(&bot_id) {
            user.delete_at = 0;
            user.update_at = now_ms();
        }
        Ok(Reply::ok(bot_json(state, &bot_id).unwrap_or_default()))
    })
    .await
}

/// `POST /users/{id}/tokens`: `create_user_access_token`, plus the right to act for that user
/// (a bot: `manage_bots`/`manage_others_bots`; a person: `edit_other_users`).
pub(crate) async fn create_user_access_token(
    AxumState(shared): AxumState<Shared>,
    Path(raw_id): Path<String>,
    ctx: Ctx,
    body: Bytes,
) -> Response {
    run_api(
        &shared,
        RouteKind::CreateUserAccessToken,
        &ctx,
        |state, caller| {
            let user_id = path_user_id(&raw_id, caller)?;
            let body: Value = parse_json(&body, || ApiError::invalid_body_param("token"))?;
            let description = body["description"].as_str().unwrap_or("");
            if description.is_empty() {
                return Err(ApiError::invalid_body_param("description"));
            }
            state.require(caller, "create_user_access_token")?;
            if user_id != caller {
                if state.bots.contains_key(&user_id) {
                    require_bot(state, caller, &user_id, "manage_bots", "manage_others_bots")?;
                } else {
                    state.require(caller, "edit_other_users")?;
                }
            }
            if !state.users.get(&user_id).is_some_and(UserRecord::is_active) {
                return Err(ApiError::missing_account());
            }
            let token = new_id();
            state.tokens.insert(token.clone(), user_id.clone());
            Ok(Reply::ok(json!({
                "id": new_id(),
                "token": token,
                "user_id": user_id,
                "description": description,
                "is_active": true,
            })))
        },
    )
    .await
}

/// `PUT /users/{id}/roles`: needs `manage_roles`; only system roles.
pub(crate) async fn update_user_roles(
    AxumState(shared): AxumState<Shared>,
    Path(raw_id): Path<String>,
    ctx: Ctx,
    body: Bytes,
) -> Response {
    run_api(
        &shared,
        RouteKind::UpdateUserRoles,
        &ctx,
        |state, caller| {
            let user_id = path_user_id(&raw_id, caller)?;
            let body: Value = parse_json(&body, || ApiError::invalid_body_param("roles"))?;
            let roles = body["roles"].as_str().unwrap_or("").to_string();
            if roles.split_whitespace().any(|r| !is_system_role(r)) {
                return Err(ApiError::invalid_body_param("roles"));
            }
            state.require(caller, "manage_roles")?;
            let user = state
                .users
                .get_mut(&user_id)
                .ok_or_else(ApiError::missing_account)?;
            user.roles = roles;
            user.update_at = now_ms();
            Ok(Reply::status_ok())
        },
    )
    .await
}

/// For tests: the server as it is before anyone signed up (no accounts at all).
pub(crate) fn remove_all_users(shared: &Shared) {
    let mut state = lock(shared);
    state.users.clear();
    state.bots.clear();
    state.tokens.clear();
    state.team_members.clear();
    state.bot_id = String::new();
    state.bot_token = String::new();
}

/// The routes of this file (and `POST /roles/names`).
pub(crate) fn routes() -> Router<Shared> {
    Router::new()
        .route("/api/v4/users", post(create_user))
        .route("/api/v4/users/login", post(login))
        .route(
            "/api/v4/users/{user_id}/tokens",
            post(create_user_access_token),
        )
        .route("/api/v4/users/{user_id}/roles", put(update_user_roles))
        .route(
            "/api/v4/roles/names",
            post(super::roles::get_roles_by_names),
        )
        .route("/api/v4/bots", post(create_bot))
        .route("/api/v4/bots/{bot_id}", get(get_bot))
        .route("/api/v4/bots/{bot_id}/enable", post(enable_bot))
}
