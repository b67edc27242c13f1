//! The whole bot with calendars: the real app on a random port against its own fake Mattermost, fake
//! Graph and a feed server for ICS fixtures, with a temp SQLite file. The background sync is off; tests
//! run it with `/lotto calendar sync --now=…` as the admin, exactly as an admin would.

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, TimeDelta, TimeZone, Utc};
use solar_lottery::app::{self, Options, RunningApp};
use solar_lottery::calendar::sync::SyncOptions;
use solar_lottery::config::Settings;
use solar_lottery::notify::RetryPolicy;
use sqlx::AnyPool;

use crate::support::fake_graph::FakeGraph;
use crate::support::fake_mattermost::{FakeMattermost, FakeUser};

/// The time the tests act at: Monday 2030-03-04 10:00 UTC (11:00 in Berlin). In the future, because
/// Mattermost refuses custom statuses that expire in the past and ends DND whose end has passed.
pub fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2030, 3, 4, 10, 0, 0).unwrap()
}

/// `t0` plus `minutes`.
pub fn at(minutes: i64) -> DateTime<Utc> {
    t0() + TimeDelta::minutes(minutes)
}

/// How a test wants the bot set up.
pub struct Setup {
    /// Give the bot account `system_admin` (needed to change other people's status).
    pub bot_is_admin: bool,
    pub graph: bool,
    pub allow_private_ics: bool,
    pub public_url: Option<&'static str>,
    /// `LOTTO_CALENDAR_INTERVAL`: off unless a test wants the background loop.
    pub interval: &'static str,
}

impl Default for Setup {
    fn default() -> Self {
        Setup {
            bot_is_admin: true,
            graph: true,
            allow_private_ics: true,
            public_url: None,
            interval: "0",
        }
    }
}

pub struct Cal {
    pub mm: FakeMattermost,
    pub graph: FakeGraph,
    pub feeds: Feeds,
    pub app: RunningApp,
    pub url: String,
    pub db: AnyPool,
    _database: crate::support::db::TestDb,
}

impl Cal {
    pub async fn start() -> Self {
        Self::start_with(Setup::default()).await
    }

    pub async fn start_with(setup: Setup) -> Self {
        let mm = FakeMattermost::start().await;
        if setup.bot_is_admin {
            mm.bot().system_admin();
        }
        mm.add_user("admin").time_zone("UTC");
        let graph = FakeGraph::start().await;
        let feeds = Feeds::start().await;
        let database = crate::support::db::fresh().await;
        let db_url = database.url.clone();
        let bot_token = mm.bot_token();
        let slash_token = mm.slash_token();
        let mut pairs: Vec<(&str, &str)> = vec![
            ("listen", "127.0.0.1:0"),
            ("database_url", &db_url),
            ("mattermost_url", mm.base_url()),
            ("bot_token", &bot_token),
            ("slash_tokens", &slash_token),
            ("admins", "admin"),
            ("autopilot_interval", "0"),
            ("calendar_interval", setup.interval),
            (
                "ics_allow_private",
                if setup.allow_private_ics {
                    "true"
                } else {
                    "false"
                },
            ),
        ];
        if setup.graph {
            pairs.extend([
                ("graph_url", graph.base_url.as_str()),
                ("graph_token_url", graph.token_url.as_str()),
                ("graph_tenant", crate::support::fake_graph::TENANT),
                ("graph_client_id", crate::support::fake_graph::CLIENT_ID),
                (
                    "graph_client_secret",
                    crate::support::fake_graph::CLIENT_SECRET,
                ),
            ]);
        }
        if let Some(url) = setup.public_url {
            pairs.push(("public_url", url));
        }
        let settings = Settings::from_pairs(pairs).expect("settings");
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let options = Options {
            retry: RetryPolicy {
                base: Duration::from_millis(20),
                max_delay: Duration::from_millis(200),
                max_attempts: 8,
                concurrency: 4,
                claim_margin: Duration::from_secs(2),
            },
            // Long enough that a held feed stays held while a test looks at everyone else.
            calendar: SyncOptions {
                source_timeout: Duration::from_secs(15),
                ..SyncOptions::default()
            },
            // Tests deliver explicitly (`dms()`), so what arrives when is deterministic.
            background_sender: false,
            ..Options::default()
        };
        let app = app::launch(settings, listener, options)
            .await
            .expect("app starts");
        let url = format!("http://{}", app.addr);
        let db = crate::support::db::pool(&db_url).await;
        Cal {
            mm,
            graph,
            feeds,
            app,
            url,
            db,
            _database: database,
        }
    }

    /// A Mattermost user living in Berlin, online, with an address Graph knows (an empty calendar
    /// until the test scripts one).
    pub fn person(&self, name: &str) -> FakeUser {
        let email = format!("{name}@contoso.example");
        self.graph.set_schedule(&email, vec![]);
        self.mm
            .add_user(name)
            .time_zone("Europe/Berlin")
            .email(&email)
            .status("online", false)
    }

    /// The reply to `/lotto <text>` typed by `user`.
    pub async fn run(&self, user: &str, text: &str) -> String {
        let url = format!("{}/slash", self.url);
        self.mm.slash(&url, user, text).await.text().to_string()
    }

    /// `/lotto calendar sync --now=<at>` as the admin.
    pub async fn sync_at(&self, at: DateTime<Utc>) -> String {
        let text = format!("calendar sync --now={}", at.format("%Y-%m-%dT%H:%MZ"));
        self.run("admin", &text).await
    }

    /// Delivers every queued DM now.
    pub async fn deliver(&self) {
        self.app.sender.deliver_due().await.expect("delivery pass");
    }

    /// The DMs `user` has received, after delivering what is queued.
    pub async fn dms(&self, user: &str) -> Vec<String> {
        self.deliver().await;
        self.mm.dms_to(user)
    }

    /// Status writes the bot made for `user`: (status, dnd_end_time, HTTP status).
    pub fn writes_for(&self, user: &str) -> Vec<(String, i64, u16)> {
        self.mm
            .status_writes()
            .into_iter()
            .filter(|w| w.username == user)
            .map(|w| (w.status, w.dnd_end_time, w.http_status))
            .collect()
    }

    /// The usernames of the people with a calendar connected, alphabetically.
    pub async fn connected_calendars(&self) -> Vec<String> {
        sqlx::query_scalar(
            "SELECT u.username FROM calendar_connections c JOIN users u ON u.id = c.user_id
             ORDER BY u.username",
        )
        .fetch_all(&self.db)
        .await
        .expect("read the calendar connections")
    }

    /// Whose out-of-office time the calendars put into the lottery: a username per entry,
    /// alphabetically.
    pub async fn calendar_time_off(&self) -> Vec<String> {
        sqlx::query_scalar(
            "SELECT u.username FROM unavailability a JOIN users u ON u.id = a.user_id
             WHERE a.reason = 'calendar' ORDER BY u.username, a.start",
        )
        .fetch_all(&self.db)
        .await
        .expect("read the calendar time off")
    }

    /// The server-wide problems of the sync the admins were told about and that still last.
    pub async fn calendar_alerts(&self) -> Vec<String> {
        sqlx::query_scalar("SELECT key FROM calendar_alerts ORDER BY key")
            .fetch_all(&self.db)
            .await
            .expect("read the calendar alerts")
    }

    /// The process holding the calendar sync's lease, if any.
    pub async fn calendar_lease_holder(&self) -> Option<String> {
        sqlx::query_scalar("SELECT holder FROM leases WHERE name = 'calendar'")
            .fetch_optional(&self.db)
            .await
            .expect("read the lease")
    }
}

/// A tiny feed server: each path answers a scripted status, body and delay.
#[derive(Clone)]
pub struct Feeds {
    pub base_url: String,
    state: Arc<FeedState>,
}

struct FeedState {
    feeds: Mutex<HashMap<String, (u16, String, Duration)>>,
    hits: AtomicUsize,
    /// Feeds that answer only once released.
    held: Mutex<Vec<String>>,
    holding: AtomicUsize,
    release: tokio::sync::watch::Sender<bool>,
}

impl Feeds {
    async fn start() -> Self {
        let state = Arc::new(FeedState {
            feeds: Mutex::default(),
            hits: AtomicUsize::new(0),
            held: Mutex::default(),
            holding: AtomicUsize::new(0),
            release: tokio::sync::watch::channel(false).0,
        });
        let app = Router::new()
            .route("/{*path}", axum::routing::get(serve_feed))
            .with_state(state.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind feeds");
        let base_url = format!("http://{}", listener.local_addr().expect("addr"));
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Feeds { base_url, state }
    }

    /// Serves `body` at `/<path>`; returns the feed's URL.
    pub fn serve(&self, path: &str, body: &str) -> String {
        self.script(path, 200, body, Duration::ZERO)
    }

    pub fn script(&self, path: &str, status: u16, body: &str, delay: Duration) -> String {
        self.state
            .feeds
            .lock()
            .unwrap()
            .insert(path.to_string(), (status, body.to_string(), delay));
        format!("{}/{path}", self.base_url)
    }

    pub fn hits(&self) -> usize {
        self.state.hits.load(Ordering::SeqCst)
    }

    /// Requests for `path` wait, unanswered, until [`release`](Self::release).
    pub fn hold(&self, path: &str) {
        self.state.held.lock().unwrap().push(path.to_string());
    }

    /// How many requests are waiting on a held feed right now.
    pub fn holding(&self) -> usize {
        self.state.holding.load(Ordering::SeqCst)
    }

    pub fn release(&self) {
        self.state.release.send_replace(true);
    }
}

async fn serve_feed(State(state): State<Arc<FeedState>>, Path(path): Path<String>) -> Response {
    state.hits.fetch_add(1, Ordering::SeqCst);
    if state.held.lock().unwrap().contains(&path) {
        state.holding.fetch_add(1, Ordering::SeqCst);
        let mut released = state.release.subscribe();
        let _ = released.wait_for(|r| *r).await;
        state.holding.fetch_sub(1, Ordering::SeqCst);
    }
    let found = state.feeds.lock().unwrap().get(&path).cloned();
    match found {
        Some((status, body, delay)) => {
            if !delay.is_zero() {
                tokio::time::sleep(delay).await;
            }
            let status = StatusCode::from_u16(status).unwrap_or(StatusCode::OK);
            (status, [("content-type", "text/calendar")], body).into_response()
        }
        None => (StatusCode::NOT_FOUND, "no such feed").into_response(),
    }
}

/// An ICS feed with one event per `(start, end, busy status)`; the status is Outlook's
/// `X-MICROSOFT-CDO-BUSYSTATUS` (BUSY, TENTATIVE, OOF, WORKINGELSEWHERE, FREE).
pub fn ics(events: &[(DateTime<Utc>, DateTime<Utc>, &str)]) -> String {
    let mut out =
        String::from("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Solar Lottery tests//EN\r\n");
    for (i, (start, end, status)) in events.iter().enumerate() {
        out.push_str(&format!(
            "BEGIN:VEVENT\r\nUID:event-{i}@tests\r\nDTSTAMP:20300101T000000Z\r\nDTSTART:{}\r\nDTEND:{}\r\nSUMMARY:Secret project {i}\r\nX-MICROSOFT-CDO-BUSYSTATUS:{status}\r\nEND:VEVENT\r\n",
            start.format("%Y%m%dT%H%M%SZ"),
            end.format("%Y%m%dT%H%M%SZ"),
        ));
    }
    out.push_str("END:VCALENDAR\r\n");
    out
}
