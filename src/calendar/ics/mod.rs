//! ICS feeds: fetch a person's feed URL (bounded in time and size) and read the blocks in a window.

mod expand;
/// The address guard is shared by every URL the bot fetches for a user (`crate::url_guard`).
pub use crate::url_guard as guard;
mod value;

pub use guard::AddressPolicy;
pub use value::parse_duration as parse_ical_duration;

use super::SourceError;
use super::model::{Block, Span};
use super::tz::resolve_tz;
use chrono_tz::Tz;
use icalendar::{Calendar, CalendarComponent, Event};
use reqwest::Url;
use std::time::Duration;

/// The blocks of an iCalendar text that overlap `window`, with all-day events placed in `person_tz`.
/// Pure: the parsing half of [`IcsClient::blocks`].
pub fn blocks_in(ics_text: &str, window: Span, person_tz: Tz) -> Result<Vec<Block>, SourceError> {
    if !ics_text.contains("BEGIN:VCALENDAR") {
        return Err(SourceError::InvalidIcs(
            "there is no BEGIN:VCALENDAR in it".into(),
        ));
    }
    let calendar: Calendar = ics_text.parse().map_err(|e: String| {
        // The parser's message quotes the offending line, which may hold a subject: keep the gist.
        let gist = e
            .lines()
            .find(|l| l.contains("expected") || l.contains("error"))
            .unwrap_or("parse error");
        SourceError::InvalidIcs(gist.trim().chars().take(120).collect())
    })?;
    let floating = calendar
        .property_value("X-WR-TIMEZONE")
        .and_then(resolve_tz)
        .unwrap_or(person_tz);
    let events: Vec<&Event> = calendar
        .components
        .iter()
        .filter_map(|c| match c {
            CalendarComponent::Event(event) => Some(event),
            _ => None,
        })
        .collect();
    let mut blocks = expand::expand(
        &events,
        window,
        expand::Zones {
            person: person_tz,
            floating,
        },
    );
    blocks.sort_by_key(|b| (b.start(), b.end()));
    Ok(blocks)
}

/// Fetches ICS feeds. Cheap to clone; clones share the connection pool.
#[derive(Debug, Clone)]
pub struct IcsClient {
    http: reqwest::Client,
    timeout: Duration,
    max_bytes: usize,
    policy: AddressPolicy,
}

impl IcsClient {
    /// Large enough for years of a busy work calendar, small enough that no feed hogs memory.
    pub const DEFAULT_MAX_BYTES: usize = 5 * 1024 * 1024;

    /// `timeout` bounds each whole fetch; `policy` says whether feeds on internal addresses may be
    /// fetched (see [`guard`]).
    pub fn new(timeout: Duration, policy: AddressPolicy) -> Result<Self, SourceError> {
        let builder = guard::client_builder(timeout, policy);
        let http = builder
            .build()
            .map_err(|e| SourceError::Transport(e.to_string()))?;
        Ok(Self {
            http,
            timeout,
            max_bytes: Self::DEFAULT_MAX_BYTES,
            policy,
        })
    }

    pub fn policy(&self) -> AddressPolicy {
        self.policy
    }

    pub fn with_max_bytes(mut self, max_bytes: usize) -> Self {
        self.max_bytes = max_bytes;
        self
    }

    /// The feed's text, refusing non-http(s) URLs, error statuses and bodies over the size cap.
    pub async fn fetch(&self, url: &str) -> Result<String, SourceError> {
        let url = check_url(url)?;
        guard::check_resolved(&url, self.policy)
            .await
            .map_err(|reason| SourceError::BadUrl {
                url: redact(url.as_str()),
                reason: reason.to_string(),
            })?;
        let mut response = self
            .http
            .get(url)
            .header(reqwest::header::ACCEPT, "text/calendar, */*;q=0.5")
            .send()
            .await
            .map_err(|e| SourceError::from_reqwest(&e, self.timeout))?;
        let status = response.status();
        if !status.is_success() {
            return Err(SourceError::Http {
                status: status.as_u16(),
            });
        }
        let too_large = SourceError::TooLarge {
            limit_bytes: self.max_bytes,
        };
        if response
            .content_length()
            .is_some_and(|n| n > self.max_bytes as u64)
        {
            return Err(too_large);
        }
        let mut body = Vec::new();
        while let Some(chunk) = response
            .chunk()
            .await
            .map_err(|e| SourceError::from_reqwest(&e, self.timeout))?
        {
            if body.len() + chunk.len() > self.max_bytes {
                return Err(too_large);
            }
            body.extend_from_slice(&chunk);
        }
        String::from_utf8(body).map_err(|_| SourceError::InvalidIcs("it is not UTF-8 text".into()))
    }

    /// Fetches and reads a feed; the parsing runs off the async workers so a big feed does not
    /// stall other people's fetches.
    pub async fn blocks(
        &self,
        url: &str,
        window: Span,
        person_tz: Tz,
    ) -> Result<Vec<Block>, SourceError> {
        let text = self.fetch(url).await?;
        tokio::task::spawn_blocking(move || blocks_in(&text, window, person_tz))
            .await
            .map_err(|_| SourceError::InvalidIcs("reading it failed unexpectedly".into()))?
    }
}

/// Accepts http and https (and `webcal://`, which calendar apps hand out for https feeds).
pub fn check_url(url: &str) -> Result<Url, SourceError> {
    let bad = |reason: &str| SourceError::BadUrl {
        url: redact(url),
        reason: reason.to_string(),
    };
    let trimmed = url.trim();
    let rewritten = match trimmed.get(..9) {
        Some(prefix) if prefix.eq_ignore_ascii_case("webcal://") => {
            format!("https://{}", &trimmed[9..])
        }
        _ => trimmed.to_string(),
    };
    let parsed = Url::parse(&rewritten).map_err(|e| bad(&e.to_string()))?;
    if !matches!(parsed.scheme(), "http" | "https") {
        return Err(bad("only http:// and https:// links can be fetched"));
    }
    if parsed.host_str().is_none_or(str::is_empty) {
        return Err(bad("it has no host name"));
    }
    Ok(parsed)
}

/// Feed URLs often embed a private token; error messages keep only scheme and host.
pub fn redact(url: &str) -> String {
    match Url::parse(url.trim()) {
        Ok(u) => format!("{}://{}/…", u.scheme(), u.host_str().unwrap_or_default()),
        Err(_) => url.chars().take(40).collect(),
    }
}
