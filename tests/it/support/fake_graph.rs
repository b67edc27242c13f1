//! A fake Microsoft Graph: the client-credentials token endpoint and `POST /v1.0/$batch` with
//! `getSchedule` inside, enforcing Graph's documented limits (docs/mattermost-contract.md §7), with
//! scriptable calendars, per-person throttling, latency per `$batch` call and counters to inspect.

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Form, Json, Router};
use chrono::{DateTime, NaiveDateTime, Utc};
use rand::seq::SliceRandom;
use secrecy::SecretString;
use serde_json::{Value, json};
use solar_lottery::calendar::GraphConfig;
use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

pub const TENANT: &str = "fake-tenant";
pub const CLIENT_ID: &str = "fake-client";
pub const CLIENT_SECRET: &str = "fake-secret";

/// One entry of a scripted calendar.
#[derive(Debug, Clone)]
pub struct FakeItem {
    /// `free|tentative|busy|oof|workingElsewhere|unknown`
    pub status: &'static str,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    pub is_private: bool,
    pub subject: Option<String>,
}

impl FakeItem {
    pub fn new(status: &'static str, start: DateTime<Utc>, end: DateTime<Utc>) -> Self {
        Self {
            status,
            start,
            end,
            is_private: false,
            subject: None,
        }
    }
    pub fn subject(mut self, s: &str) -> Self {
        self.subject = Some(s.to_string());
        self
    }
    pub fn private(mut self) -> Self {
        self.is_private = true;
        self
    }
}

/// What the fake saw, for assertions.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Counters {
    pub token_requests: usize,
    pub batches: usize,
    pub rejected_batches: usize,
    pub inner_requests: usize,
    pub throttled_items: usize,
    pub max_requests_per_batch: usize,
    pub max_schedules_per_request: usize,
    pub max_batches_in_flight: usize,
    pub unauthorized: usize,
}

#[derive(Default)]
struct Data {
    calendars: HashMap<String, Vec<FakeItem>>,
    /// address → (times still to throttle, Retry-After seconds)
    throttle: HashMap<String, (u32, u64)>,
    valid_tokens: HashSet<String>,
    latency: Duration,
    counters: Counters,
}

struct Shared {
    data: Mutex<Data>,
    in_flight: AtomicUsize,
    token_seq: AtomicU64,
}

impl Shared {
    fn with<T>(&self, f: impl FnOnce(&mut Data) -> T) -> T {
        let mut guard = self.data.lock().unwrap_or_else(|p| p.into_inner());
        f(&mut guard)
    }
}

pub struct FakeGraph {
    pub base_url: String,
    pub token_url: String,
    shared: Arc<Shared>,
    server: tokio::task::JoinHandle<()>,
}

impl Drop for FakeGraph {
    fn drop(&mut self) {
        self.server.abort();
    }
}

impl FakeGraph {
    pub async fn start() -> Self {
        let shared = Arc::new(Shared {
            data: Mutex::new(Data::default()),
            in_flight: AtomicUsize::new(0),
            token_seq: AtomicU64::new(0),
        });
        let app = Router::new()
            .route("/{tenant}/oauth2/v2.0/token", post(token))
            .route("/v1.0/$batch", post(batch))
            .with_state(shared.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let server = tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Self {
            base_url: format!("http://{addr}/v1.0"),
            token_url: format!("http://{addr}/{TENANT}/oauth2/v2.0/token"),
            shared,
            server,
        }
    }

    /// A client configuration with the right credentials for this fake.
    pub fn config(&self) -> GraphConfig {
        GraphConfig {
            base_url: self.base_url.clone(),
            token_url: self.token_url.clone(),
            tenant: TENANT.into(),
            client_id: CLIENT_ID.into(),
            client_secret: SecretString::from(CLIENT_SECRET.to_string()),
        }
    }

    /// Makes `email` a known mailbox with these calendar entries.
    pub fn set_schedule(&self, email: &str, items: Vec<FakeItem>) {
        self.shared
            .with(|d| d.calendars.insert(email.to_lowercase(), items));
    }

    /// The next `times` requests that include `email` answer 429 with `Retry-After: secs`.
    pub fn throttle(&self, email: &str, times: u32, retry_after_secs: u64) {
        self.shared.with(|d| {
            d.throttle
                .insert(email.to_lowercase(), (times, retry_after_secs))
        });
    }

    /// Every `$batch` call answers only after this long.
    pub fn set_batch_latency(&self, latency: Duration) {
        self.shared.with(|d| d.latency = latency);
    }

    /// Every token issued so far stops working (as if it expired early).
    pub fn revoke_tokens(&self) {
        self.shared.with(|d| d.valid_tokens.clear());
    }

    pub fn counters(&self) -> Counters {
        self.shared.with(|d| d.counters.clone())
    }
}

fn graph_error(status: StatusCode, code: &str, message: &str) -> Response {
    (
        status,
        Json(json!({"error": {"code": code, "message": message}})),
    )
        .into_response()
}

async fn token(
    State(shared): State<Arc<Shared>>,
    Path(tenant): Path<String>,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    shared.with(|d| d.counters.token_requests += 1);
    let field = |k: &str| form.get(k).map(String::as_str).unwrap_or_default();
    if field("grant_type") != "client_credentials" {
        return (
            StatusCode::BAD_REQUEST,
            Json(json!({"error": "unsupported_grant_type",
            "error_description": "AADSTS70003: The app requested an unsupported grant type."})),
        )
            .into_response();
    }
    if tenant != TENANT
        || field("client_id") != CLIENT_ID
        || field("client_secret") != CLIENT_SECRET
    {
        return (StatusCode::UNAUTHORIZED, Json(json!({"error": "invalid_client",
            "error_description": "AADSTS7000215: Invalid client secret provided.\r\nTrace ID: 0000"}))).into_response();
    }
    if field("scope") != "https://graph.microsoft.com/.default" {
        return (
            StatusCode::BAD_REQUEST,
            Json(json!({"error": "invalid_scope",
            "error_description": "AADSTS1002012: The provided value for scope is not valid."})),
        )
            .into_response();
    }
    let n = shared.token_seq.fetch_add(1, Ordering::SeqCst) + 1;
    let access_token = format!("fake-token-{n}");
    shared.with(|d| d.valid_tokens.insert(access_token.clone()));
    Json(json!({"token_type": "Bearer", "expires_in": 3599, "ext_expires_in": 3599, "access_token": access_token}))
        .into_response()
}

/// Counts a `$batch` call as in flight while it is being answered.
struct InFlight<'a>(&'a Shared);
impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        self.0.in_flight.fetch_sub(1, Ordering::SeqCst);
    }
}

async fn batch(State(shared): State<Arc<Shared>>, headers: HeaderMap, body: String) -> Response {
    let bearer = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::to_string);
    let authorized = bearer.is_some_and(|t| shared.with(|d| d.valid_tokens.contains(&t)));
    if !authorized {
        shared.with(|d| d.counters.unauthorized += 1);
        return graph_error(
            StatusCode::UNAUTHORIZED,
            "InvalidAuthenticationToken",
            "Access token has expired or is not yet valid.",
        );
    }
    let Ok(payload) = serde_json::from_str::<Value>(&body) else {
        shared.with(|d| d.counters.rejected_batches += 1);
        return graph_error(
            StatusCode::BAD_REQUEST,
            "BadRequest",
            "Invalid batch payload format.",
        );
    };
    let requests = payload["requests"].as_array().cloned().unwrap_or_default();
    if requests.len() > 20 {
        shared.with(|d| d.counters.rejected_batches += 1);
        return graph_error(
            StatusCode::BAD_REQUEST,
            "BadRequest",
            "Number of requests exceeds the maximum of 20.",
        );
    }
    let ids: Vec<&str> = requests.iter().filter_map(|r| r["id"].as_str()).collect();
    let unique: HashSet<&str> = ids.iter().copied().collect();
    if ids.len() != requests.len() || unique.len() != ids.len() {
        shared.with(|d| d.counters.rejected_batches += 1);
        return graph_error(
            StatusCode::BAD_REQUEST,
            "BadRequest",
            "Batch request ids must be present and unique.",
        );
    }

    let now_in_flight = shared.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
    let _guard = InFlight(&shared);
    let latency = shared.with(|d| {
        d.counters.batches += 1;
        d.counters.inner_requests += requests.len();
        d.counters.max_requests_per_batch = d.counters.max_requests_per_batch.max(requests.len());
        d.counters.max_batches_in_flight = d.counters.max_batches_in_flight.max(now_in_flight);
        d.latency
    });
    if !latency.is_zero() {
        tokio::time::sleep(latency).await;
    }

    let mut responses: Vec<Value> =
        shared.with(|d| requests.iter().map(|r| answer(d, r)).collect());
    responses.shuffle(&mut rand::rng());
    Json(json!({"responses": responses})).into_response()
}

fn inner(id: &Value, status: u16, headers: Value, body: Value) -> Value {
    json!({"id": id, "status": status, "headers": headers, "body": body})
}

fn inner_error(id: &Value, status: u16, code: &str, message: &str) -> Value {
    inner(
        id,
        status,
        json!({"Content-Type": "application/json"}),
        json!({"error": {"code": code, "message": message}}),
    )
}

/// One `getSchedule` request inside a batch.
fn answer(d: &mut Data, request: &Value) -> Value {
    let id = &request["id"];
    let url = request["url"].as_str().unwrap_or_default();
    let anchor = url
        .strip_prefix("/users/")
        .and_then(|rest| rest.strip_suffix("/calendar/getSchedule"))
        .map(|a| a.replace("%40", "@").to_lowercase());
    let Some(anchor) = anchor.filter(|_| request["method"] == "POST") else {
        return inner_error(id, 400, "BadRequest", "Unsupported request in this fake.");
    };
    if request.get("body").is_some() && request["headers"]["Content-Type"].as_str().is_none() {
        return inner_error(
            id,
            400,
            "BadRequest",
            "Content-Type header is required when a body is present.",
        );
    }
    let body = &request["body"];
    let schedules: Vec<String> = body["schedules"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|s| s.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default();
    d.counters.max_schedules_per_request =
        d.counters.max_schedules_per_request.max(schedules.len());
    if schedules.is_empty() || schedules.len() > 20 {
        return inner_error(
            id,
            400,
            "ErrorInvalidParameter",
            "schedules must hold between 1 and 20 addresses.",
        );
    }
    let (Some(start), Some(end)) = (parse_time(&body["startTime"]), parse_time(&body["endTime"]))
    else {
        return inner_error(
            id,
            400,
            "ErrorInvalidParameter",
            "startTime and endTime are required.",
        );
    };
    if !d.calendars.contains_key(&anchor) {
        return inner_error(
            id,
            404,
            "ErrorInvalidUser",
            &format!("The requested user '{anchor}' is invalid."),
        );
    }
    let mut retry_after = None;
    for s in &schedules {
        if let Some((left, secs)) = d.throttle.get_mut(&s.to_lowercase())
            && *left > 0
        {
            *left -= 1;
            retry_after = Some(retry_after.unwrap_or(0).max(*secs));
        }
    }
    if let Some(secs) = retry_after {
        d.counters.throttled_items += 1;
        return inner(
            id,
            429,
            json!({"Retry-After": secs.to_string(), "Content-Type": "application/json"}),
            json!({"error": {"code": "ApplicationThrottled", "message": "Application is over its MailboxConcurrency limit."}}),
        );
    }
    let interval = body["availabilityViewInterval"]
        .as_i64()
        .unwrap_or(30)
        .max(5);
    let value: Vec<Value> = schedules
        .iter()
        .map(|s| match d.calendars.get(&s.to_lowercase()) {
            None => json!({"scheduleId": s, "availabilityView": "", "error": {
                "message": "Invalid SMTP address", "responseCode": "ErrorInvalidSmtpAddress"}}),
            Some(items) => schedule_information(s, items, start, end, interval),
        })
        .collect();
    inner(
        id,
        200,
        json!({"Cache-Control": "private", "Content-Type": "application/json"}),
        json!({
            "@odata.context": "https://graph.microsoft.com/v1.0/$metadata#Collection(microsoft.graph.scheduleInformation)",
            "value": value,
        }),
    )
}

fn schedule_information(
    id: &str,
    items: &[FakeItem],
    start: DateTime<Utc>,
    end: DateTime<Utc>,
    interval: i64,
) -> Value {
    let overlapping: Vec<&FakeItem> = items
        .iter()
        .filter(|i| i.start < end && i.end > start)
        .collect();
    let slots = ((end - start).num_minutes() / interval).max(0);
    let view: String = (0..slots)
        .map(|k| {
            let a = start + chrono::TimeDelta::minutes(k * interval);
            let b = a + chrono::TimeDelta::minutes(interval);
            overlapping
                .iter()
                .filter(|i| i.start < b && i.end > a)
                .map(|i| match i.status {
                    "tentative" => 1,
                    "busy" => 2,
                    "oof" => 3,
                    _ => 0,
                })
                .max()
                .unwrap_or(0)
                .to_string()
        })
        .collect();
    let schedule_items: Vec<Value> = overlapping
        .iter()
        .map(|i| {
            let mut item = json!({
                "isPrivate": i.is_private,
                "status": i.status,
                "start": {"dateTime": graph_time(i.start), "timeZone": "UTC"},
                "end": {"dateTime": graph_time(i.end), "timeZone": "UTC"},
            });
            if let (false, Some(subject)) = (i.is_private, &i.subject) {
                item["subject"] = json!(subject);
                item["location"] = json!("");
            }
            item
        })
        .collect();
    json!({
        "scheduleId": id,
        "availabilityView": view,
        "scheduleItems": schedule_items,
        "workingHours": {"daysOfWeek": ["monday","tuesday","wednesday","thursday","friday"],
            "startTime": "08:00:00.0000000", "endTime": "17:00:00.0000000", "timeZone": {"name": "UTC"}},
    })
}

fn graph_time(t: DateTime<Utc>) -> String {
    format!(
        "{}.{:07}",
        t.format("%Y-%m-%dT%H:%M:%S"),
        t.timestamp_subsec_nanos() / 100
    )
}

fn parse_time(v: &Value) -> Option<DateTime<Utc>> {
    let s = v["dateTime"].as_str()?;
    NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S%.f")
        .ok()
        .map(|n| n.and_utc())
}
