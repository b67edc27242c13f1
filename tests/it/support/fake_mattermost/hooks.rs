//! `POST /hooks/commands/{id}`: a slash command's `response_url` (`web/webhook.go`
//! `commandWebhook`, `app/webhook.go` `HandleCommandWebhook`). No session: the id is the capability.

use axum::body::Bytes;
use axum::extract::{Path, State as AxumState};
use axum::http::StatusCode;
use axum::http::header::CONTENT_TYPE;
use axum::response::Response;
use solar_lottery::mattermost::CommandResponse;

use super::faults::RouteKind;
use super::http::{ApiError, Ctx, Reply, run_open};
use super::slash::parse_command_response;
use super::state::{HOOK_LIFETIME, HOOK_MAX_USES, Shared};

pub(crate) async fn command_webhook(
    AxumState(shared): AxumState<Shared>,
    Path(hook_id): Path<String>,
    ctx: Ctx,
    body: Bytes,
) -> Response {
    let content_type = ctx
        .headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    run_open(&shared, RouteKind::CommandWebhook, &ctx, |state| {
        // The body is parsed first, exactly like an immediate slash reply.
        let response: CommandResponse =
            parse_command_response(&content_type, &body).map_err(|_| {
                ApiError::new(
                    StatusCode::BAD_REQUEST,
                    "web.command_webhook.parse.app_error",
                    "Unable to parse incoming data.",
                )
            })?;
        let hook = state
            .hooks
            .get_mut(&hook_id)
            .filter(|h| !h.expired && h.created.elapsed() < HOOK_LIFETIME)
            .ok_or_else(|| {
                ApiError::new(
                    StatusCode::NOT_FOUND,
                    "web.command_webhook.general.app_error",
                    "Unable to find the webhook.",
                )
            })?;
        if hook.uses >= HOOK_MAX_USES {
            return Err(ApiError::new(
                StatusCode::BAD_REQUEST,
                "app.command_webhook.try_use.invalid",
                "Invalid webhook.",
            ));
        }
        hook.uses += 1;
        hook.responses.push(response);
        Ok(Reply::Text(StatusCode::OK, "ok"))
    })
    .await
}
