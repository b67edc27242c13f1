//! A fake Mattermost server for integration tests, faithful to ../shared/docs/mattermost-contract.md.
//!
//! It is a real HTTP server (axum on 127.0.0.1, random port) with its own state: status codes,
//! AppError bodies with the real ids, 401 without a valid bearer token, 403 by the real permission
//! rules, 404/405 for unknown routes and methods, 400 for bad bodies. It also plays the Mattermost
//! side of slash commands: it sends the outgoing command request to the bot and judges the answer
//! like the server does.
//!
//! Each test starts its own; nothing is global. Usage:
//!
//! ```ignore
//! use crate::support::fake_mattermost::{FakeMattermost, LostResponse, RouteKind};
//!
//! let mm = FakeMattermost::start().await;
//! mm.bot().system_admin();                               // default bot role is system_user
//! let ann = mm.add_user("ann").time_zone("Europe/Berlin").status("online", false);
//! let client = mm.client();                              // a MattermostClient as the bot
//! // … or configure the app with mm.base_url(), mm.bot_token(), mm.slash_token() …
//!
//! mm.fail_next(RouteKind::CreatePost, 2, 500);           // next two posts: 500 AppError
//! mm.fail_next(RouteKind::CreatePost, 1, 429);           // rate limited, Retry-After: 1
//! mm.lose_next_response(RouteKind::CreatePost, 1, LostResponse::Disconnect); // created, answer lost
//! mm.fail_for(RouteKind::GetMe, Duration::from_secs(60), 503); // down for a minute…
//! mm.advance_fault_clock(Duration::from_secs(61));       // …which is over now, without waiting
//!
//! let reply = mm.slash(&format!("{app}/slash"), "ann", "rotation list @bob").await;
//! assert_eq!(reply.status, Some(200));                  // None = timeout / refused
//! assert!(reply.text().contains("…"));                  // panics with Mattermost's error if failed
//! mm.command(&url, "ann", "help").get().in_dm_with_bot().send().await;  // variants
//! mm.response_url_posts(&reply.hook_id);                 // what the bot sent to response_url
//! assert_eq!(mm.dms_to("ann"), vec!["You are scheduled …".to_string()]);
//! assert_eq!(mm.request_count(RouteKind::CreatePost), 3);
//! ```
//!
//! WebSocket (`/api/v4/websocket`, see `websocket.rs`): bearer or `authentication_challenge` auth,
//! `hello`, numbered events, resume with replay. `user_updated` is broadcast by `State::user_changed`,
//! which every route (and `FakeUser` setter) that changes what a user looks like calls.
//! `mm.drop_websockets()` cuts every socket (resumable), `mm.forget_websockets()` forgets the
//! connections as a restart does; `live_websockets()`, `websocket_handshakes()`,
//! `refused_websockets()` inspect. `POST /users/ids?since=<ms>` honours `since`.
//!
//! Files: `POST /files` (multipart or simple) stores uploads (`mm.files()`), a post's `file_ids`
//! attach them (`mm.dm_files_to("ann")`).
//!
//! Faithful details worth knowing: `pending_post_id` de-duplicates for 30 s only (as the server's
//! in-memory cache); `pending_post_id` reads back empty from `GET /channels/{id}/posts`; DND with an
//! end time in the past reverts to the previous status when next read (the server's minute job).
//!
//! Choices where the contract is silent: a deactivated user is missing for every lookup, and DMs to
//! them (new channel or post) answer 403; the slash form is
//! encoded like Go's `url.Values.Encode` (keys sorted; repeated keys keep their order). Emoji: the
//! system ones are the gemoji short names (the `emojis` crate); custom ones are added with
//! `add_custom_emoji`.

mod actions;
mod admin_view;
mod bots;
mod channels;
mod fake_user;
mod faults;
mod files;
mod hooks;
mod http;
mod posts;
mod profile;
mod roles;
mod slash;
mod state;
mod status;
mod teams;
mod users;
mod websocket;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::routing::{get, post, put};
use secrecy::SecretString;
use solar_lottery::mattermost::{CommandResponse, MattermostClient};
use tokio::task::JoinHandle;

pub use fake_user::FakeUser;
pub use faults::{Fault, LostResponse, RouteKind};
pub use slash::{SlashAuthorization, SlashCommand, SlashReply};
pub use state::{FakePost, FakeStatus, StatusWrite};
pub use status::FakeCustomStatus;

use state::{Shared, State, lock};

pub struct FakeMattermost {
    base_url: String,
    shared: Shared,
    server: JoinHandle<()>,
    slash_http: reqwest::Client,
}

impl Drop for FakeMattermost {
    fn drop(&mut self) {
        self.server.abort();
    }
}

impl FakeMattermost {
    /// Starts a fresh server with one team (`solar`, channels `town-square` and `off-topic`) and
    /// the bot `solar-lottery` (role `system_user`).
    pub async fn start() -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind the fake Mattermost");
        let base_url = format!("http://{}", listener.local_addr().expect("local address"));
        let shared: Shared = Arc::new(Mutex::new(State::new(base_url.clone())));
        let app = router(shared.clone());
        let server = tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Self {
            base_url,
            shared,
            server,
            slash_http: slash::slash_http_client(),
        }
    }

    // ----- identity and configuration -------------------------------------------------------

    /// The site URL, e.g. `http://127.0.0.1:40123` (no trailing slash).
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    pub fn bot_token(&self) -> String {
        lock(&self.shared).bot_token.clone()
    }

    /// The token of the registered `/lotto` command (what the bot must accept).
    pub fn slash_token(&self) -> String {
        lock(&self.shared).slash_token.clone()
    }

    pub fn bot(&self) -> FakeUser {
        let state = lock(&self.shared);
        FakeUser {
            shared: self.shared.clone(),
            id: state.bot_id.clone(),
            username: "solar-lottery".into(),
        }
    }

    pub fn team_id(&self) -> String {
        lock(&self.shared).team_id.clone()
    }

    /// A client authenticated as the bot, with a 5 s timeout.
    pub fn client(&self) -> MattermostClient {
        self.client_with_timeout(Duration::from_secs(5))
    }

    pub fn client_with_timeout(&self, timeout: Duration) -> MattermostClient {
        MattermostClient::new(
            &self.base_url,
            SecretString::from(self.bot_token()),
            timeout,
        )
        .expect("client for the fake")
    }

    /// Adds an active user (role `system_user`, automatic empty time zone, status offline).
    pub fn add_user(&self, username: &str) -> FakeUser {
        fake_user::insert_user(&self.shared, username)
    }

    /// The handle of an existing user; panics if there is none.
    pub fn user(&self, username: &str) -> FakeUser {
        let state = lock(&self.shared);
        let user = state
            .user_by_name(username)
            .unwrap_or_else(|| panic!("the fake has no user @{username}"));
        FakeUser {
            shared: self.shared.clone(),
            id: user.id.clone(),
            username: user.username.clone(),
        }
    }

    /// `TeamSettings.EnableCustomUserStatuses` (on by default); off gives 501.
    pub fn set_custom_statuses_enabled(&self, enabled: bool) {
        lock(&self.shared).custom_statuses_enabled = enabled;
    }

    /// How long a `pending_post_id` is remembered (30 s like the server by default).
    pub fn set_pending_post_ttl(&self, ttl: Duration) {
        lock(&self.shared).pending_post_ttl = ttl;
    }

    /// Whether slash requests carry `root_id` (current master: yes; v10.11 and older: no).
    pub fn set_send_root_id(&self, send: bool) {
        lock(&self.shared).send_root_id = send;
    }

    // ----- fault injection ---------------------------------------------------------------------

    /// The next `n` requests of this kind get `status` instead of being handled: 429 is the rate
    /// limiter's plain-text answer with `Retry-After: 1`, anything else an AppError JSON.
    pub fn fail_next(&self, kind: RouteKind, n: usize, status: u16) {
        self.fail_next_with(kind, n, Fault::from_status(status));
    }

    pub fn fail_next_with(&self, kind: RouteKind, n: usize, fault: Fault) {
        lock(&self.shared).faults.fail_next(kind, n, fault);
    }

    /// Every request of this kind gets `status` for the next `duration`.
    pub fn fail_for(&self, kind: RouteKind, duration: Duration, status: u16) {
        lock(&self.shared)
            .faults
            .fail_for(kind, duration, Fault::from_status(status));
    }

    /// Moves the clock of the `fail_for` windows forward, as if `by` had passed: a window ends
    /// without the test waiting for it.
    pub fn advance_fault_clock(&self, by: Duration) {
        lock(&self.shared).faults.advance_clock(by);
    }

    /// Every request of this kind waits `duration` before being handled (`Duration::ZERO` clears).
    pub fn delay(&self, kind: RouteKind, duration: Duration) {
        lock(&self.shared).faults.delay(kind, duration);
    }

    /// The next `n` requests of this kind ARE carried out, but their answers are lost.
    pub fn lose_next_response(&self, kind: RouteKind, n: usize, how: LostResponse) {
        lock(&self.shared).faults.lose_next(kind, n, how);
    }

    pub fn clear_faults(&self) {
        lock(&self.shared).faults.clear();
    }

    // ----- inspection --------------------------------------------------------------------------

    /// Requests received for this route, including those answered with an injected fault.
    pub fn request_count(&self, kind: RouteKind) -> usize {
        lock(&self.shared).counts.get(&kind).copied().unwrap_or(0)
    }

    /// Every post created, oldest first.
    pub fn posts(&self) -> Vec<FakePost> {
        lock(&self.shared).posts.clone()
    }

    /// The bot's posts in its DM with this user, oldest first.
    pub fn dm_posts_to(&self, username: &str) -> Vec<FakePost> {
        let state = lock(&self.shared);
        let Some(user) = state.user_by_name(username) else {
            return Vec::new();
        };
        let (a, b) = if user.id <= state.bot_id {
            (&user.id, &state.bot_id)
        } else {
            (&state.bot_id, &user.id)
        };
        let name = format!("{a}__{b}");
        let Some(channel) = state.channels.values().find(|c| c.name == name) else {
            return Vec::new();
        };
        state
            .posts
            .iter()
            .filter(|p| p.channel_id == channel.id && p.user_id == state.bot_id)
            .cloned()
            .collect()
    }

    /// The messages of `dm_posts_to`.
    pub fn dms_to(&self, username: &str) -> Vec<String> {
        self.dm_posts_to(username)
            .into_iter()
            .map(|p| p.message)
            .collect()
    }

    /// The user's status as the server would report it now (DND expiry applied).
    pub fn status_of(&self, username: &str) -> FakeStatus {
        let id = self.user(username).id;
        lock(&self.shared).status(&id)
    }

    pub fn custom_status_of(&self, username: &str) -> Option<FakeCustomStatus> {
        let id = self.user(username).id;
        let state = lock(&self.shared);
        state
            .users
            .get(&id)
            .and_then(|u| u.props.get("customStatus"))
            .and_then(FakeCustomStatus::from_prop)
    }

    /// Every `PUT /users/{id}/status` with a parsable body, in order, with the answer's status.
    pub fn status_writes(&self) -> Vec<StatusWrite> {
        lock(&self.shared).status_writes.clone()
    }

    /// The user changes their own status by hand (not logged in `status_writes`).
    pub fn set_status_as_user(&self, username: &str, status: &str, manual: bool) {
        let id = self.user(username).id;
        let mut state = lock(&self.shared);
        let previous = state.status(&id);
        state.statuses.insert(
            id,
            FakeStatus {
                status: status.to_string(),
                manual,
                last_activity_at: state::now_ms(),
                dnd_end_time: 0,
                prev_status: previous.status,
            },
        );
    }

    /// What the bot sent to this command's `response_url`, as Mattermost parsed it.
    pub fn response_url_posts(&self, hook_id: &str) -> Vec<CommandResponse> {
        lock(&self.shared)
            .hooks
            .get(hook_id)
            .map(|h| h.responses.clone())
            .unwrap_or_default()
    }

    /// Makes every `response_url` handed out so far expire (as after 30 minutes).
    pub fn expire_response_urls(&self) {
        for hook in lock(&self.shared).hooks.values_mut() {
            hook.expired = true;
        }
    }

    // ----- the WebSocket -------------------------------------------------------------------------

    /// Ends every open WebSocket abruptly (as a network failure would); they stay resumable.
    pub fn drop_websockets(&self) {
        lock(&self.shared).ws.drop_all();
    }

    /// Forgets every WebSocket connection, as a server restart does: a resume gets a new `hello`.
    pub fn forget_websockets(&self) {
        lock(&self.shared).ws.forget_all();
    }

    /// WebSockets open now.
    pub fn live_websockets(&self) -> usize {
        lock(&self.shared).ws.live()
    }

    /// When WebSocket upgrades were refused for a bad token (401), oldest first.
    pub fn refused_websockets(&self) -> Vec<std::time::Instant> {
        lock(&self.shared).ws.refused.clone()
    }

    /// Authenticated WebSocket upgrades so far, and how many of them resumed a connection.
    pub fn websocket_handshakes(&self) -> (usize, usize) {
        let state = lock(&self.shared);
        (state.ws.handshakes, state.ws.resumes)
    }

    // ----- the slash-command side --------------------------------------------------------------

    /// A slash command `/lotto <text>` typed by `username` in Town Square, to be sent to `app_url`
    /// (the bot's full `/slash` URL). Adjust it, then `.send().await`.
    pub fn command(&self, app_url: &str, username: &str, text: &str) -> SlashCommand {
        SlashCommand {
            shared: self.shared.clone(),
            http: self.slash_http.clone(),
            app_url: app_url.to_string(),
            username: username.to_string(),
            text: text.to_string(),
            get: false,
            token: None,
            authorization: SlashAuthorization::Token,
            in_dm_with_bot: false,
            root_id: None,
            raw_fields: None,
        }
    }

    /// `/lotto <text>` typed by `username` in the team, sent where the /lotto command registered
    /// through the API points, with its method and token (panics if there is none).
    pub async fn type_command(&self, username: &str, text: &str) -> SlashReply {
        self.command("", username, text).send().await
    }

    /// POSTs `/lotto <text>` as `username`, exactly as Mattermost would.
    pub async fn slash(&self, app_url: &str, username: &str, text: &str) -> SlashReply {
        self.command(app_url, username, text).send().await
    }

    /// The same as a GET command (parameters in the query string).
    pub async fn slash_get(&self, app_url: &str, username: &str, text: &str) -> SlashReply {
        self.command(app_url, username, text).get().send().await
    }

    /// With another token in the form and the `Authorization` header.
    pub async fn slash_with_token(
        &self,
        app_url: &str,
        username: &str,
        text: &str,
        token: &str,
    ) -> SlashReply {
        self.command(app_url, username, text)
            .token(token)
            .send()
            .await
    }

    /// POSTs exactly these form fields (with the usual headers and the registered token's
    /// `Authorization`), for bad-input tests.
    pub async fn slash_raw(&self, app_url: &str, fields: &[(&str, &str)]) -> SlashReply {
        self.command(app_url, "solar-lottery", "")
            .raw_fields(fields)
            .send()
            .await
    }
}

fn router(shared: Shared) -> Router {
    Router::new()
        .route("/api/v4/users/me", get(users::get_me))
        .route(
            "/api/v4/users/usernames",
            post(users::get_users_by_usernames),
        )
        .route("/api/v4/users/ids", post(users::get_users_by_ids))
        .route(
            "/api/v4/users/status/ids",
            post(status::get_statuses_by_ids),
        )
        .route(
            "/api/v4/users/username/{username}",
            get(users::get_user_by_username),
        )
        .route("/api/v4/users/{user_id}", get(users::get_user))
        .route(
            "/api/v4/users/{user_id}/status",
            get(status::get_status).put(status::update_status),
        )
        .route(
            "/api/v4/users/{user_id}/status/custom",
            put(status::update_custom_status).delete(status::clear_custom_status),
        )
        .route(
            "/api/v4/channels/direct",
            post(posts::create_direct_channel),
        )
        .route("/api/v4/posts", post(posts::create_post))
        .route(
            "/api/v4/teams/{team_id}/channels/name/{name}",
            get(channels::get_channel_by_name),
        )
        .route(
            "/api/v4/channels/{channel_id}/members/{user_id}",
            get(channels::get_channel_member),
        )
        .route(
            "/api/v4/emoji/name/{name}",
            get(channels::get_emoji_by_name),
        )
        .route(
            "/api/v4/files",
            post(files::upload_file).layer(axum::extract::DefaultBodyLimit::max(200 * 1024 * 1024)),
        )
        .route("/api/v4/system/ping", get(files::ping))
        .route(
            "/api/v4/channels/{channel_id}/posts",
            get(posts::get_posts_for_channel),
        )
        .route("/hooks/commands/{hook_id}", post(hooks::command_webhook))
        .route("/api/v4/websocket", get(websocket::websocket))
        .route("/api/v4/websocket/", get(websocket::websocket))
        .merge(actions::routes())
        .merge(profile::routes())
        .merge(bots::routes())
        .merge(teams::routes())
        .fallback(http::not_found)
        .layer(axum::middleware::from_fn(http::common_headers))
        .with_state(shared)
}
