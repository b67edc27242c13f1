//! Load on `/slash` over loopback: the real app (SQLite in a temp file, or with
//! `LOTTO_BENCH_DATABASE=postgres` a fresh database on the local PostgreSQL) against the fake Mattermost,
//! hit with `rotation show` reads and `user unavailable` writes, exactly as Mattermost sends them.
//!
//! - Open loop at increasing rates (requests fire on schedule whether or not earlier ones finished;
//!   latency counts from the scheduled time, so a backlog shows up as latency): 80 % reads, 20 % writes.
//! - A closed-loop maximum-throughput run of reads only.
//!
//! Targets on the 2-core machine: p99 < 10 ms at 500 req/s, at least 5,000 reads/s.
//! Run: `cargo bench --bench slash_load` (SLASH_BENCH_SECS sets each run's length, default 5;
//! SLASH_BENCH_RATES e.g. `100,250,500,1000`; SLASH_BENCH_CONCURRENCY for the max run, default 32).

#[expect(dead_code, reason = "this bench uses only part of the test support")]
#[path = "../tests/it/support"]
mod support {
    pub mod db;
    pub mod fake_mattermost;
}

use std::sync::Arc;
use std::time::{Duration, Instant};

use solar_lottery::app::{self, Options, RunningApp};
use solar_lottery::config::Settings;
use support::fake_mattermost::FakeMattermost;
use tokio::runtime::Runtime;

const MEMBERS: usize = 20;
const WRITE_EVERY: usize = 5;

struct Target {
    url: String,
    reads: Vec<String>,
    writes: Vec<String>,
}

fn env_or<T: std::str::FromStr>(name: &str, default: T) -> T {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn form(token: &str, user_id: &str, user_name: &str, text: &str, hook: &str) -> String {
    serde_urlencoded::to_string([
        ("channel_id", "town-square-channel-id0000"),
        ("channel_name", "town-square"),
        ("command", "/lotto"),
        ("response_url", hook),
        ("team_domain", "solar"),
        ("team_id", "teamteamteamteamteamteam00"),
        ("text", text),
        ("token", token),
        ("trigger_id", "trigger"),
        ("user_id", user_id),
        ("user_name", user_name),
    ])
    .expect("form encodes")
}

/// Starts the fake and the bot on the server runtime, sets up a realistic rotation, and builds the
/// request bodies.
fn start(server: &Runtime, dir: &tempfile::TempDir) -> (FakeMattermost, RunningApp, Target) {
    server.block_on(async {
        let mm = FakeMattermost::start().await;
        mm.add_user("admin").time_zone("UTC");
        let mut people = Vec::new();
        for i in 0..MEMBERS {
            let zone = ["Europe/Berlin", "America/New_York", "Asia/Kolkata", "UTC"][i % 4];
            let name = format!("user{i:02}");
            let u = mm.add_user(&name).time_zone(zone);
            people.push((u.id().to_string(), name));
        }
        let db_url = if std::env::var("LOTTO_BENCH_DATABASE").is_ok_and(|v| v == "postgres") {
            // Kept for the whole run: the database outlives this function through its URL.
            let database = support::db::fresh_postgres().await;
            let url = database.url.clone();
            std::mem::forget(database);
            url
        } else {
            format!("sqlite://{}", dir.path().join("bench.db").display())
        };
        let bot_token = mm.bot_token();
        let slash_token = mm.slash_token();
        let settings = Settings::from_pairs([
            ("listen", "127.0.0.1:0"),
            ("database_url", db_url.as_str()),
            ("mattermost_url", mm.base_url()),
            ("bot_token", bot_token.as_str()),
            ("slash_tokens", slash_token.as_str()),
            ("admins", "admin"),
            ("autopilot_interval", "0"),
            ("calendar_interval", "0"),
        ])
        .expect("settings");
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let bot = app::launch(settings, listener, Options::default())
            .await
            .expect("the bot starts");
        let url = format!("http://{}/slash", bot.addr);
        let setup = [
            "rotation new ICE --period weekly --beginning 2030-03-04T09:00 --tz Europe/Berlin --seed 7".to_string(),
            format!(
                "user join ICE {}",
                people.iter().map(|(_, n)| format!("@{n}")).collect::<Vec<_>>().join(" ")
            ),
            "user qualify @user00 @user01 @user02 @user03 --skills webapp-2,server".into(),
            "rotation set require ICE --skill any --count 2".into(),
            "rotation set require ICE --skill webapp-2 --count 1".into(),
            "rotation set limit ICE --skill server --count 1".into(),
            "rotation owner add ICE @user00".into(),
            "rotation set autopilot ICE --create --schedule --schedule-prior 3d".into(),
        ];
        for text in setup {
            let reply = mm.slash(&url, "admin", &text).await;
            assert!(!reply.text().is_empty(), "{text}");
        }
        for n in 0..4 {
            mm.slash(&url, "admin", &format!("task new shift ICE --number {n}")).await;
            let out = mm.slash(&url, "admin", &format!("task fill ICE#{n}")).await;
            assert!(out.text().contains("The lottery picked"), "{}", out.text());
        }
        bot.sender.deliver_due().await.expect("deliver");
        let hook = format!("{}/hooks/commands/benchhookbenchhookbench00", mm.base_url());
        let read: String = env_or("SLASH_BENCH_READ", "rotation show ICE".to_string());
        let reads = people
            .iter()
            .map(|(id, name)| form(&slash_token, id, name, &read, &hook))
            .collect();
        let writes = people
            .iter()
            .enumerate()
            .map(|(i, (id, name))| {
                let text = format!(
                    "user unavailable --start 2031-{:02}-01T09:00 --finish 2031-{:02}-02T17:00",
                    i % 12 + 1,
                    i % 12 + 1
                );
                form(&slash_token, id, name, &text, &hook)
            })
            .collect();
        (mm, bot, Target { url, reads, writes })
    })
}

#[derive(Default)]
struct Outcome {
    latencies: Vec<Duration>,
    /// The writes' latencies again, to tell where a slow tail comes from.
    write_latencies: Vec<Duration>,
    errors: usize,
    elapsed: Duration,
}

fn percentile(latencies: &[Duration], p: f64) -> Duration {
    if latencies.is_empty() {
        return Duration::ZERO;
    }
    let mut v = latencies.to_vec();
    v.sort();
    v[((v.len() as f64 - 1.0) * p).round() as usize]
}

impl Outcome {
    fn report(&self, label: &str) {
        let n = self.latencies.len();
        let ms = |d: Duration| d.as_secs_f64() * 1e3;
        let writes = if self.write_latencies.is_empty() {
            String::new()
        } else {
            format!(
                "   (writes p99 {:.2} ms, max {:.2} ms)",
                ms(percentile(&self.write_latencies, 0.99)),
                ms(percentile(&self.write_latencies, 1.0))
            )
        };
        println!(
            "{label:<22} {:>7} req {:>9.0} req/s   p50 {:>7.2} ms   p99 {:>7.2} ms   max {:>8.2} ms   errors {}{writes}",
            n,
            n as f64 / self.elapsed.as_secs_f64(),
            ms(percentile(&self.latencies, 0.50)),
            ms(percentile(&self.latencies, 0.99)),
            ms(percentile(&self.latencies, 1.0)),
            self.errors
        );
    }
}

async fn send(client: &reqwest::Client, url: &str, body: &str, write: bool) -> bool {
    let response = client
        .post(url)
        .header("Content-Type", "application/x-www-form-urlencoded")
        .body(body.to_string())
        .send()
        .await;
    let Ok(response) = response else {
        return false;
    };
    if response.status() != 200 {
        return false;
    }
    let Ok(text) = response.text().await else {
        return false;
    };
    if write {
        text.contains("is unavailable from")
    } else {
        text.contains("#### ICE") || text.contains("/lotto")
    }
}

/// Fires requests on a fixed schedule for `secs`, 1 in `WRITE_EVERY` a write.
async fn open_loop(target: Arc<Target>, client: reqwest::Client, rate: u32, secs: u64) -> Outcome {
    let total = rate as u64 * secs;
    let interval = Duration::from_secs_f64(1.0 / rate as f64);
    let start = tokio::time::Instant::now();
    let mut handles = Vec::with_capacity(total as usize);
    for i in 0..total {
        let due = start + interval.mul_f64(i as f64);
        tokio::time::sleep_until(due).await;
        let target = target.clone();
        let client = client.clone();
        handles.push(tokio::spawn(async move {
            let i = i as usize;
            let write = i % WRITE_EVERY == WRITE_EVERY - 1;
            let body = if write {
                &target.writes[i % target.writes.len()]
            } else {
                &target.reads[i % target.reads.len()]
            };
            let ok = send(&client, &target.url, body, write).await;
            (ok, write, due.elapsed())
        }));
    }
    let mut out = Outcome::default();
    for h in handles {
        match h.await {
            Ok((true, write, latency)) => {
                out.latencies.push(latency);
                if write {
                    out.write_latencies.push(latency);
                }
            }
            _ => out.errors += 1,
        }
    }
    out.elapsed = start.elapsed();
    out
}

/// `concurrency` clients each sending reads back to back for `secs`.
async fn closed_loop(
    target: Arc<Target>,
    client: reqwest::Client,
    concurrency: usize,
    secs: u64,
) -> Outcome {
    let start = Instant::now();
    let stop = start + Duration::from_secs(secs);
    let mut handles = Vec::new();
    for w in 0..concurrency {
        let target = target.clone();
        let client = client.clone();
        handles.push(tokio::spawn(async move {
            let mut latencies = Vec::new();
            let mut errors = 0;
            let mut i = w;
            while Instant::now() < stop {
                let began = Instant::now();
                if send(
                    &client,
                    &target.url,
                    &target.reads[i % target.reads.len()],
                    false,
                )
                .await
                {
                    latencies.push(began.elapsed());
                } else {
                    errors += 1;
                }
                i += 1;
            }
            (latencies, errors)
        }));
    }
    let mut out = Outcome::default();
    for h in handles {
        if let Ok((l, e)) = h.await {
            out.latencies.extend(l);
            out.errors += e;
        }
    }
    out.elapsed = start.elapsed();
    out
}

fn main() {
    // `cargo bench` passes `--bench`; `cargo test --all-targets` runs benches without it, and a
    // load test has no place there.
    if !std::env::args().any(|a| a == "--bench") {
        println!("slash_load: run with `cargo bench --bench slash_load`");
        return;
    }
    let secs: u64 = env_or("SLASH_BENCH_SECS", 5);
    let concurrency: usize = env_or("SLASH_BENCH_CONCURRENCY", 32);
    let rates: Vec<u32> = std::env::var("SLASH_BENCH_RATES")
        .unwrap_or_else(|_| "100,250,500,1000".into())
        .split(',')
        .filter_map(|r| r.trim().parse().ok())
        .collect();
    let server = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .thread_name("bot")
        .build()
        .expect("server runtime");
    let load = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .thread_name("load")
        .build()
        .expect("load runtime");
    let dir = tempfile::tempdir().expect("temp dir");
    let (_mm, bot, target) = start(&server, &dir);
    let target = Arc::new(target);
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(1024)
        .build()
        .expect("client");
    println!(
        "slash load: {} members, rotation show reads + user unavailable writes (1 in {WRITE_EVERY}), {secs} s per run, {} cores",
        MEMBERS,
        std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(0)
    );
    // Warm up: connections, caches, every user's profile.
    load.block_on(closed_loop(target.clone(), client.clone(), 8, 1));
    for rate in rates {
        let out = load.block_on(open_loop(target.clone(), client.clone(), rate, secs));
        out.report(&format!("open loop {rate}/s"));
    }
    let out = load.block_on(closed_loop(
        target.clone(),
        client.clone(),
        concurrency,
        secs,
    ));
    out.report(&format!("max reads (c={concurrency})"));
    server.block_on(bot.shutdown());
}
