//! Settings from `LOTTO_*` environment variables and an optional TOML file (same keys, lowercase,
//! without the prefix: `bot_token = "..."`). The environment wins over the file.
//!
//! Secrets (the bot token, slash tokens, the admin token, the Graph client secret) are `SecretString`s: their `Debug`
//! prints a placeholder, so a settings dump in a log never leaks them.

use std::net::SocketAddr;
use std::path::Path;
use std::time::Duration;

use secrecy::SecretString;
use serde::Deserialize;

use crate::lottery::parse_duration;

pub const DEFAULT_LISTEN: &str = "127.0.0.1:8088";
pub const DEFAULT_DATABASE_URL: &str = "sqlite://solar-lottery.db";
pub const DEFAULT_GRAPH_URL: &str = "https://graph.microsoft.com/v1.0";

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("could not read the settings: {0}")]
    Source(String),
    #[error("{name} = `{value}` is not valid: {reason}")]
    Invalid {
        name: &'static str,
        value: String,
        reason: String,
    },
    #[error("{}", missing_help(.0))]
    Missing(Vec<&'static str>),
}

/// What an admin must do to obtain each required setting.
fn missing_help(names: &[&'static str]) -> String {
    let mut out = String::from(
        "solar-lottery can't serve without its Mattermost settings.\n\
         The quickest way to get all three: run `solar-lottery setup --mattermost-url https://chat.example.com \
         --admin-token <a system admin's access token> --bot-url http://<where Mattermost reaches this bot>:8088`. \
         It creates the bot account, its token and the /lotto command, and writes solar-lottery.toml, which \
         `solar-lottery serve` then reads.\n\
         Or set these environment variables yourself (or the same keys, lowercase and without LOTTO_, in a TOML \
         file given with --config):\n",
    );
    for name in names {
        let how = match *name {
            "LOTTO_MATTERMOST_URL" => {
                "the site URL of your Mattermost server, e.g. https://chat.example.com (System Console → \
                 Environment → Web Server → Site URL)"
            }
            "LOTTO_BOT_TOKEN" => {
                "the access token of the bot account: System Console → Integrations → Bot Accounts → Add Bot \
                 Account (username solar-lottery), then Create New Token on it and copy the token"
            }
            "LOTTO_SLASH_TOKENS" => {
                "the token of the /lotto slash command: Integrations → Slash Commands → Add Slash Command \
                 (trigger lotto, request URL http://<this host>:8088/slash, method POST), then copy its \
                 Token; several teams' tokens are comma-separated"
            }
            _ => "required",
        };
        out.push_str(&format!("  {name}: {how}\n"));
    }
    out
}

/// The raw shape read from the file and the environment: everything optional, validated afterwards so
/// each error names the variable.
#[derive(Debug, Default, Deserialize)]
struct Raw {
    listen: Option<String>,
    database_url: Option<String>,
    mattermost_url: Option<String>,
    bot_token: Option<String>,
    slash_tokens: Option<String>,
    admins: Option<String>,
    rotation_creators: Option<String>,
    autopilot_interval: Option<String>,
    calendar_interval: Option<String>,
    presence_interval: Option<String>,
    history_retention: Option<String>,
    graph_url: Option<String>,
    graph_token_url: Option<String>,
    graph_tenant: Option<String>,
    graph_client_id: Option<String>,
    graph_client_secret: Option<String>,
    public_url: Option<String>,
    allow_private_urls: Option<String>,
    /// The older name of `allow_private_urls`, still read.
    ics_allow_private: Option<String>,
    log_format: Option<String>,
    admin_token: Option<String>,
    websocket: Option<String>,
}

/// Microsoft Graph app-only credentials; present only when all three are set.
#[derive(Debug, Clone)]
pub struct GraphSettings {
    pub base_url: String,
    pub token_url: String,
    pub tenant: String,
    pub client_id: String,
    pub client_secret: SecretString,
}

#[derive(Debug, Clone)]
pub struct Settings {
    pub listen: SocketAddr,
    pub database_url: String,
    pub mattermost_url: Option<String>,
    pub bot_token: Option<SecretString>,
    pub slash_tokens: Vec<SecretString>,
    /// Usernames that are bot admins besides Mattermost system admins.
    pub admins: Vec<String>,
    /// Who may create rotations (`LOTTO_ROTATION_CREATORS`).
    pub rotation_creators: RotationCreators,
    /// `None` turns the background autopilot off.
    pub autopilot_interval: Option<Duration>,
    /// `None` turns the calendar sync off.
    pub calendar_interval: Option<Duration>,
    /// `None` turns the presence job off.
    pub presence_interval: Option<Duration>,
    /// How long the history of changes is kept (`LOTTO_HISTORY_RETENTION`); `None`: forever.
    pub history_retention: Option<chrono::TimeDelta>,
    pub graph: Option<GraphSettings>,
    /// Where this bot is reachable from browsers (used in the Graph admin-consent redirect).
    pub public_url: Option<String>,
    /// Whether the URLs the bot fetches for a user (ICS feeds, preset pictures) may live on loopback,
    /// private or link-local addresses (`LOTTO_ALLOW_PRIVATE_URLS`, or its older name
    /// `LOTTO_ICS_ALLOW_PRIVATE`); off by default so a user's URL cannot probe the bot's network.
    pub allow_private_urls: bool,
    pub log_json: bool,
    /// Bearer token for the `/admin/*` HTTP endpoints (`LOTTO_ADMIN_TOKEN`); `None` turns them off.
    pub admin_token: Option<SecretString>,
    /// Listen on Mattermost's WebSocket for profile changes (`LOTTO_WEBSOCKET`, on by default).
    pub websocket: bool,
}

/// Who may create rotations. Anyone, by default, as anyone may create a channel in Mattermost; the
/// creator becomes the rotation's owner.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum RotationCreators {
    #[default]
    Everyone,
    /// Only bot admins (Mattermost system admins and `LOTTO_ADMINS`).
    Admins,
}

/// The Mattermost settings `serve` cannot do without.
#[derive(Debug, Clone)]
pub struct MattermostSettings {
    pub url: String,
    pub bot_token: SecretString,
    pub slash_tokens: Vec<SecretString>,
}

impl Settings {
    /// Reads the optional TOML file, then `LOTTO_*` variables from the process environment.
    pub fn load(file: Option<&Path>) -> Result<Settings, ConfigError> {
        let mut builder = config::Config::builder();
        if let Some(path) = file {
            if !path.exists() {
                return Err(ConfigError::Source(format!(
                    "the config file {} does not exist",
                    path.display()
                )));
            }
            builder = builder.add_source(config::File::from(path).format(config::FileFormat::Toml));
        }
        builder = builder.add_source(
            config::Environment::with_prefix("LOTTO")
                .prefix_separator("_")
                .try_parsing(false),
        );
        let raw: Raw = builder
            .build()
            .and_then(|c| c.try_deserialize())
            .map_err(|e| ConfigError::Source(e.to_string()))?;
        Self::from_raw(raw)
    }

    /// Settings from explicit key/value pairs (keys as in the TOML file); used by tests and `exec`.
    pub fn from_pairs<'a>(
        pairs: impl IntoIterator<Item = (&'a str, &'a str)>,
    ) -> Result<Settings, ConfigError> {
        let map: serde_json::Map<String, serde_json::Value> = pairs
            .into_iter()
            .map(|(k, v)| (k.to_string(), serde_json::Value::String(v.to_string())))
            .collect();
        let raw: Raw = serde_json::from_value(serde_json::Value::Object(map))
            .map_err(|e| ConfigError::Source(e.to_string()))?;
        Self::from_raw(raw)
    }

    fn from_raw(raw: Raw) -> Result<Settings, ConfigError> {
        let listen_s = non_empty(raw.listen).unwrap_or_else(|| DEFAULT_LISTEN.to_string());
        let listen = listen_s.parse().map_err(|_| ConfigError::Invalid {
            name: "LOTTO_LISTEN",
            value: listen_s.clone(),
            reason: "write an address and port such as 127.0.0.1:8088 or 0.0.0.0:8088".into(),
        })?;
        let database_url =
            non_empty(raw.database_url).unwrap_or_else(|| DEFAULT_DATABASE_URL.to_string());
        if crate::store::Backend::of_url(&database_url).is_none() {
            return Err(ConfigError::Invalid {
                name: "LOTTO_DATABASE_URL",
                value: crate::store::redact_url(&database_url),
                reason: "use sqlite://path/to/file.db (one process) or \
                         postgres://user:password@host:5432/database (one or more processes)"
                    .into(),
            });
        }
        let mattermost_url = non_empty(raw.mattermost_url)
            .map(|u| {
                validate_http_url("LOTTO_MATTERMOST_URL", &u)?;
                Ok::<_, ConfigError>(u.trim_end_matches('/').to_string())
            })
            .transpose()?;
        let slash_tokens = non_empty(raw.slash_tokens)
            .map(|s| {
                s.split(',')
                    .map(str::trim)
                    .filter(|t| !t.is_empty())
                    .map(|t| SecretString::from(t.to_string()))
                    .collect()
            })
            .unwrap_or_default();
        let admins = non_empty(raw.admins)
            .map(|s| {
                s.split(',')
                    .map(|a| a.trim().trim_start_matches('@').to_string())
                    .filter(|a| !a.is_empty())
                    .collect()
            })
            .unwrap_or_default();
        let rotation_creators = match non_empty(raw.rotation_creators)
            .map(|v| v.to_ascii_lowercase())
            .as_deref()
        {
            None | Some("everyone") => RotationCreators::Everyone,
            Some("admins") => RotationCreators::Admins,
            Some(other) => {
                return Err(ConfigError::Invalid {
                    name: "LOTTO_ROTATION_CREATORS",
                    value: other.to_string(),
                    reason: "use everyone or admins".into(),
                });
            }
        };
        let autopilot_interval = interval(
            "LOTTO_AUTOPILOT_INTERVAL",
            raw.autopilot_interval,
            Duration::from_secs(60),
        )?;
        let calendar_interval = interval(
            "LOTTO_CALENDAR_INTERVAL",
            raw.calendar_interval,
            Duration::from_secs(300),
        )?;
        let presence_interval = interval(
            "LOTTO_PRESENCE_INTERVAL",
            raw.presence_interval,
            Duration::from_secs(60),
        )?;
        let history_retention = history_retention(raw.history_retention)?;
        let graph = match (
            non_empty(raw.graph_tenant),
            non_empty(raw.graph_client_id),
            non_empty(raw.graph_client_secret),
        ) {
            (Some(tenant), Some(client_id), Some(secret)) => {
                let base_url = non_empty(raw.graph_url)
                    .unwrap_or_else(|| DEFAULT_GRAPH_URL.to_string())
                    .trim_end_matches('/')
                    .to_string();
                validate_http_url("LOTTO_GRAPH_URL", &base_url)?;
                let token_url = non_empty(raw.graph_token_url).unwrap_or_else(|| {
                    format!("https://login.microsoftonline.com/{tenant}/oauth2/v2.0/token")
                });
                validate_http_url("LOTTO_GRAPH_TOKEN_URL", &token_url)?;
                Some(GraphSettings {
                    base_url,
                    token_url,
                    tenant,
                    client_id,
                    client_secret: SecretString::from(secret),
                })
            }
            (None, None, None) => None,
            _ => {
                return Err(ConfigError::Invalid {
                    name: "LOTTO_GRAPH_TENANT",
                    value: String::new(),
                    reason:
                        "Graph needs all three of LOTTO_GRAPH_TENANT, LOTTO_GRAPH_CLIENT_ID and \
                             LOTTO_GRAPH_CLIENT_SECRET (or none of them to turn Graph off)"
                            .into(),
                });
            }
        };
        // The new name wins when both are set; the old one stays an alias.
        let (private_name, private_value) = match non_empty(raw.allow_private_urls) {
            Some(v) => ("LOTTO_ALLOW_PRIVATE_URLS", Some(v)),
            None => ("LOTTO_ICS_ALLOW_PRIVATE", non_empty(raw.ics_allow_private)),
        };
        let allow_private_urls = match private_value.map(|v| v.to_ascii_lowercase()).as_deref() {
            None | Some("false" | "0" | "no" | "off") => false,
            Some("true" | "1" | "yes" | "on") => true,
            Some(other) => {
                return Err(ConfigError::Invalid {
                    name: private_name,
                    value: other.to_string(),
                    reason: "use true or false".into(),
                });
            }
        };
        let log_json = match non_empty(raw.log_format).as_deref() {
            None | Some("text") => false,
            Some("json") => true,
            Some(other) => {
                return Err(ConfigError::Invalid {
                    name: "LOTTO_LOG_FORMAT",
                    value: other.to_string(),
                    reason: "use text or json".into(),
                });
            }
        };
        let websocket = match non_empty(raw.websocket)
            .map(|v| v.to_ascii_lowercase())
            .as_deref()
        {
            None | Some("on" | "true" | "1" | "yes") => true,
            Some("off" | "false" | "0" | "no") => false,
            Some(other) => {
                return Err(ConfigError::Invalid {
                    name: "LOTTO_WEBSOCKET",
                    value: other.to_string(),
                    reason: "use on or off".into(),
                });
            }
        };
        Ok(Settings {
            listen,
            database_url,
            mattermost_url,
            bot_token: non_empty(raw.bot_token).map(SecretString::from),
            slash_tokens,
            admins,
            rotation_creators,
            autopilot_interval,
            calendar_interval,
            presence_interval,
            history_retention,
            graph,
            public_url: non_empty(raw.public_url),
            allow_private_urls,
            log_json,
            admin_token: non_empty(raw.admin_token).map(SecretString::from),
            websocket,
        })
    }

    /// The settings `serve` needs, or an error listing every missing variable with how to get it.
    pub fn mattermost(&self) -> Result<MattermostSettings, ConfigError> {
        let mut missing = Vec::new();
        if self.mattermost_url.is_none() {
            missing.push("LOTTO_MATTERMOST_URL");
        }
        if self.bot_token.is_none() {
            missing.push("LOTTO_BOT_TOKEN");
        }
        if self.slash_tokens.is_empty() {
            missing.push("LOTTO_SLASH_TOKENS");
        }
        match (&self.mattermost_url, &self.bot_token) {
            (Some(url), Some(token)) if missing.is_empty() => Ok(MattermostSettings {
                url: url.clone(),
                bot_token: token.clone(),
                slash_tokens: self.slash_tokens.clone(),
            }),
            _ => Err(ConfigError::Missing(missing)),
        }
    }
}

fn non_empty(v: Option<String>) -> Option<String> {
    v.map(|s| s.trim().to_string()).filter(|s| !s.is_empty())
}

fn validate_http_url(name: &'static str, value: &str) -> Result<(), ConfigError> {
    let ok = reqwest::Url::parse(value)
        .map(|u| matches!(u.scheme(), "http" | "https") && u.host_str().is_some())
        .unwrap_or(false);
    if ok {
        Ok(())
    } else {
        Err(ConfigError::Invalid {
            name,
            value: value.to_string(),
            reason: "write a full http:// or https:// URL".into(),
        })
    }
}

/// How long history is kept: a duration such as `365d` (the default) or `26w`; `0` keeps it forever.
fn history_retention(value: Option<String>) -> Result<Option<chrono::TimeDelta>, ConfigError> {
    let Some(v) = non_empty(value) else {
        return Ok(Some(chrono::TimeDelta::days(365)));
    };
    let d = parse_duration(&v).map_err(|e| ConfigError::Invalid {
        name: "LOTTO_HISTORY_RETENTION",
        value: v.clone(),
        reason: e.to_string(),
    })?;
    Ok((d > chrono::TimeDelta::zero()).then_some(d))
}

/// `0` turns a background job off; otherwise a duration such as `60s` or `5m`.
fn interval(
    name: &'static str,
    value: Option<String>,
    default: Duration,
) -> Result<Option<Duration>, ConfigError> {
    let Some(v) = non_empty(value) else {
        return Ok(Some(default));
    };
    let d = parse_duration(&v).map_err(|e| ConfigError::Invalid {
        name,
        value: v.clone(),
        reason: e.to_string(),
    })?;
    let secs = d.num_seconds();
    Ok(if secs == 0 {
        None
    } else {
        Some(Duration::from_secs(secs.unsigned_abs()))
    })
}

#[cfg(test)]
mod tests;
