//! The HTTP plumbing under every call: URL building, auth, timeouts, size caps and error mapping.
//!
//! Everything a server sends is untrusted: bodies are read with a size cap, error texts are
//! shortened, and nothing from a response can make this code panic.

use std::fmt;
use std::sync::Arc;
use std::time::{Duration, Instant};

use reqwest::header::{AUTHORIZATION, HeaderValue, RETRY_AFTER};
use reqwest::{Method, RequestBuilder, Response, StatusCode, Url};
use secrecy::{ExposeSecret, SecretString};
use serde::de::DeserializeOwned;

use super::error::{AppError, MattermostError, cap_text};

/// Largest successful body we accept (a few thousand users fit many times over).
const MAX_BODY_BYTES: usize = 16 * 1024 * 1024;
/// Largest error body we read: enough for any AppError, small enough to ignore a hostile server.
const MAX_ERROR_BODY_BYTES: usize = 64 * 1024;
/// Connecting never needs long, even when a whole request may take longer.
const MAX_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// The bot's bound on one whole request to Mattermost (connect to last byte). The outbox sizes its
/// claims from the client's timeout (`notify::RetryPolicy`), so this is also about how long a DM
/// waits after its sender was killed mid-request.
pub const DEFAULT_REQUEST_TIMEOUT: Duration = Duration::from_secs(10);

/// A thin typed client for the Mattermost REST API v4, authenticated as the bot.
///
/// Cheap to clone (one shared connection pool). Every request has the timeout given to `new`.
#[derive(Clone)]
pub struct MattermostClient {
    inner: Arc<Inner>,
}

struct Inner {
    http: reqwest::Client,
    base_url: Url,
    /// The bound on each whole request, kept so callers can size what depends on it.
    timeout: Duration,
    /// `Bearer <token>`, marked sensitive so no HTTP-level debug output shows it.
    authorization: HeaderValue,
}

impl fmt::Debug for MattermostClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MattermostClient")
            .field("base_url", &self.inner.base_url.as_str())
            .field("bot_token", &"[redacted]")
            .finish()
    }
}

impl MattermostClient {
    /// `base_url` is the site URL (`https://chat.example.com`, a sub-path is fine); `timeout`
    /// bounds each whole request, connect included.
    pub fn new(
        base_url: &str,
        bot_token: SecretString,
        timeout: Duration,
    ) -> Result<Self, MattermostError> {
        let base_url = parse_base_url(base_url)?;
        let token = bot_token.expose_secret().trim();
        if token.is_empty() {
            return Err(MattermostError::InvalidRequest(
                "The bot token is empty: set LOTTO_BOT_TOKEN to the bot account's access token."
                    .to_string(),
            ));
        }
        let mut authorization = HeaderValue::from_str(&format!("Bearer {token}")).map_err(|_| {
            MattermostError::InvalidRequest(
                "The bot token contains characters a token cannot have: copy LOTTO_BOT_TOKEN again from Mattermost."
                    .to_string(),
            )
        })?;
        authorization.set_sensitive(true);
        let http = reqwest::Client::builder()
            .timeout(timeout)
            .connect_timeout(timeout.min(MAX_CONNECT_TIMEOUT))
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("solar-lottery/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| MattermostError::Transport(error_chain(&e)))?;
        Ok(Self {
            inner: Arc::new(Inner {
                http,
                base_url,
                timeout,
                authorization,
            }),
        })
    }

    pub fn base_url(&self) -> &Url {
        &self.inner.base_url
    }

    /// The longest any one request can take, connect to last byte of the body: after this the
    /// request has either finished or been abandoned (reqwest's total timeout).
    pub fn timeout(&self) -> Duration {
        self.inner.timeout
    }

    /// `<base>/api/v4/<segments…>`, each segment percent-encoded.
    pub(super) fn api_url(&self, segments: &[&str]) -> Url {
        let mut url = self.inner.base_url.clone();
        if let Ok(mut path) = url.path_segments_mut() {
            path.pop_if_empty().extend(["api", "v4"]).extend(segments);
        }
        url
    }

    /// `Bearer <token>` (marked sensitive), for the WebSocket upgrade.
    pub(super) fn authorization(&self) -> &HeaderValue {
        &self.inner.authorization
    }

    /// A request to the API with the bot's credentials.
    pub(super) fn api(&self, method: Method, url: Url) -> RequestBuilder {
        self.inner
            .http
            .request(method, url)
            .header(AUTHORIZATION, self.inner.authorization.clone())
    }

    /// A request without credentials, for URLs that are capabilities themselves (`response_url`).
    pub(super) fn anonymous(&self, method: Method, url: Url) -> RequestBuilder {
        self.inner.http.request(method, url)
    }

    /// Sends the request and decodes a JSON body on success. `route` names the endpoint in logs
    /// (a template, never the URL: a `response_url` is a secret capability).
    pub(super) async fn call_json<T: DeserializeOwned>(
        &self,
        route: &'static str,
        request: RequestBuilder,
        expected: StatusCode,
    ) -> Result<T, MattermostError> {
        let response = self.call(route, request, expected).await?;
        let body = read_capped(response, MAX_BODY_BYTES).await?;
        serde_json::from_slice(&body).map_err(|e| MattermostError::Decode(cap_text(&e.to_string())))
    }

    /// Sends the request and checks the status; the body of a success is discarded.
    pub(super) async fn call_unit(
        &self,
        route: &'static str,
        request: RequestBuilder,
        expected: StatusCode,
    ) -> Result<(), MattermostError> {
        self.call(route, request, expected).await.map(drop)
    }

    pub(super) async fn call(
        &self,
        route: &'static str,
        request: RequestBuilder,
        expected: StatusCode,
    ) -> Result<Response, MattermostError> {
        let started = Instant::now();
        let result = request.send().await;
        let elapsed_ms = started.elapsed().as_millis();
        let response = match result {
            Ok(response) => response,
            Err(error) => {
                let error = transport_error(error);
                tracing::debug!(route, elapsed_ms, %error, "mattermost request failed");
                return Err(error);
            }
        };
        let status = response.status();
        tracing::debug!(
            route,
            status = status.as_u16(),
            elapsed_ms,
            "mattermost call"
        );
        if status.is_success() {
            if status != expected {
                tracing::warn!(
                    route,
                    status = status.as_u16(),
                    expected = expected.as_u16(),
                    "mattermost answered with an unexpected success status"
                );
            }
            Ok(response)
        } else {
            Err(error_from_response(response).await)
        }
    }
}

fn parse_base_url(text: &str) -> Result<Url, MattermostError> {
    let invalid = |why: &str| {
        MattermostError::InvalidRequest(format!(
            "`{}` is not a usable Mattermost address ({why}): set LOTTO_MATTERMOST_URL to the site URL, e.g. https://chat.example.com",
            cap_text(text.trim())
        ))
    };
    let url = Url::parse(text.trim()).map_err(|e| invalid(&e.to_string()))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(invalid("it must start with http:// or https://"));
    }
    if url.cannot_be_a_base() || url.host_str().is_none() {
        return Err(invalid("it has no host"));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(invalid("it must not have a query or fragment"));
    }
    Ok(url)
}

/// Reads the body up to `limit` bytes; a longer body is an error (never silently truncated JSON).
pub(super) async fn read_capped(
    mut response: Response,
    limit: usize,
) -> Result<Vec<u8>, MattermostError> {
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await.map_err(transport_error)? {
        if body.len() + chunk.len() > limit {
            return Err(MattermostError::Decode(format!(
                "the response is larger than {} MiB",
                limit / (1024 * 1024)
            )));
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

/// Reads at most `limit` bytes and stops; for error bodies, where a prefix is all we keep.
async fn read_prefix(mut response: Response, limit: usize) -> Vec<u8> {
    let mut body = Vec::new();
    while body.len() < limit {
        match response.chunk().await {
            Ok(Some(chunk)) => {
                let room = limit - body.len();
                body.extend_from_slice(&chunk[..chunk.len().min(room)]);
            }
            Ok(None) | Err(_) => break,
        }
    }
    body
}

async fn error_from_response(response: Response) -> MattermostError {
    let status = response.status();
    if status == StatusCode::TOO_MANY_REQUESTS {
        let retry_after = response
            .headers()
            .get(RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .and_then(parse_retry_after);
        let body = read_prefix(response, MAX_ERROR_BODY_BYTES).await;
        return MattermostError::RateLimited {
            retry_after,
            body: cap_text(String::from_utf8_lossy(&body).trim()),
        };
    }
    let body = read_prefix(response, MAX_ERROR_BODY_BYTES).await;
    match serde_json::from_slice::<AppError>(&body) {
        Ok(error) if !error.id.is_empty() || !error.message.is_empty() => MattermostError::Api {
            status,
            error: error.capped(),
        },
        _ => MattermostError::Http {
            status,
            body: cap_text(String::from_utf8_lossy(&body).trim()),
        },
    }
}

/// `Retry-After` as Mattermost sends it: whole seconds. (HTTP dates are not used by Mattermost.)
fn parse_retry_after(value: &str) -> Option<Duration> {
    value.trim().parse::<u64>().ok().map(Duration::from_secs)
}

fn transport_error(error: reqwest::Error) -> MattermostError {
    if error.is_timeout() {
        MattermostError::Timeout
    } else {
        MattermostError::Transport(error_chain(&error.without_url()))
    }
}

/// "error sending request: connection refused": the top error alone rarely says what happened.
fn error_chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        let cause_text = cause.to_string();
        if !text.contains(&cause_text) {
            text.push_str(": ");
            text.push_str(&cause_text);
        }
        source = cause.source();
    }
    cap_text(&text)
}

/// Path parameters are checked before use: `.`/`..` would silently change the URL, and an empty
/// segment would hit a different route.
pub(super) fn check_segment<'a>(value: &'a str, what: &str) -> Result<&'a str, MattermostError> {
    let ok = !value.is_empty()
        && value.len() <= 64
        && value != "."
        && value != ".."
        && value
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'));
    if ok {
        Ok(value)
    } else {
        Err(MattermostError::InvalidRequest(format!(
            "`{}` is not a valid Mattermost {what}.",
            cap_text(value)
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn client(base: &str) -> MattermostClient {
        MattermostClient::new(
            base,
            SecretString::from("tok".to_string()),
            Duration::from_secs(1),
        )
        .unwrap()
    }

    #[test]
    fn api_urls_keep_a_sub_path_and_encode_segments() {
        let c = client("https://example.com/chat/");
        assert_eq!(
            c.api_url(&["users", "username", "a b"]).as_str(),
            "https://example.com/chat/api/v4/users/username/a%20b"
        );
        let c = client("https://example.com");
        assert_eq!(
            c.api_url(&["users", "me"]).as_str(),
            "https://example.com/api/v4/users/me"
        );
    }

    #[test]
    fn bad_base_urls_and_tokens_are_refused_with_the_setting_to_fix() {
        for base in ["chat.example.com", "ftp://x", "https://x/?a=1", ""] {
            let err = MattermostClient::new(
                base,
                SecretString::from("t".to_string()),
                Duration::from_secs(1),
            )
            .unwrap_err();
            assert!(
                err.to_string().contains("LOTTO_MATTERMOST_URL"),
                "{base}: {err}"
            );
        }
        for token in ["", "  ", "bad\ntoken"] {
            let err = MattermostClient::new(
                "https://x",
                SecretString::from(token.to_string()),
                Duration::from_secs(1),
            )
            .unwrap_err();
            assert!(err.to_string().contains("LOTTO_BOT_TOKEN"), "{err}");
        }
    }

    #[test]
    fn debug_output_never_shows_the_token() {
        let c = MattermostClient::new(
            "https://x",
            SecretString::from("super-secret-token".to_string()),
            Duration::from_secs(1),
        )
        .unwrap();
        let text = format!("{c:?}");
        assert!(!text.contains("super-secret-token"), "{text}");
        assert!(text.contains("redacted"));
    }

    #[test]
    fn retry_after_is_whole_seconds() {
        assert_eq!(parse_retry_after(" 7 "), Some(Duration::from_secs(7)));
        assert_eq!(parse_retry_after("-1"), None);
        assert_eq!(parse_retry_after("soon"), None);
    }

    #[test]
    fn path_segments_that_would_change_the_url_are_refused() {
        for bad in ["", ".", "..", "a/b", "a?b", "ä", &"x".repeat(65)] {
            assert!(check_segment(bad, "user id").is_err(), "{bad}");
        }
        assert!(check_segment("alice.smith-2_x", "username").is_ok());
    }
}
