//! Microsoft Graph free/busy with app-only credentials: `getSchedule` for up to 20 people per
//! request, up to 20 requests per `$batch` call (400 people per round trip), several calls in flight.
//! Graph throttles and fails per item, so every item is retried or failed on its own.

mod consent;
mod schedule;
mod token;
mod wire;

pub use consent::{ConsentUrlError, admin_consent_url};

use super::SourceError;
use super::model::{Block, Span};
use futures_util::{Stream, StreamExt};
use secrecy::{ExposeSecret, SecretString};
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;
use token::TokenCache;
use wire::{
    BatchItem, BatchItemResponse, BatchRequest, BatchResponse, DateTimeTimeZone, ItemHeaders,
    ScheduleRequest,
};

/// Where and as whom to reach Graph (`LOTTO_GRAPH_*`).
#[derive(Debug, Clone)]
pub struct GraphConfig {
    /// Base URL with the version, e.g. `https://graph.microsoft.com/v1.0`.
    pub base_url: String,
    /// Full OAuth token endpoint, e.g. [`GraphConfig::default_token_url`].
    pub token_url: String,
    pub tenant: String,
    pub client_id: String,
    pub client_secret: SecretString,
}

impl GraphConfig {
    pub const DEFAULT_BASE_URL: &str = "https://graph.microsoft.com/v1.0";

    pub fn default_token_url(tenant: &str) -> String {
        format!("https://login.microsoftonline.com/{tenant}/oauth2/v2.0/token")
    }
}

/// Graph's documented limits and our politeness bounds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GraphLimits {
    /// People per `getSchedule` request (Graph: at most 20).
    pub schedules_per_request: usize,
    /// Requests per `$batch` call (Graph: at most 20).
    pub requests_per_batch: usize,
    /// `$batch` calls in flight at once. 16 lets 10,000 people (25 calls) finish in two round trips.
    pub batches_in_flight: usize,
    /// Tries per request before its people get an error for this run.
    pub max_attempts: u32,
    /// A `Retry-After` longer than this fails the request for this run instead of holding the job.
    pub max_retry_after: Duration,
    /// `availabilityViewInterval` in minutes (5–1440); only `scheduleItems` are read.
    pub view_interval_minutes: u32,
}

impl Default for GraphLimits {
    fn default() -> Self {
        Self {
            schedules_per_request: 20,
            requests_per_batch: 20,
            batches_in_flight: 16,
            max_attempts: 4,
            max_retry_after: Duration::from_secs(30),
            view_interval_minutes: 15,
        }
    }
}

impl GraphLimits {
    fn clamped(self) -> Self {
        Self {
            schedules_per_request: self.schedules_per_request.clamp(1, 20),
            requests_per_batch: self.requests_per_batch.clamp(1, 20),
            batches_in_flight: self.batches_in_flight.max(1),
            max_attempts: self.max_attempts.max(1),
            view_interval_minutes: self.view_interval_minutes.clamp(5, 1440),
            ..self
        }
    }
}

/// Cheap to clone; clones share the connection pool and the token.
#[derive(Clone)]
pub struct GraphClient {
    inner: Arc<Inner>,
}

struct Inner {
    http: reqwest::Client,
    config: GraphConfig,
    limits: GraphLimits,
    timeout: Duration,
    token: TokenCache,
}

impl std::fmt::Debug for GraphClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GraphClient")
            .field("base_url", &self.inner.config.base_url)
            .field("limits", &self.inner.limits)
            .finish_non_exhaustive()
    }
}

/// How one `$batch` call went as a whole.
pub(crate) enum BatchOutcome {
    /// Graph answered; each item's own status decides its fate.
    Items(HashMap<String, BatchItemResponse>),
    /// Worth trying again (throttled, unavailable, timeout, connection trouble).
    Retry {
        after: Option<Duration>,
        error: SourceError,
    },
    /// Trying again will not help.
    Fatal(SourceError),
}

impl GraphClient {
    /// `timeout` bounds each HTTP request (token or `$batch`), not the whole fetch.
    pub fn new(config: GraphConfig, timeout: Duration) -> Result<Self, SourceError> {
        Self::with_limits(config, timeout, GraphLimits::default())
    }

    pub fn with_limits(
        config: GraphConfig,
        timeout: Duration,
        limits: GraphLimits,
    ) -> Result<Self, SourceError> {
        let limits = limits.clamped();
        let http = reqwest::Client::builder()
            .timeout(timeout)
            .connect_timeout(timeout.min(Duration::from_secs(10)))
            .pool_max_idle_per_host(limits.batches_in_flight)
            .build()
            .map_err(|e| SourceError::Transport(e.to_string()))?;
        let config = GraphConfig {
            base_url: config.base_url.trim_end_matches('/').to_string(),
            ..config
        };
        Ok(Self {
            inner: Arc::new(Inner {
                http,
                config,
                limits,
                timeout,
                token: TokenCache::default(),
            }),
        })
    }

    pub fn limits(&self) -> GraphLimits {
        self.inner.limits
    }

    /// Whether Graph gives this app a token now (for the support packet's reachability check).
    pub async fn check_token(&self) -> Result<(), SourceError> {
        let inner = &self.inner;
        inner
            .token
            .get(&inner.http, &inner.config, inner.timeout)
            .await
            .map(drop)
    }

    /// Free/busy blocks for each address within `window`, keyed by the address as given. One
    /// person's error never affects the others.
    pub async fn get_schedules(
        &self,
        emails: &[String],
        window: Span,
    ) -> HashMap<String, Result<Vec<Block>, SourceError>> {
        let mut found: HashMap<String, schedule::Outcome> = HashMap::with_capacity(emails.len());
        schedule::fetch(self, emails, window, &mut |email, result| {
            found.insert(email, result);
        })
        .await;
        emails
            .iter()
            .map(|email| {
                let result = found
                    .get(&email.trim().to_lowercase())
                    .cloned()
                    .unwrap_or_else(|| {
                        Err(SourceError::MissingFromResponse {
                            email: email.clone(),
                        })
                    });
                (email.clone(), result)
            })
            .collect()
    }

    /// The same as [`get_schedules`](Self::get_schedules), but each address (trimmed, lower-cased,
    /// once) comes out the moment its request is settled, so people whose request is throttled or
    /// retried hold up nobody else.
    pub fn schedules_each(
        &self,
        emails: Vec<String>,
        window: Span,
    ) -> impl Stream<Item = (String, Result<Vec<Block>, SourceError>)> + Send + '_ {
        let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
        let driver = async move {
            schedule::fetch(self, &emails, window, &mut |email, result| {
                // The receiver only goes away when the caller dropped the stream.
                let _ = tx.send((email, result));
            })
            .await;
        };
        let results = futures_util::stream::unfold(rx, |mut rx| async move {
            rx.recv().await.map(|item| (item, rx))
        });
        // The driver runs while the stream is polled and yields nothing itself; when it is done
        // the sender is gone and the results end.
        futures_util::stream::select(
            results.map(Some),
            futures_util::stream::once(driver).map(|()| None),
        )
        .filter_map(std::future::ready)
    }

    /// Sends one `$batch` of `getSchedule` requests, each `(id, schedules)`; refreshes the token once
    /// if Graph says it is no longer valid.
    pub(crate) async fn send_batch(
        &self,
        requests: &[(String, &[String])],
        window: Span,
    ) -> BatchOutcome {
        let inner = &self.inner;
        let body = BatchRequest {
            requests: requests
                .iter()
                .filter_map(|(id, schedules)| {
                    Some(BatchItem {
                        id: id.clone(),
                        method: "POST",
                        url: schedule_path(schedules.first()?)?,
                        headers: ItemHeaders::JSON_UTC,
                        body: ScheduleRequest {
                            schedules,
                            start_time: DateTimeTimeZone::utc(window.start()),
                            end_time: DateTimeTimeZone::utc(window.end()),
                            availability_view_interval: inner.limits.view_interval_minutes,
                        },
                    })
                })
                .collect(),
        };
        let url = format!("{}/$batch", inner.config.base_url);
        for refreshed in [false, true] {
            let token = match inner
                .token
                .get(&inner.http, &inner.config, inner.timeout)
                .await
            {
                Ok(token) => token,
                Err(error) if error.is_transient() => {
                    return BatchOutcome::Retry { after: None, error };
                }
                Err(error) => return BatchOutcome::Fatal(error),
            };
            let sent = inner
                .http
                .post(&url)
                .bearer_auth(token.secret.expose_secret())
                .json(&body)
                .send()
                .await;
            let response = match sent {
                Ok(response) => response,
                Err(e) => {
                    return BatchOutcome::Retry {
                        after: None,
                        error: SourceError::from_reqwest(&e, inner.timeout),
                    };
                }
            };
            let status = response.status().as_u16();
            if status == 401 && !refreshed {
                inner.token.invalidate(token.generation).await;
                continue;
            }
            let after = retry_after(response.headers().get(reqwest::header::RETRY_AFTER));
            let bytes = match response.bytes().await {
                Ok(bytes) => bytes,
                Err(e) => {
                    return BatchOutcome::Retry {
                        after: None,
                        error: SourceError::from_reqwest(&e, inner.timeout),
                    };
                }
            };
            return match status {
                200..=299 => match serde_json::from_slice::<BatchResponse>(&bytes) {
                    Ok(parsed) => BatchOutcome::Items(
                        parsed
                            .responses
                            .into_iter()
                            .map(|r| (r.id.clone(), r))
                            .collect(),
                    ),
                    Err(e) => BatchOutcome::Fatal(SourceError::Decode(format!(
                        "Graph's $batch answer: {e}"
                    ))),
                },
                429 => BatchOutcome::Retry {
                    after,
                    error: SourceError::Throttled { attempts: 1 },
                },
                500..=599 => BatchOutcome::Retry {
                    after,
                    error: SourceError::Http { status },
                },
                401 => BatchOutcome::Fatal(SourceError::Token(
                    "Graph refused a freshly issued token".into(),
                )),
                _ => BatchOutcome::Fatal(SourceError::Http { status }),
            };
        }
        BatchOutcome::Fatal(SourceError::Token(
            "Graph refused a freshly issued token".into(),
        ))
    }
}

/// App-only calls cannot use `/me`; any mailbox of the tenant can host the request, so the first
/// person of the request is used (percent-encoded as one path segment).
fn schedule_path(anchor: &str) -> Option<String> {
    let mut url = reqwest::Url::parse("https://graph.invalid/users").ok()?;
    url.path_segments_mut()
        .ok()?
        .push(anchor)
        .push("calendar")
        .push("getSchedule");
    Some(url.path().to_string())
}

/// `Retry-After` in seconds (Graph does not send HTTP dates here).
pub(crate) fn retry_after(value: Option<&reqwest::header::HeaderValue>) -> Option<Duration> {
    parse_retry_after(value?.to_str().ok()?)
}

pub(crate) fn parse_retry_after(value: &str) -> Option<Duration> {
    value.trim().parse::<u64>().ok().map(Duration::from_secs)
}
