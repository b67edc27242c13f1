//! User routes (`server/channels/api4/user.go`). Deactivated users are treated as missing.

use std::collections::BTreeSet;

use axum::body::Bytes;
use axum::extract::{Path, State as AxumState};
use axum::http::StatusCode;
use axum::response::Response;
use serde_json::Value;

use super::faults::RouteKind;
use super::http::{ApiError, Ctx, Reply, parse_json, path_user_id, run_api};
use super::state::{Shared, State, UserRecord};

pub(crate) async fn get_me(AxumState(shared): AxumState<Shared>, ctx: Ctx) -> Response {
    run_api(&shared, RouteKind::GetMe, &ctx, |state, caller| {
        active_user(state, caller).map(|u| Reply::ok(u.to_json()))
    })
    .await
}

pub(crate) async fn get_user(
    AxumState(shared): AxumState<Shared>,
    Path(raw_id): Path<String>,
    ctx: Ctx,
) -> Response {
    run_api(&shared, RouteKind::GetUser, &ctx, |state, caller| {
        let id = path_user_id(&raw_id, caller)?;
        active_user(state, &id).map(|u| Reply::ok(u.to_json()))
    })
    .await
}

pub(crate) async fn get_user_by_username(
    AxumState(shared): AxumState<Shared>,
    Path(username): Path<String>,
    ctx: Ctx,
) -> Response {
    run_api(&shared, RouteKind::GetUserByUsername, &ctx, |state, _| {
        // The route only matches `[A-Za-z0-9_\-.]+`; anything else is the router's 404.
        let valid = !username.is_empty()
            && username
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'));
        if !valid {
            return Err(ApiError::new(
                StatusCode::NOT_FOUND,
                "api.context.404.app_error",
                "Sorry, we could not find the page.",
            ));
        }
        match state.user_by_name(&username) {
            Some(user) if user.is_active() => Ok(Reply::ok(user.to_json())),
            _ => Err(ApiError::new(
                StatusCode::NOT_FOUND,
                "app.user.get_by_username.app_error",
                "Unable to find an existing account matching your username for this team.",
            )),
        }
    })
    .await
}

pub(crate) async fn get_users_by_usernames(
    AxumState(shared): AxumState<Shared>,
    ctx: Ctx,
    body: Bytes,
) -> Response {
    run_api(&shared, RouteKind::GetUsersByUsernames, &ctx, |state, _| {
        let names = sorted_array(&body, "usernames")?;
        let users: Vec<Value> = names
            .iter()
            .filter_map(|name| state.user_by_name(name))
            .filter(|u| u.is_active())
            .map(UserRecord::to_json)
            .collect();
        Ok(Reply::ok(Value::Array(users)))
    })
    .await
}

pub(crate) async fn get_users_by_ids(
    AxumState(shared): AxumState<Shared>,
    ctx: Ctx,
    body: Bytes,
) -> Response {
    // `since` (ms): only users updated after it (`getUsersByIds`).
    let since = ctx
        .query_param("since")
        .and_then(|s| s.parse::<i64>().ok())
        .unwrap_or(0);
    run_api(&shared, RouteKind::GetUsersByIds, &ctx, |state, _| {
        let ids = sorted_array(&body, "user_ids")?;
        let users: Vec<Value> = ids
            .iter()
            .filter_map(|id| state.users.get(id))
            .filter(|u| u.is_active() && u.update_at > since)
            .map(UserRecord::to_json)
            .collect();
        Ok(Reply::ok(Value::Array(users)))
    })
    .await
}

/// `model.SortedArrayFromJSON`: a JSON array of strings, de-duplicated and sorted; empty is 400.
fn sorted_array(body: &Bytes, param: &str) -> Result<BTreeSet<String>, ApiError> {
    let values: Vec<String> = parse_json(body, ApiError::payload_parse)?;
    if values.is_empty() {
        return Err(ApiError::invalid_body_param(param));
    }
    Ok(values.into_iter().collect())
}

fn active_user<'a>(state: &'a State, id: &str) -> Result<&'a UserRecord, ApiError> {
    state
        .users
        .get(id)
        .filter(|u| u.is_active())
        .ok_or_else(ApiError::missing_account)
}
