//! What every response of the fake has in common: headers, AppError bodies, authentication, and
//! the fault-injection steps around each handler.

use std::convert::Infallible;

use axum::body::{Body, Bytes};
use axum::extract::{FromRequestParts, Request};
use axum::http::header::{CONTENT_TYPE, HeaderName, HeaderValue};
use axum::http::request::Parts;
use axum::http::{HeaderMap, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use super::faults::{Fault, LostResponse, RouteKind};
use super::state::{Shared, State, is_valid_id, lock, new_id};

/// The request id the middleware assigned, carried to the handler for AppError bodies.
#[derive(Clone)]
struct RequestId(String);

/// What handlers need from the request besides the body.
pub(crate) struct Ctx {
    pub headers: HeaderMap,
    pub query: String,
    pub request_id: String,
}

impl<S: Send + Sync> FromRequestParts<S> for Ctx {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Infallible> {
        let request_id = parts
            .extensions
            .get::<RequestId>()
            .map_or_else(new_id, |id| id.0.clone());
        Ok(Self {
            headers: parts.headers.clone(),
            query: parts.uri.query().unwrap_or("").to_string(),
            request_id,
        })
    }
}

impl Ctx {
    /// A query parameter's value (first occurrence).
    pub fn query_param(&self, name: &str) -> Option<String> {
        serde_urlencoded::from_str::<Vec<(String, String)>>(&self.query)
            .ok()?
            .into_iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v)
    }
}

/// An AppError answer (`model.AppError`), with the real ids.
#[derive(Debug)]
pub(crate) struct ApiError {
    pub status: StatusCode,
    pub id: &'static str,
    pub message: String,
    pub detailed_error: String,
}

impl ApiError {
    pub fn new(status: StatusCode, id: &'static str, message: impl Into<String>) -> Self {
        Self {
            status,
            id,
            message: message.into(),
            detailed_error: String::new(),
        }
    }

    pub fn session_expired() -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            "api.context.session_expired.app_error",
            "Invalid or expired session, please login again.",
        )
    }

    pub fn permissions(permission: &str) -> Self {
        let mut error = Self::new(
            StatusCode::FORBIDDEN,
            "api.context.permissions.app_error",
            "You do not have the appropriate permissions.",
        );
        error.detailed_error = format!("permission={permission}");
        error
    }

    /// `SetInvalidParam(name)`: a bad request body.
    pub fn invalid_body_param(name: &str) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "api.context.invalid_body_param.app_error",
            format!("Invalid or missing {name} in request body."),
        )
    }

    /// `SetInvalidUrlParam(name)`: a bad path parameter.
    pub fn invalid_url_param(name: &str) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "api.context.invalid_url_param.app_error",
            format!("Invalid or missing {name} parameter in request URL."),
        )
    }

    /// `model.PayloadParseError`: a body that is not the JSON the route expects.
    pub fn payload_parse() -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "api.payload.parse.error",
            "Unable to parse the request payload.",
        )
    }

    pub fn missing_account() -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            "app.user.missing_account.const",
            "Unable to find the user.",
        )
    }

    pub fn into_response(self, request_id: &str) -> Response {
        let body = json!({
            "id": self.id,
            "message": self.message,
            "detailed_error": self.detailed_error,
            "request_id": request_id,
            "status_code": self.status.as_u16(),
        });
        json_response(self.status, &body)
    }
}

/// A successful answer.
pub(crate) enum Reply {
    Json(StatusCode, Value),
    /// `text/plain` (the `response_url` hook answers `ok`).
    Text(StatusCode, &'static str),
    /// Raw bytes with a content type (`GET /users/{id}/image`).
    Bytes(StatusCode, &'static str, Vec<u8>),
}

impl Reply {
    pub fn ok(body: Value) -> Self {
        Self::Json(StatusCode::OK, body)
    }

    pub fn status_ok() -> Self {
        Self::ok(json!({"status": "OK"}))
    }

    fn status(&self) -> StatusCode {
        match self {
            Self::Json(status, _) | Self::Text(status, _) | Self::Bytes(status, _, _) => *status,
        }
    }

    fn into_response(self) -> Response {
        match self {
            Self::Json(status, body) => json_response(status, &body),
            Self::Text(status, text) => (
                status,
                [(CONTENT_TYPE, "text/plain; charset=utf-8")],
                text.to_string(),
            )
                .into_response(),
            Self::Bytes(status, content_type, bytes) => {
                (status, [(CONTENT_TYPE, content_type)], bytes).into_response()
            }
        }
    }
}

pub(crate) fn json_response(status: StatusCode, body: &Value) -> Response {
    (
        status,
        [(CONTENT_TYPE, "application/json")],
        body.to_string(),
    )
        .into_response()
}

/// Parses a JSON body, or answers with `error` (each route names its own parameter).
pub(crate) fn parse_json<T: serde::de::DeserializeOwned>(
    body: &Bytes,
    error: impl FnOnce() -> ApiError,
) -> Result<T, ApiError> {
    serde_json::from_slice(body).map_err(|_| error())
}

/// `{user_id}` in a path: `me` is the caller, anything else must be a valid id.
pub(crate) fn path_user_id(raw: &str, caller: &str) -> Result<String, ApiError> {
    if raw == "me" {
        Ok(caller.to_string())
    } else if is_valid_id(raw) {
        Ok(raw.to_string())
    } else {
        Err(ApiError::invalid_url_param("user_id"))
    }
}

/// The token from `Authorization: Bearer <t>` (prefix case-insensitive) or `Token <t>`.
fn bearer_token(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get("authorization")?.to_str().ok()?.trim();
    let (scheme, token) = value.split_once(' ')?;
    (scheme.eq_ignore_ascii_case("bearer") || scheme.eq_ignore_ascii_case("token"))
        .then(|| token.trim())
}

pub(crate) fn authenticate(state: &State, headers: &HeaderMap) -> Result<String, ApiError> {
    let token = bearer_token(headers).ok_or_else(ApiError::session_expired)?;
    let user_id = state
        .tokens
        .get(token)
        .ok_or_else(ApiError::session_expired)?;
    match state.users.get(user_id) {
        Some(user) if user.is_active() => Ok(user_id.clone()),
        _ => Err(ApiError::session_expired()),
    }
}

/// Runs an authenticated API handler: count, delay, injected fault, auth, the work, lost answer.
pub(crate) async fn run_api<F>(shared: &Shared, kind: RouteKind, ctx: &Ctx, work: F) -> Response
where
    F: FnOnce(&mut State, &str) -> Result<Reply, ApiError>,
{
    if let Some(response) = before(shared, kind, ctx).await {
        return response;
    }
    let outcome = {
        let mut state = lock(shared);
        authenticate(&state, &ctx.headers).and_then(|caller| work(&mut state, &caller))
    };
    after(shared, kind, ctx, outcome).await
}

/// Runs a handler that needs no session (the `response_url` hook).
pub(crate) async fn run_open<F>(shared: &Shared, kind: RouteKind, ctx: &Ctx, work: F) -> Response
where
    F: FnOnce(&mut State) -> Result<Reply, ApiError>,
{
    if let Some(response) = before(shared, kind, ctx).await {
        return response;
    }
    let outcome = work(&mut lock(shared));
    after(shared, kind, ctx, outcome).await
}

async fn before(shared: &Shared, kind: RouteKind, ctx: &Ctx) -> Option<Response> {
    let (delay, fault) = {
        let mut state = lock(shared);
        state.count(kind);
        (state.faults.delay_for(kind), state.faults.take_fault(kind))
    };
    if let Some(delay) = delay {
        tokio::time::sleep(delay).await;
    }
    fault.map(|fault| fault_response(&fault, &ctx.request_id))
}

async fn after(
    shared: &Shared,
    kind: RouteKind,
    ctx: &Ctx,
    outcome: Result<Reply, ApiError>,
) -> Response {
    let reply = match outcome {
        Ok(reply) => reply,
        Err(error) => return error.into_response(&ctx.request_id),
    };
    let lost = lock(shared).faults.take_lost(kind);
    match lost {
        None => reply.into_response(),
        Some(LostResponse::ServerError) => ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "fake_mattermost.lost_response",
            "The request was carried out but its answer was replaced by this error.",
        )
        .into_response(&ctx.request_id),
        Some(LostResponse::Disconnect) => {
            let broken = futures_util::stream::once(async {
                Err::<Bytes, std::io::Error>(std::io::Error::other("connection dropped"))
            });
            Response::builder()
                .status(reply.status())
                .header(CONTENT_TYPE, "application/json")
                .body(Body::from_stream(broken))
                .unwrap_or_else(|_| StatusCode::INTERNAL_SERVER_ERROR.into_response())
        }
        Some(LostResponse::Hang) => {
            std::future::pending::<()>().await;
            StatusCode::GATEWAY_TIMEOUT.into_response()
        }
    }
}

fn fault_response(fault: &Fault, request_id: &str) -> Response {
    match fault {
        Fault::Status(code) => {
            let status = StatusCode::from_u16(*code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            ApiError::new(
                status,
                "fake_mattermost.injected_failure",
                format!("Injected failure (HTTP {code})."),
            )
            .into_response(request_id)
        }
        Fault::RateLimited { retry_after_secs } => {
            let secs = retry_after_secs.to_string();
            (
                StatusCode::TOO_MANY_REQUESTS,
                [
                    (CONTENT_TYPE, "text/plain; charset=utf-8"),
                    (HeaderName::from_static("x-content-type-options"), "nosniff"),
                    (HeaderName::from_static("x-ratelimit-limit"), "101"),
                    (HeaderName::from_static("x-ratelimit-remaining"), "0"),
                    (HeaderName::from_static("x-ratelimit-reset"), secs.as_str()),
                    (HeaderName::from_static("retry-after"), secs.as_str()),
                ],
                "limit exceeded\n",
            )
                .into_response()
        }
        Fault::Raw {
            status,
            content_type,
            body,
        } => (
            StatusCode::from_u16(*status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
            [(CONTENT_TYPE, *content_type)],
            body.clone(),
        )
            .into_response(),
        Fault::Html(code) => {
            let status = StatusCode::from_u16(*code).unwrap_or(StatusCode::BAD_GATEWAY);
            (
                status,
                [(CONTENT_TYPE, "text/html")],
                format!(
                    "<html><body><h1>{code} {}</h1></body></html>",
                    status.canonical_reason().unwrap_or("")
                ),
            )
                .into_response()
        }
    }
}

/// Mattermost's common response headers (`server/channels/web/handlers.go`).
pub(crate) async fn common_headers(mut request: Request, next: Next) -> Response {
    let request_id = new_id();
    let is_get = request.method() == Method::GET;
    let is_api = request.uri().path().starts_with("/api/");
    request
        .extensions_mut()
        .insert(RequestId(request_id.clone()));
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    let mut set = |name: &'static str, value: &str| {
        if let Ok(value) = HeaderValue::from_str(value) {
            headers.insert(HeaderName::from_static(name), value);
        }
    };
    set("x-request-id", &request_id);
    set("x-version-id", "10.11.0.0.fake.false");
    set("x-content-type-options", "nosniff");
    set("referrer-policy", "no-referrer");
    set("x-frame-options", "SAMEORIGIN");
    if is_api && is_get {
        set("expires", "0");
    }
    if is_api && !headers.contains_key(CONTENT_TYPE) {
        headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    }
    response
}

/// Unknown routes: Mattermost's API 404 (`api.context.404.app_error`).
pub(crate) async fn not_found(ctx: Ctx) -> Response {
    ApiError::new(
        StatusCode::NOT_FOUND,
        "api.context.404.app_error",
        "Sorry, we could not find the page.",
    )
    .into_response(&ctx.request_id)
}
