//! Nothing secret leaves in a support packet (docs/seed-systems.md §A.4, §A.7):
//! - `sanitized_config.json` marks its secret settings declaratively ([`Secret`]): a set secret
//!   becomes exactly 32 asterisks, as Mattermost's `FakeSetting`;
//! - URLs keep their host, port, path and harmless parameters, but user-info becomes `****:****` and
//!   `user`/`password` parameters go (Mattermost's partial DSN redaction);
//! - ICS feed links keep only their host;
//! - and, as a last net under all of that, [`Redactor`] replaces every configured secret and every
//!   ICS feed's path wherever it still turns up (a log line, an error text) before anything is zipped.

use aho_corasick::AhoCorasick;
use secrecy::{ExposeSecret, SecretString};
use serde::Serialize;

use crate::config::{RotationCreators, Settings};

/// What a set secret becomes (Mattermost's `model.FakeSetting`).
pub const FAKE_SETTING: &str = "********************************";
/// What URL user-info becomes (Mattermost's `SanitizedPassword`, for both parts).
const HIDDEN_USERINFO: &str = "****";
/// Shorter strings are not searched for: they would match ordinary text everywhere.
const MIN_SECRET_LEN: usize = 4;

/// A secret setting: serialised as 32 asterisks when set, `null` when not.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Secret(bool);

impl Secret {
    fn of(value: Option<&SecretString>) -> Self {
        Secret(value.is_some_and(|s| !s.expose_secret().is_empty()))
    }
}

impl Serialize for Secret {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        if self.0 {
            s.serialize_str(FAKE_SETTING)
        } else {
            s.serialize_none()
        }
    }
}

/// The settings as `sanitized_config.json` shows them, keyed as the TOML file's keys, in the
/// README's order.
#[derive(Debug, Clone, Serialize)]
pub struct SanitizedConfig {
    pub listen: String,
    pub database_url: String,
    pub mattermost_url: Option<String>,
    pub bot_token: Secret,
    pub slash_tokens: Vec<Secret>,
    pub admin_token: Secret,
    pub admins: Vec<String>,
    pub rotation_creators: &'static str,
    pub autopilot_interval: Option<u64>,
    pub calendar_interval: Option<u64>,
    pub websocket: bool,
    pub graph_url: Option<String>,
    pub graph_token_url: Option<String>,
    pub graph_tenant: Option<String>,
    pub graph_client_id: Option<String>,
    pub graph_client_secret: Secret,
    pub public_url: Option<String>,
    pub allow_private_urls: bool,
    pub log_format: &'static str,
}

impl SanitizedConfig {
    pub fn of(settings: &Settings) -> Self {
        let graph = settings.graph.as_ref();
        SanitizedConfig {
            listen: settings.listen.to_string(),
            database_url: redact_url(&settings.database_url),
            mattermost_url: settings.mattermost_url.as_deref().map(redact_url),
            bot_token: Secret::of(settings.bot_token.as_ref()),
            slash_tokens: settings
                .slash_tokens
                .iter()
                .map(|t| Secret::of(Some(t)))
                .collect(),
            admin_token: Secret::of(settings.admin_token.as_ref()),
            admins: settings.admins.clone(),
            rotation_creators: match settings.rotation_creators {
                RotationCreators::Everyone => "everyone",
                RotationCreators::Admins => "admins",
            },
            // Seconds; `null` = off.
            autopilot_interval: settings.autopilot_interval.map(|d| d.as_secs()),
            calendar_interval: settings.calendar_interval.map(|d| d.as_secs()),
            websocket: settings.websocket,
            graph_url: graph.map(|g| redact_url(&g.base_url)),
            graph_token_url: graph.map(|g| redact_url(&g.token_url)),
            graph_tenant: graph.map(|g| g.tenant.clone()),
            graph_client_id: graph.map(|g| g.client_id.clone()),
            graph_client_secret: Secret::of(graph.map(|g| &g.client_secret)),
            public_url: settings.public_url.as_deref().map(redact_url),
            allow_private_urls: settings.allow_private_urls,
            log_format: if settings.log_json { "json" } else { "text" },
        }
    }
}

/// A URL with its user-info replaced by `****:****` and `user`/`password` parameters dropped. Text
/// that does not parse as a URL is hidden entirely: it might be anything.
pub fn redact_url(text: &str) -> String {
    let Ok(mut url) = reqwest::Url::parse(text) else {
        return FAKE_SETTING.to_string();
    };
    if url.cannot_be_a_base() {
        return FAKE_SETTING.to_string();
    }
    if !url.username().is_empty() || url.password().is_some() {
        let _ = url.set_username(HIDDEN_USERINFO);
        let _ = url.set_password(Some(HIDDEN_USERINFO));
    }
    if url.query().is_some() {
        let kept: Vec<(String, String)> = url
            .query_pairs()
            .filter(|(k, _)| !is_credential_param(k))
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect();
        if kept.is_empty() {
            url.set_query(None);
        } else {
            url.query_pairs_mut().clear().extend_pairs(kept);
        }
    }
    url.to_string()
}

fn is_credential_param(key: &str) -> bool {
    matches!(
        key.to_ascii_lowercase().as_str(),
        "user" | "username" | "password" | "pass" | "passwd" | "sslpassword"
    )
}

/// An ICS feed link as it may be shown: its host only (the path and query are the secret).
pub fn feed_host(url: &str) -> String {
    reqwest::Url::parse(url)
        .ok()
        .and_then(|u| u.host_str().map(str::to_string))
        .unwrap_or_else(|| "(not a URL)".to_string())
}

/// Replaces every known secret in a text with 32 asterisks (ICS feeds: everything after the host).
pub struct Redactor {
    matcher: Option<AhoCorasick>,
}

impl Redactor {
    /// The secrets of `settings` (tokens, the Graph client secret, the database password) and the
    /// secret parts of `feeds` (ICS links).
    pub fn new<'a>(settings: &Settings, feeds: impl IntoIterator<Item = &'a str>) -> Self {
        let mut secrets: Vec<String> = Vec::new();
        let mut add = |s: &str| {
            let s = s.trim();
            if s.len() >= MIN_SECRET_LEN {
                secrets.push(s.to_string());
            }
        };
        for s in settings
            .bot_token
            .iter()
            .chain(&settings.slash_tokens)
            .chain(settings.admin_token.iter())
            .chain(settings.graph.as_ref().map(|g| &g.client_secret))
        {
            add(s.expose_secret());
        }
        for url in std::iter::once(settings.database_url.as_str())
            .chain(settings.mattermost_url.as_deref())
            .chain(settings.public_url.as_deref())
        {
            if let Ok(u) = reqwest::Url::parse(url)
                && let Some(password) = u.password()
            {
                add(password);
                add(&percent_decode(password));
            }
        }
        // A feed's path and query are its secret; each is also hidden alone, as an error text may
        // quote either. A link that does not parse is hidden whole.
        for feed in feeds {
            match reqwest::Url::parse(feed) {
                Ok(u) => {
                    add(u.path());
                    if let Some(q) = u.query() {
                        add(q);
                        add(&format!("{}?{q}", u.path()));
                    }
                }
                Err(_) => add(feed),
            }
        }
        // Longest first, so a whole URL is replaced before a part of it could be.
        secrets.sort_by_key(|s| std::cmp::Reverse(s.len()));
        secrets.dedup();
        let matcher = (!secrets.is_empty())
            .then(|| {
                AhoCorasick::builder()
                    .match_kind(aho_corasick::MatchKind::LeftmostLongest)
                    .build(&secrets)
                    .ok()
            })
            .flatten();
        Redactor { matcher }
    }

    pub fn apply(&self, text: &str) -> String {
        match &self.matcher {
            Some(m) => m.replace_all(text, &vec![FAKE_SETTING; m.patterns_len()]),
            None => text.to_string(),
        }
    }
}

fn percent_decode(s: &str) -> String {
    form_urlencoded::parse(format!("x={s}").as_bytes())
        .next()
        .map(|(_, v)| v.into_owned())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_keep_their_host_but_not_their_credentials() {
        assert_eq!(
            redact_url(
                "postgres://lotto:s3cret@db.example.com:5432/lotto?sslmode=require&password=x"
            ),
            "postgres://****:****@db.example.com:5432/lotto?sslmode=require"
        );
        assert_eq!(
            redact_url("sqlite://solar-lottery.db"),
            "sqlite://solar-lottery.db"
        );
        assert_eq!(redact_url("not a url"), FAKE_SETTING);
        assert_eq!(
            feed_host("https://cal.example.com/private/abc123/basic.ics"),
            "cal.example.com"
        );
    }

    #[test]
    fn secrets_become_32_asterisks_wherever_they_turn_up() {
        let settings = Settings::from_pairs([
            ("database_url", "postgres://u:p%40ssword@h/db"),
            ("bot_token", "bottoken123"),
            ("slash_tokens", "slashA1,slashB2"),
            ("admin_token", "admintok"),
        ])
        .unwrap();
        let r = Redactor::new(&settings, ["https://cal.example.com/secret/feed.ics"]);
        let text = "bottoken123 slashB2 admintok p@ssword p%40ssword https://cal.example.com/secret/feed.ics";
        let out = r.apply(text);
        for secret in [
            "bottoken123",
            "slashB2",
            "admintok",
            "ssword",
            "secret/feed",
        ] {
            assert!(!out.contains(secret), "{secret} in {out}");
        }
        assert!(out.contains("cal.example.com"), "{out}");
        assert_eq!(FAKE_SETTING.len(), 32);
    }
}
