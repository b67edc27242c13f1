//! The app-only (client-credentials) token, shared by every batch in flight. One refresh at a time:
//! concurrent batches wait for it instead of stampeding the token endpoint.

use super::GraphConfig;
use super::wire::{TokenError, TokenResponse};
use crate::calendar::SourceError;
use secrecy::{ExposeSecret, SecretString};
use std::time::{Duration, Instant};
use tokio::sync::Mutex;

const SCOPE: &str = "https://graph.microsoft.com/.default";
/// Refresh this long before the token says it expires, so no request leaves with a dying token.
const EARLY_REFRESH: Duration = Duration::from_secs(120);

#[derive(Clone)]
pub(crate) struct Token {
    pub secret: SecretString,
    /// Which token this is, so a 401 only invalidates the token that failed.
    pub generation: u64,
}

struct Cached {
    token: Token,
    refresh_at: Instant,
}

#[derive(Default)]
pub(crate) struct TokenCache {
    state: Mutex<(Option<Cached>, u64)>,
}

impl TokenCache {
    pub async fn get(
        &self,
        http: &reqwest::Client,
        config: &GraphConfig,
        timeout: Duration,
    ) -> Result<Token, SourceError> {
        let mut state = self.state.lock().await;
        if let Some(cached) = &state.0
            && Instant::now() < cached.refresh_at
        {
            return Ok(cached.token.clone());
        }
        let (secret, lifetime) = request(http, config, timeout).await?;
        state.1 += 1;
        let token = Token {
            secret,
            generation: state.1,
        };
        let early = EARLY_REFRESH.min(lifetime / 2);
        state.0 = Some(Cached {
            token: token.clone(),
            refresh_at: Instant::now() + lifetime - early,
        });
        Ok(token)
    }

    /// Drops the cached token if it is the one Graph just refused.
    pub async fn invalidate(&self, generation: u64) {
        let mut state = self.state.lock().await;
        if state
            .0
            .as_ref()
            .is_some_and(|c| c.token.generation == generation)
        {
            state.0 = None;
        }
    }
}

async fn request(
    http: &reqwest::Client,
    config: &GraphConfig,
    timeout: Duration,
) -> Result<(SecretString, Duration), SourceError> {
    let form = [
        ("grant_type", "client_credentials"),
        ("client_id", config.client_id.as_str()),
        ("client_secret", config.client_secret.expose_secret()),
        ("scope", SCOPE),
    ];
    let response = http
        .post(&config.token_url)
        .form(&form)
        .send()
        .await
        .map_err(|e| SourceError::from_reqwest(&e, timeout))?;
    let status = response.status();
    let body = response
        .bytes()
        .await
        .map_err(|e| SourceError::from_reqwest(&e, timeout))?;
    if !status.is_success() {
        let err: TokenError = serde_json::from_slice(&body).unwrap_or_default();
        let why = if err.error.is_empty() {
            format!("the token endpoint answered HTTP {}", status.as_u16())
        } else {
            // The description's first line is the human part; the rest is trace ids.
            let first = err.error_description.lines().next().unwrap_or_default();
            format!("{} ({})", first.trim(), err.error)
        };
        return Err(SourceError::Token(why));
    }
    let token: TokenResponse = serde_json::from_slice(&body)
        .map_err(|e| SourceError::Token(format!("the token answer could not be read: {e}")))?;
    let lifetime = Duration::from_secs(token.expires_in.unwrap_or(3599).max(1));
    Ok((SecretString::from(token.access_token), lifetime))
}
