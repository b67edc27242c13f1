//! What can go wrong talking to Mattermost, in one type the outbox and the commands can act on.
//!
//! Callers need two things from an error: whether trying again can help (`is_retryable`,
//! `retry_after`) and a sentence to show an admin or user (`Display`). Mattermost's own AppError is
//! kept, because its `id` is the only stable way to tell e.g. "bot lacks system_admin" from other 403s.

use std::time::Duration;

use reqwest::StatusCode;
use serde::{Deserialize, Serialize};

/// The most of any error text from the server that we keep: enough to diagnose, never a memory sink.
pub(crate) const MAX_KEPT_ERROR_CHARS: usize = 1024;

/// Mattermost's JSON error body (`model.AppError`). Every field is optional on the wire.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct AppError {
    /// Stable identifier such as `api.context.permissions.app_error`.
    pub id: String,
    /// Translated, human readable text.
    pub message: String,
    /// Only filled in when the server runs with `EnableDeveloper`.
    pub detailed_error: String,
    pub request_id: String,
    pub status_code: i64,
}

impl AppError {
    /// Shortens every text field so an error body from the server cannot grow without bound.
    pub(crate) fn capped(mut self) -> Self {
        for field in [
            &mut self.id,
            &mut self.message,
            &mut self.detailed_error,
            &mut self.request_id,
        ] {
            *field = cap_text(field);
        }
        self
    }
}

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum MattermostError {
    /// Mattermost answered with an AppError JSON body.
    #[error("{}", describe_api_error(*.status, .error))]
    Api { status: StatusCode, error: AppError },
    /// HTTP 429: Mattermost's rate limiter answered with a plain-text body (`limit exceeded`).
    #[error("{}", describe_rate_limit(*.retry_after))]
    RateLimited {
        retry_after: Option<Duration>,
        body: String,
    },
    /// A status we did not expect, with a body that is not an AppError (a proxy's HTML page, a redirect…).
    #[error("{}", describe_http(*.status, .body))]
    Http { status: StatusCode, body: String },
    #[error(
        "Mattermost did not answer in time. It may be overloaded or unreachable; the request can be tried again."
    )]
    Timeout,
    #[error(
        "Could not reach Mattermost ({0}). Check LOTTO_MATTERMOST_URL and that the server is up."
    )]
    Transport(String),
    #[error("Mattermost sent a response the bot could not read ({0}).")]
    Decode(String),
    /// A lookup of one thing (a user by id or name) that Mattermost does not have.
    #[error(
        "Mattermost has no {what}. Check the spelling, or whether the account was deactivated."
    )]
    NotFound { what: String },
    /// The request was not sent because its input can never be valid (an empty id, a bad URL).
    #[error("{0}")]
    InvalidRequest(String),
}

impl MattermostError {
    /// True when the same request may succeed later: timeouts, network trouble, 5xx and 429.
    /// Other 4xx answers (bad input, missing permission, deactivated user) will fail the same way again.
    pub fn is_retryable(&self) -> bool {
        match self {
            Self::Timeout | Self::Transport(_) | Self::RateLimited { .. } => true,
            Self::Api { status, .. } | Self::Http { status, .. } => status.is_server_error(),
            Self::Decode(_) | Self::NotFound { .. } | Self::InvalidRequest(_) => false,
        }
    }

    /// How long the server asked us to wait (`Retry-After` of a 429), if it said.
    /// The value comes from the server: callers should cap it before sleeping on it.
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            Self::RateLimited { retry_after, .. } => *retry_after,
            _ => None,
        }
    }

    /// The HTTP status Mattermost answered with, when it answered at all.
    pub fn status(&self) -> Option<StatusCode> {
        match self {
            Self::Api { status, .. } | Self::Http { status, .. } => Some(*status),
            Self::RateLimited { .. } => Some(StatusCode::TOO_MANY_REQUESTS),
            Self::NotFound { .. } => Some(StatusCode::NOT_FOUND),
            _ => None,
        }
    }

    /// Mattermost's error id (e.g. `api.context.permissions.app_error`), when it sent one.
    pub fn app_error_id(&self) -> Option<&str> {
        match self {
            Self::Api { error, .. } => Some(error.id.as_str()),
            _ => None,
        }
    }
}

fn describe_api_error(status: StatusCode, error: &AppError) -> String {
    let hint = match (status.as_u16(), error.id.as_str()) {
        (401, _) => {
            " The bot token was refused: check LOTTO_BOT_TOKEN (a bot access token from System Console → Integrations → Bot Accounts)."
        }
        (403, "api.context.permissions.app_error") => {
            " The bot account lacks a permission; changing other people's status needs the bot to have the system_admin role."
        }
        (501, "api.custom_status.disabled") => {
            " Custom statuses are turned off on this server (Site Configuration → Users and Teams → Enable Custom Statuses)."
        }
        _ => "",
    };
    let message = if error.message.is_empty() {
        "no message"
    } else {
        error.message.as_str()
    };
    format!(
        "Mattermost refused the request (HTTP {}, {}): {message}{hint}",
        status.as_u16(),
        if error.id.is_empty() {
            "no error id"
        } else {
            error.id.as_str()
        },
    )
}

fn describe_rate_limit(retry_after: Option<Duration>) -> String {
    match retry_after {
        Some(wait) => format!(
            "Mattermost is rate limiting the bot; it asked to wait {} s before trying again.",
            wait.as_secs()
        ),
        None => "Mattermost is rate limiting the bot; try again in a moment.".to_string(),
    }
}

fn describe_http(status: StatusCode, body: &str) -> String {
    let hint = if status.is_redirection() {
        " Mattermost redirected the bot: set LOTTO_MATTERMOST_URL to the final address (e.g. https:// instead of http://)."
    } else {
        ""
    };
    let body = body.trim();
    if body.is_empty() {
        format!("Mattermost answered HTTP {}.{hint}", status.as_u16())
    } else {
        format!(
            "Mattermost answered HTTP {}: {body}.{hint}",
            status.as_u16()
        )
    }
}

/// Keeps at most `MAX_KEPT_ERROR_CHARS` characters, replacing control characters so a hostile body
/// cannot forge log lines.
pub(crate) fn cap_text(text: &str) -> String {
    let mut out: String = text
        .chars()
        .take(MAX_KEPT_ERROR_CHARS)
        .map(|c| if c.is_control() && c != ' ' { ' ' } else { c })
        .collect();
    if text.chars().nth(MAX_KEPT_ERROR_CHARS).is_some() {
        out.push('…');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn api(status: u16) -> MattermostError {
        MattermostError::Api {
            status: StatusCode::from_u16(status).unwrap(),
            error: AppError::default(),
        }
    }

    #[test]
    fn server_errors_rate_limits_and_network_trouble_are_retryable() {
        assert!(api(500).is_retryable());
        assert!(api(503).is_retryable());
        assert!(MattermostError::Timeout.is_retryable());
        assert!(MattermostError::Transport("reset".into()).is_retryable());
        let limited = MattermostError::RateLimited {
            retry_after: Some(Duration::from_secs(3)),
            body: "limit exceeded".into(),
        };
        assert!(limited.is_retryable());
        assert_eq!(limited.retry_after(), Some(Duration::from_secs(3)));
    }

    #[test]
    fn client_errors_are_permanent() {
        for status in [400, 401, 403, 404, 413] {
            assert!(!api(status).is_retryable(), "{status} must not be retried");
        }
        assert!(
            !MattermostError::NotFound {
                what: "user @x".into()
            }
            .is_retryable()
        );
        assert!(!MattermostError::Decode("x".into()).is_retryable());
        assert_eq!(api(400).retry_after(), None);
    }

    #[test]
    fn a_refused_token_tells_the_admin_which_setting_to_fix() {
        let text = api(401).to_string();
        assert!(text.contains("HTTP 401"), "{text}");
        assert!(text.contains("LOTTO_BOT_TOKEN"), "{text}");
    }

    #[test]
    fn cap_text_shortens_long_bodies_and_strips_control_characters() {
        let long = "a\n".repeat(5000);
        let capped = cap_text(&long);
        assert_eq!(capped.chars().count(), MAX_KEPT_ERROR_CHARS + 1);
        assert!(!capped.contains('\n'));
        assert_eq!(cap_text("short"), "short");
    }
}
