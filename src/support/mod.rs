//! The support packet (docs/seed-systems.md §A.7): one zip with everything support needs, in a
//! fixed order with stable keys, and nothing secret in it.
//!
//! Files, in this order: `metadata.yaml`, `diagnostics.yaml`, `stats.yaml`, `jobs.yaml`,
//! `sanitized_config.json`, `lotto.log` (the last log lines kept in memory; left out on request),
//! and `warning.txt` when a part failed. A failing part never stops the packet: its error goes to
//! `warning.txt` and the others are still delivered. Every part passes through the [`Redactor`]
//! before it is zipped.
//!
//! Three ways to get it: `/lotto admin support-packet` (a DM attachment), `GET /admin/support-packet`
//! and `solar-lottery support-packet -o file.zip`; all three call [`generate`].

mod diagnostics;
pub mod logs;
pub mod sanitize;

use std::collections::BTreeMap;
use std::io::Write;
use std::time::Instant;

use chrono::{DateTime, Utc};
use serde::Serialize;
use zip::write::SimpleFileOptions;

use crate::config::Settings;
use crate::jobs::{RunLog, RunRecord};
use crate::mattermost::MattermostClient;
use crate::store::{self, Db};

pub use logs::LogTail;
pub use sanitize::{FAKE_SETTING, Redactor, SanitizedConfig};

/// The commit the binary was built from (set by `build.rs`; `unknown` outside a git checkout).
pub const GIT_HASH: &str = match option_env!("LOTTO_GIT_HASH") {
    Some(h) => h,
    None => "unknown",
};

/// The packet's MIME type.
pub const CONTENT_TYPE: &str = "application/zip";

/// How many of each job's last runs `jobs.yaml` lists.
const RUNS_PER_JOB: usize = 10;

/// What a packet is made from. The bot builds one at start; the command line builds its own (no
/// job runs, Mattermost only when configured).
pub struct Sources {
    pub settings: Settings,
    pub db: Db,
    pub mm: Option<MattermostClient>,
    pub runs: RunLog,
    pub logs: Option<LogTail>,
    pub started: Instant,
    /// This process's identity in the job leases.
    pub instance: String,
    /// The WebSocket listener's state (never connected where it does not run).
    pub websocket: crate::profile::listener::ListenerStatus,
}

impl Sources {
    /// Sources without job runs or a log tail (the command line, benchmarks).
    pub fn new(settings: Settings, db: Db, mm: Option<MattermostClient>) -> Self {
        Sources {
            settings,
            db,
            mm,
            runs: RunLog::default(),
            logs: None,
            started: Instant::now(),
            instance: format!("{}-packet", std::process::id()),
            websocket: Default::default(),
        }
    }
}

#[derive(Debug, Clone, Copy)]
pub struct Options {
    /// Include the log tail (`--no-logs` leaves it out).
    pub logs: bool,
}

/// A finished packet.
#[derive(Debug, Clone)]
pub struct Packet {
    pub filename: String,
    pub bytes: Vec<u8>,
    /// The parts that failed, as `warning.txt` lists them.
    pub warnings: Vec<String>,
}

/// `lotto_support_packet_<YYYY-MM-DDTHH-MM>.zip`, UTC, 24-hour clock.
pub fn filename(now: DateTime<Utc>) -> String {
    format!("lotto_support_packet_{}.zip", now.format("%Y-%m-%dT%H-%M"))
}

#[derive(Serialize)]
struct Metadata {
    version: u32,
    #[serde(rename = "type")]
    kind: &'static str,
    generated_at: i64,
    server_version: &'static str,
    server_id: String,
    extras: Extras,
}

#[derive(Serialize)]
struct Extras {
    bot_version: &'static str,
    git_hash: &'static str,
}

/// One job's recent runs in `jobs.yaml`.
#[derive(Serialize)]
struct JobRuns {
    job: &'static str,
    runs: Vec<JobRun>,
}

#[derive(Serialize)]
struct JobRun {
    started_at: DateTime<Utc>,
    duration_ms: u64,
    outcome: crate::jobs::Outcome,
    /// The run's summary, or its error.
    detail: String,
}

impl From<&RunRecord> for JobRun {
    fn from(r: &RunRecord) -> Self {
        JobRun {
            started_at: r.started_at,
            duration_ms: u64::try_from(r.duration.as_millis()).unwrap_or(u64::MAX),
            outcome: r.outcome,
            detail: r.detail.clone(),
        }
    }
}

/// Builds the packet as of `now`. Never fails: what could not be gathered is in `warning.txt`.
pub async fn generate(src: &Sources, options: Options, now: DateTime<Utc>) -> Packet {
    let mut warnings = Vec::new();
    let mut files: Vec<(&'static str, String)> = Vec::new();
    let mut add = |name: &'static str, part: Result<String, String>| match part {
        Ok(text) => files.push((name, text)),
        Err(e) => warnings.push(format!("{name}: {e}")),
    };
    add("metadata.yaml", metadata(src, now).await);
    add(
        "diagnostics.yaml",
        yaml(&diagnostics::collect(src, now).await),
    );
    add("stats.yaml", stats(src).await);
    add("jobs.yaml", jobs(&src.runs));
    add(
        "sanitized_config.json",
        serde_json::to_string_pretty(&SanitizedConfig::of(&src.settings))
            .map_err(|e| e.to_string()),
    );
    if options.logs {
        add(
            "lotto.log",
            src.logs.as_ref().map(LogTail::contents).ok_or_else(|| {
                "this process keeps no log lines in memory (the command line does not)".to_string()
            }),
        );
    }
    let redactor = redactor(src).await;
    if let Err(e) = &redactor {
        warnings.push(format!(
            "ICS feed links could not be read to hide them: {e}"
        ));
    }
    let redactor = redactor.unwrap_or_else(|_| Redactor::new(&src.settings, []));
    if !warnings.is_empty() {
        files.push(("warning.txt", warnings.join("\n") + "\n"));
    }
    let bytes = match zip(&files, &redactor) {
        Ok(b) => b,
        Err(e) => {
            // Writing into memory can hardly fail; if it does, the packet says so rather than vanish.
            warnings.push(format!("the zip could not be written: {e}"));
            zip(&[("warning.txt", warnings.join("\n") + "\n")], &redactor).unwrap_or_default()
        }
    };
    Packet {
        filename: filename(now),
        bytes,
        warnings,
    }
}

fn yaml<T: Serialize>(value: &T) -> Result<String, String> {
    serde_saphyr::to_string(value).map_err(|e| e.to_string())
}

async fn metadata(src: &Sources, now: DateTime<Utc>) -> Result<String, String> {
    let mut conn = src.db.read().await.map_err(|e| e.to_string())?;
    let server_id = store::stats::install_id(&mut conn)
        .await
        .map_err(|e| e.to_string())?;
    yaml(&Metadata {
        version: 1,
        kind: "lotto-packet",
        generated_at: now.timestamp_millis(),
        server_version: env!("CARGO_PKG_VERSION"),
        server_id,
        extras: Extras {
            bot_version: env!("CARGO_PKG_VERSION"),
            git_hash: GIT_HASH,
        },
    })
}

async fn stats(src: &Sources) -> Result<String, String> {
    let mut conn = src.db.read().await.map_err(|e| e.to_string())?;
    let stats = store::stats::counts(&mut conn)
        .await
        .map_err(|e| e.to_string())?;
    yaml(&stats)
}

fn jobs(runs: &RunLog) -> Result<String, String> {
    let snapshot: BTreeMap<&'static str, Vec<RunRecord>> = runs.snapshot();
    let jobs: Vec<JobRuns> = snapshot
        .iter()
        .map(|(job, runs)| JobRuns {
            job,
            // Newest first, the last few.
            runs: runs
                .iter()
                .rev()
                .take(RUNS_PER_JOB)
                .map(JobRun::from)
                .collect(),
        })
        .collect();
    yaml(&jobs)
}

/// The redactor for this packet: the configured secrets and every ICS feed's link.
async fn redactor(src: &Sources) -> Result<Redactor, String> {
    let mut conn = src.db.read().await.map_err(|e| e.to_string())?;
    let feeds = store::stats::ics_feeds(&mut conn)
        .await
        .map_err(|e| e.to_string())?;
    Ok(Redactor::new(
        &src.settings,
        feeds.iter().map(|f| f.url.as_str()),
    ))
}

fn zip(files: &[(&'static str, String)], redactor: &Redactor) -> zip::result::ZipResult<Vec<u8>> {
    let mut writer = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    for (name, text) in files {
        writer.start_file(*name, options)?;
        writer.write_all(redactor.apply(text).as_bytes())?;
    }
    Ok(writer.finish()?.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_file_is_named_by_the_utc_minute_on_a_24_hour_clock() {
        let t = DateTime::parse_from_rfc3339("2026-03-02T21:07:59+01:00")
            .unwrap()
            .with_timezone(&Utc);
        assert_eq!(filename(t), "lotto_support_packet_2026-03-02T20-07.zip");
    }
}
