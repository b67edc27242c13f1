//! `spawn_app`: the real bot on a random port, against a fresh database (see `db`) and its own fake
//! Mattermost.
//! Each test owns its state. The background autopilot is off (tests run it with `--now`), and outbox
//! retries are fast so failure tests finish quickly.

use std::time::Duration;

use solar_lottery::app::{self, Options, RunningApp};
use solar_lottery::config::Settings;
use solar_lottery::notify::RetryPolicy;
use sqlx::AnyPool;

use super::fake_mattermost::{FakeMattermost, SlashReply};

pub mod stored;

pub struct TestApp {
    pub mm: FakeMattermost,
    pub app: Option<RunningApp>,
    pub url: String,
    pub db_url: String,
    pub db: AnyPool,
    _database: super::db::TestDb,
}

pub struct Spawn {
    pub admins: Vec<&'static str>,
    pub autopilot_interval: &'static str,
    pub retry: RetryPolicy,
    /// Deliver DMs in the background, as production does. Off by default: tests call `deliver()`,
    /// so what arrives when is deterministic.
    pub background_sender: bool,
    /// Further settings, as keys of the TOML file (e.g. `("rotation_creators", "admins")`).
    pub settings: Vec<(&'static str, &'static str)>,
    /// The bound on each request to the fake Mattermost (production's by default). The outbox's
    /// claims follow it, so crash tests shorten it to get a dead sender's DMs back sooner.
    pub mattermost_timeout: Duration,
    /// How long a slash command may run before its answer goes through `response_url`.
    pub slash_deadline: Duration,
    /// Set `public_url` to the bot's own address, so the fake Mattermost reaches its buttons.
    pub public_url_is_self: bool,
    /// This process's identity for the single-runner leases (a random one by default).
    pub instance: Option<&'static str>,
    /// Shortens the WebSocket's and the profile engine's leases (several-process tests).
    pub lease_every: Option<Duration>,
}

impl Default for Spawn {
    fn default() -> Self {
        Spawn {
            admins: vec!["admin"],
            autopilot_interval: "0",
            retry: RetryPolicy {
                base: Duration::from_millis(20),
                max_delay: Duration::from_millis(200),
                max_attempts: 8,
                concurrency: 4,
                claim_margin: Duration::from_secs(2),
            },
            background_sender: false,
            settings: Vec::new(),
            mattermost_timeout: solar_lottery::mattermost::DEFAULT_REQUEST_TIMEOUT,
            slash_deadline: Options::default().slash_deadline,
            public_url_is_self: false,
            instance: None,
            lease_every: None,
        }
    }
}

/// The bot with an `admin` user (a bot admin via LOTTO_ADMINS) already in the fake Mattermost.
pub async fn spawn_app() -> TestApp {
    spawn_app_with(Spawn::default()).await
}

pub async fn spawn_app_with(opts: Spawn) -> TestApp {
    // `LOTTO_TEST_LOG=debug cargo test …` shows the bot's log lines of a failing test.
    if let Ok(filter) = std::env::var("LOTTO_TEST_LOG") {
        let _ = tracing_subscriber::fmt()
            .with_env_filter(filter)
            .with_test_writer()
            .try_init();
    }
    let mm = FakeMattermost::start().await;
    mm.add_user("admin").time_zone("UTC");
    let database = super::db::fresh().await;
    let db_url = database.url.clone();
    let app = start(&mm, &db_url, &opts).await;
    let url = format!("http://{}", app.addr);
    let db = super::db::pool(&db_url).await;
    TestApp {
        mm,
        app: Some(app),
        url,
        db_url,
        db,
        _database: database,
    }
}

/// Starts (another) bot process on the same database and fake Mattermost.
pub async fn start(mm: &FakeMattermost, db_url: &str, opts: &Spawn) -> RunningApp {
    let admins = opts.admins.join(",");
    let bot_token = mm.bot_token().to_string();
    let slash_token = mm.slash_token().to_string();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let own_url = format!("http://{}", listener.local_addr().expect("local address"));
    let public_url: Option<(&str, &str)> = opts
        .public_url_is_self
        .then_some(("public_url", own_url.as_str()));
    let settings = Settings::from_pairs(
        [
            ("listen", "127.0.0.1:0"),
            ("database_url", db_url),
            ("mattermost_url", mm.base_url()),
            ("bot_token", bot_token.as_str()),
            ("slash_tokens", slash_token.as_str()),
            ("admins", admins.as_str()),
            ("autopilot_interval", opts.autopilot_interval),
            ("calendar_interval", "0"),
            ("presence_interval", "0"),
            // The listener connects to the fake's WebSocket only in the tests that turn it on.
            ("websocket", "off"),
        ]
        .into_iter()
        .chain(opts.settings.iter().copied())
        .chain(public_url),
    )
    .expect("settings");
    let mut options = Options {
        retry: opts.retry.clone(),
        background_sender: opts.background_sender,
        mattermost_timeout: opts.mattermost_timeout,
        slash_deadline: opts.slash_deadline,
        ..Options::default()
    };
    if let Some(instance) = opts.instance {
        options.instance = instance.to_string();
    }
    if let Some(every) = opts.lease_every {
        let timing = solar_lottery::jobs::LeaseTiming::for_interval(every);
        options.websocket.lease = timing;
        options.profile.lease = timing;
    }
    app::launch(settings, listener, options)
        .await
        .expect("app starts")
}

/// A test's bot stops with it: tests that start several in one runtime do not keep the earlier ones'
/// jobs (and database connections) running.
impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(app) = self.app.take() {
            app.kill();
        }
    }
}

impl TestApp {
    pub fn slash_url(&self) -> String {
        format!("{}/slash", self.url)
    }

    /// Runs a command as `user` through the fake Mattermost, as a real server would send it.
    pub async fn slash(&self, user: &str, text: &str) -> SlashReply {
        self.mm.slash(&self.slash_url(), user, text).await
    }

    /// The reply text of a command that must get an answer (panics with the body otherwise).
    pub async fn run(&self, user: &str, text: &str) -> String {
        let reply = self.slash(user, text).await;
        reply.text().to_string()
    }

    /// Delivers everything due in the outbox now.
    pub async fn deliver(&self) {
        if let Some(app) = &self.app {
            app.sender.deliver_due().await.expect("delivery pass");
        }
    }

    /// Moves the next attempt of every undelivered message (given up ones too) into the past, as if
    /// every backoff had run out: the next delivery pass treats them as due, without waiting.
    pub async fn make_outbox_due(&self) {
        sqlx::query("UPDATE outbox SET next_attempt_at = 0 WHERE sent_at IS NULL")
            .execute(&self.db)
            .await
            .expect("make the outbox due");
    }

    /// A stable dump of every table a command can change, to prove a failed command changed nothing.
    pub async fn snapshot(&self) -> Vec<String> {
        let mut out = Vec::new();
        for table in [
            "rotations",
            "rotation_needs",
            "rotation_members",
            "rotation_owners",
            "tasks",
            "task_needs",
            "task_users",
            "unavailability",
            "outbox",
            "skills",
            "user_skills",
            "autopilot_alerts",
            "rotation_presence",
            "rotation_oncall_status",
            "swap_requests",
            "swap_invitations",
            "task_overrides",
            "history",
        ] {
            let sql = format!("SELECT * FROM {table} ORDER BY 1, 2");
            let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
                .fetch_all(&self.db)
                .await
                .expect("dump");
            for row in rows {
                use sqlx::{Column, Row, ValueRef};
                let mut cells = Vec::new();
                for (i, col) in row.columns().iter().enumerate() {
                    let raw = row.try_get_raw(i).expect("cell");
                    let v = if raw.is_null() {
                        "NULL".to_string()
                    } else if let Ok(n) = row.try_get::<i64, _>(i) {
                        n.to_string()
                    } else {
                        row.try_get::<String, _>(i).unwrap_or_default()
                    };
                    cells.push(format!("{}={v}", col.name()));
                }
                out.push(format!("{table}: {}", cells.join(" ")));
            }
        }
        out
    }
}
