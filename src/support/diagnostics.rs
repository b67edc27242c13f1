//! `diagnostics.yaml`: where the bot runs and whether what it depends on answers: the host, the
//! database, Mattermost, Microsoft Graph, the ICS feeds' hosts, and who holds each job's lease.
//! Every check is bounded in time and reported as `OK`/`FAIL` with its error; none fails the file.

use std::collections::BTreeMap;
use std::time::Duration;

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::Sources;
use super::sanitize::{feed_host, redact_url};
use crate::calendar::{GraphClient, GraphConfig};
use crate::store;

/// How long one reachability check may take.
const CHECK_TIMEOUT: Duration = Duration::from_secs(5);
/// Most ICS hosts listed (the rest are counted).
const MAX_ICS_HOSTS: usize = 50;

#[derive(Debug, Serialize)]
pub struct Diagnostics {
    pub version: u32,
    pub server: Server,
    pub database: Database,
    pub mattermost: Check,
    pub websocket: WebSocket,
    pub graph: Check,
    pub ics: Ics,
    /// Holiday feeds (`holiday feed`), the same way.
    pub holiday_feeds: Ics,
    pub jobs: Vec<JobLease>,
}

#[derive(Debug, Serialize)]
pub struct Server {
    pub os: &'static str,
    pub architecture: &'static str,
    pub cpu_cores: usize,
    pub total_memory_mb: Option<u64>,
    pub bot_version: &'static str,
    pub build_hash: &'static str,
    pub instance: String,
    pub uptime_seconds: u64,
}

#[derive(Debug, Serialize)]
pub struct Database {
    #[serde(rename = "type")]
    pub backend: &'static str,
    pub version: String,
    pub schema_version: String,
    pub url: String,
}

/// One dependency: `OK`, `FAIL` (with the error), or `OFF` (not configured).
#[derive(Debug, Serialize)]
pub struct Check {
    pub status: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub server_version: Option<String>,
    pub error: String,
}

impl Check {
    fn ok() -> Self {
        Check {
            status: "OK",
            url: None,
            server_version: None,
            error: String::new(),
        }
    }

    fn fail(error: impl std::fmt::Display) -> Self {
        Check {
            status: "FAIL",
            url: None,
            server_version: None,
            error: error.to_string(),
        }
    }

    fn off(why: &str) -> Self {
        Check {
            status: "OFF",
            url: None,
            server_version: None,
            error: why.to_string(),
        }
    }
}

/// The WebSocket listener as this process sees it (one process of several holds the WebSocket;
/// `jobs` lists the `websocket` lease's holder).
#[derive(Debug, Serialize)]
pub struct WebSocket {
    /// `LOTTO_WEBSOCKET`.
    pub enabled: bool,
    /// This process has the WebSocket open now.
    pub connected: bool,
    /// When this process last received an event.
    pub last_event_at: Option<DateTime<Utc>>,
}

/// ICS feeds as of the last calendar sync, by host (the links themselves are secrets).
#[derive(Debug, Serialize)]
pub struct Ics {
    pub status: &'static str,
    pub feeds: usize,
    pub failing: usize,
    pub hosts: Vec<IcsHost>,
    pub hosts_not_listed: usize,
}

#[derive(Debug, Default, Serialize)]
pub struct IcsHost {
    pub host: String,
    pub feeds: usize,
    pub failing: usize,
    /// The latest problem seen for a feed on this host.
    pub error: String,
}

#[derive(Debug, Serialize)]
pub struct JobLease {
    pub job: String,
    pub holder: String,
    pub expires_at: Option<DateTime<Utc>>,
    pub held_by_this_process: bool,
    pub active: bool,
}

pub async fn collect(src: &Sources, now: DateTime<Utc>) -> Diagnostics {
    let (database, jobs, (ics, holiday_feeds)) = database_parts(src, now).await;
    Diagnostics {
        version: 1,
        server: server(src),
        database,
        mattermost: mattermost(src).await,
        websocket: {
            let state = src.websocket.get();
            WebSocket {
                enabled: src.settings.websocket,
                connected: state.connected,
                last_event_at: state.last_event_at,
            }
        },
        graph: graph(src).await,
        ics,
        holiday_feeds,
        jobs,
    }
}

fn server(src: &Sources) -> Server {
    Server {
        os: std::env::consts::OS,
        architecture: std::env::consts::ARCH,
        cpu_cores: std::thread::available_parallelism().map_or(1, |n| n.get()),
        total_memory_mb: total_memory_mb(),
        bot_version: env!("CARGO_PKG_VERSION"),
        build_hash: super::GIT_HASH,
        instance: src.instance.clone(),
        uptime_seconds: src.started.elapsed().as_secs(),
    }
}

/// `MemTotal` from `/proc/meminfo` (Linux); `None` elsewhere.
fn total_memory_mb() -> Option<u64> {
    let text = std::fs::read_to_string("/proc/meminfo").ok()?;
    let line = text.lines().find(|l| l.starts_with("MemTotal:"))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024)
}

async fn database_parts(
    src: &Sources,
    now: DateTime<Utc>,
) -> (Database, Vec<JobLease>, (Ics, Ics)) {
    let backend = match src.db.backend() {
        store::Backend::Sqlite => "sqlite",
        store::Backend::Postgres => "postgres",
    };
    let mut database = Database {
        backend,
        version: "FAIL".into(),
        schema_version: "FAIL".into(),
        url: redact_url(&src.settings.database_url),
    };
    let mut jobs = Vec::new();
    let unknown = || Ics {
        status: "FAIL",
        feeds: 0,
        failing: 0,
        hosts: Vec::new(),
        hosts_not_listed: 0,
    };
    let (mut ics, mut holiday_feeds) = (unknown(), unknown());
    match src.db.server_version().await {
        Ok(v) => database.version = v,
        Err(e) => database.version = format!("FAIL: {e}"),
    }
    let mut conn = match src.db.read().await {
        Ok(c) => c,
        Err(e) => {
            database.schema_version = format!("FAIL: {e}");
            return (database, jobs, (ics, holiday_feeds));
        }
    };
    match store::stats::migration_version(&mut conn).await {
        Ok(v) => database.schema_version = format!("{v:04}"),
        Err(e) => database.schema_version = format!("FAIL: {e}"),
    }
    if let Ok(leases) = store::stats::leases(&mut conn).await {
        jobs = leases
            .into_iter()
            .map(|l| {
                let expires_at = DateTime::<Utc>::from_timestamp_millis(l.expires_at_ms);
                JobLease {
                    job: l.name,
                    held_by_this_process: l.holder == src.instance,
                    holder: l.holder,
                    active: expires_at.is_some_and(|t| t > now),
                    expires_at,
                }
            })
            .collect();
    }
    if let Ok(feeds) = store::stats::ics_feeds(&mut conn).await {
        ics = ics_by_host(&feeds);
    }
    if let Ok(feeds) = store::stats::holiday_feeds(&mut conn).await {
        holiday_feeds = ics_by_host(&feeds);
    }
    (database, jobs, (ics, holiday_feeds))
}

fn ics_by_host(feeds: &[store::stats::IcsFeed]) -> Ics {
    let mut hosts: BTreeMap<String, IcsHost> = BTreeMap::new();
    for feed in feeds {
        let host = feed_host(&feed.url);
        let entry = hosts.entry(host.clone()).or_insert_with(|| IcsHost {
            host,
            ..IcsHost::default()
        });
        entry.feeds += 1;
        if let Some(problem) = &feed.problem {
            entry.failing += 1;
            entry.error = problem.clone();
        }
    }
    let failing = hosts.values().map(|h| h.failing).sum();
    let mut hosts: Vec<IcsHost> = hosts.into_values().collect();
    // The troubled hosts first, then the busiest.
    hosts.sort_by_key(|h| std::cmp::Reverse((h.failing, h.feeds)));
    let not_listed = hosts.len().saturating_sub(MAX_ICS_HOSTS);
    hosts.truncate(MAX_ICS_HOSTS);
    Ics {
        status: if feeds.is_empty() {
            "OFF"
        } else if failing > 0 {
            "FAIL"
        } else {
            "OK"
        },
        feeds: feeds.len(),
        failing,
        hosts,
        hosts_not_listed: not_listed,
    }
}

async fn mattermost(src: &Sources) -> Check {
    let Some(mm) = &src.mm else {
        return Check::off("LOTTO_MATTERMOST_URL or LOTTO_BOT_TOKEN is not set");
    };
    let url = Some(redact_url(mm.base_url().as_str()));
    let version = tokio::time::timeout(CHECK_TIMEOUT, mm.server_version()).await;
    let me = tokio::time::timeout(CHECK_TIMEOUT, mm.get_me()).await;
    let mut check = match (version, me) {
        (Ok(Ok(version)), Ok(Ok(_))) => Check {
            server_version: Some(version),
            ..Check::ok()
        },
        (Ok(Ok(version)), Ok(Err(e))) => Check {
            server_version: Some(version),
            ..Check::fail(format!("the bot token does not work: {e}"))
        },
        (Ok(Err(e)), _) => Check::fail(e),
        (Err(_), _) | (_, Err(_)) => Check::fail("no answer within 5 s"),
    };
    check.url = url;
    check
}

async fn graph(src: &Sources) -> Check {
    let Some(g) = &src.settings.graph else {
        return Check::off("LOTTO_GRAPH_* are not set");
    };
    let config = GraphConfig {
        base_url: g.base_url.clone(),
        token_url: g.token_url.clone(),
        tenant: g.tenant.clone(),
        client_id: g.client_id.clone(),
        client_secret: g.client_secret.clone(),
    };
    let mut check = match GraphClient::new(config, CHECK_TIMEOUT) {
        Err(e) => Check::fail(e),
        Ok(client) => match tokio::time::timeout(CHECK_TIMEOUT, client.check_token()).await {
            Ok(Ok(())) => Check::ok(),
            Ok(Err(e)) => Check::fail(e),
            Err(_) => Check::fail("no answer within 5 s"),
        },
    };
    check.url = Some(redact_url(&g.token_url));
    check
}
