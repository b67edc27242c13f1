//! Everything the fake server remembers, behind one mutex (never held across an await).

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use serde_json::{Value, json};
use solar_lottery::mattermost::CommandResponse;

use super::bots::BotRecord;
use super::faults::{Faults, RouteKind};
use super::teams::TeamRecord;

pub(crate) type Shared = Arc<Mutex<State>>;

/// Locks the state even if a previous test thread panicked while holding it.
pub(crate) fn lock(shared: &Shared) -> MutexGuard<'_, State> {
    shared
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// How long Mattermost remembers a `pending_post_id` (`pendingPostIDsCacheTTL` in app/post.go).
pub(crate) const PENDING_POST_TTL: Duration = Duration::from_secs(30);
/// How long a `response_url` lives (`CommandWebhookLifetime`).
pub(crate) const HOOK_LIFETIME: Duration = Duration::from_secs(30 * 60);
/// How many times a `response_url` may be used (`TryUse(hook.Id, 5)`).
pub(crate) const HOOK_MAX_USES: u32 = 5;

#[derive(Debug, Clone)]
pub(crate) struct UserRecord {
    pub id: String,
    pub username: String,
    pub email: String,
    pub first_name: String,
    pub last_name: String,
    pub nickname: String,
    pub roles: String,
    pub use_automatic_timezone: bool,
    pub automatic_timezone: String,
    pub manual_timezone: String,
    pub props: serde_json::Map<String, Value>,
    pub delete_at: i64,
    pub is_bot: bool,
    pub locale: String,
    pub create_at: i64,
    pub update_at: i64,
    /// When the picture was last set (ms); 0 (omitted) or negative while it is the generated default.
    pub last_picture_update: i64,
}

impl UserRecord {
    pub fn is_system_admin(&self) -> bool {
        self.roles.split_whitespace().any(|r| r == "system_admin")
    }

    pub fn is_active(&self) -> bool {
        self.delete_at == 0
    }

    /// The JSON Mattermost sends for a user (as seen by an admin: nothing sanitised).
    pub fn to_json(&self) -> Value {
        let mut user = json!({
            "id": self.id,
            "create_at": self.create_at,
            "update_at": self.update_at,
            "delete_at": self.delete_at,
            "username": self.username,
            "auth_data": "",
            "auth_service": "",
            "email": self.email,
            "email_verified": true,
            "nickname": self.nickname,
            "first_name": self.first_name,
            "last_name": self.last_name,
            "position": "",
            "roles": self.roles,
            "notify_props": {"desktop": "mention", "email": "true", "push": "mention", "channel": "true"},
            // Milliseconds: a client with i32 fields fails here, as real servers make it fail.
            "last_password_update": self.create_at,
            "locale": self.locale,
            "timezone": {
                "useAutomaticTimezone": if self.use_automatic_timezone { "true" } else { "false" },
                "automaticTimezone": self.automatic_timezone,
                "manualTimezone": self.manual_timezone,
            },
            "is_bot": self.is_bot,
            "disable_welcome_email": false,
        });
        if !self.props.is_empty() {
            user["props"] = Value::Object(self.props.clone());
        }
        // `omitempty`, as the server's `User.LastPictureUpdate`.
        if self.last_picture_update != 0 {
            user["last_picture_update"] = json!(self.last_picture_update);
        }
        if self.is_bot {
            user["bot_description"] = json!("Solar Lottery");
        }
        user
    }
}

#[derive(Debug, Clone)]
pub(crate) struct ChannelRecord {
    pub id: String,
    /// `D` for direct messages, `O` for the team's public channels.
    pub channel_type: &'static str,
    pub name: String,
    pub display_name: String,
    pub team_id: String,
    pub creator_id: String,
    pub members: Vec<String>,
    pub create_at: i64,
    /// Archived (`DeleteAt`), 0 when not.
    pub delete_at: i64,
}

impl ChannelRecord {
    pub fn to_json(&self) -> Value {
        json!({
            "id": self.id,
            "create_at": self.create_at,
            "update_at": self.create_at,
            "delete_at": self.delete_at,
            "team_id": self.team_id,
            "type": self.channel_type,
            "display_name": self.display_name,
            "name": self.name,
            "header": "",
            "purpose": "",
            "last_post_at": 0,
            "total_msg_count": 0,
            "extra_update_at": 0,
            "creator_id": self.creator_id,
            "scheme_id": null,
            "props": null,
            "group_constrained": null,
            "shared": null,
            "total_msg_count_root": 0,
            "policy_id": null,
            "last_root_post_at": 0,
        })
    }
}

/// A post as the fake stored it.
#[derive(Debug, Clone, PartialEq)]
pub struct FakePost {
    pub id: String,
    pub channel_id: String,
    pub user_id: String,
    pub root_id: String,
    pub message: String,
    pub props: Value,
    pub pending_post_id: String,
    pub create_at: i64,
    /// The `set_online` query parameter as sent (`true` when absent, like the server's default).
    pub set_online: bool,
    /// The files attached (those the server accepted).
    pub file_ids: Vec<String>,
}

impl FakePost {
    pub(crate) fn to_json(&self) -> Value {
        json!({
            "id": self.id,
            "create_at": self.create_at,
            "update_at": self.create_at,
            "edit_at": 0,
            "delete_at": 0,
            "is_pinned": false,
            "user_id": self.user_id,
            "channel_id": self.channel_id,
            "root_id": self.root_id,
            "original_id": "",
            "message": self.message,
            "type": "",
            "props": self.props,
            "hashtags": "",
            "pending_post_id": self.pending_post_id,
            "reply_count": 0,
            "last_reply_at": 0,
            "participants": null,
            "file_ids": self.file_ids,
            "metadata": {},
        })
    }
}

/// A user's presence as stored, including the `prev_status` the server keeps for DND expiry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FakeStatus {
    pub status: String,
    pub manual: bool,
    pub last_activity_at: i64,
    /// Epoch seconds, whole minutes; 0 = no end.
    pub dnd_end_time: i64,
    pub prev_status: String,
}

impl Default for FakeStatus {
    fn default() -> Self {
        Self {
            status: "offline".into(),
            manual: false,
            last_activity_at: 0,
            dnd_end_time: 0,
            prev_status: String::new(),
        }
    }
}

impl FakeStatus {
    pub(crate) fn to_json(&self, user_id: &str) -> Value {
        json!({
            "user_id": user_id,
            "status": self.status,
            "manual": self.manual,
            "last_activity_at": self.last_activity_at,
            "dnd_end_time": self.dnd_end_time,
        })
    }
}

/// One `PUT /users/{id}/status` call that reached the handler with a parsable body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusWrite {
    /// The target's username, or its id if the fake does not know it.
    pub username: String,
    pub status: String,
    /// As sent, before rounding to the minute.
    pub dnd_end_time: i64,
    /// The username of the caller.
    pub by: String,
    /// The HTTP status the fake answered.
    pub http_status: u16,
}

#[derive(Debug, Clone)]
pub(crate) struct HookRecord {
    pub created: Instant,
    pub uses: u32,
    pub expired: bool,
    pub responses: Vec<CommandResponse>,
}

pub(crate) struct State {
    pub base_url: String,
    pub bot_id: String,
    pub bot_token: String,
    pub slash_token: String,
    pub team_id: String,
    pub team_name: String,
    pub town_square_id: String,
    pub users: BTreeMap<String, UserRecord>,
    /// Personal access tokens → user id (the bot token is one of them).
    pub tokens: HashMap<String, String>,
    pub channels: BTreeMap<String, ChannelRecord>,
    pub posts: Vec<FakePost>,
    /// `pending_post_id` → (post id, when it was remembered).
    pub pending_posts: HashMap<String, (String, Instant)>,
    pub pending_post_ttl: Duration,
    pub statuses: HashMap<String, FakeStatus>,
    pub status_writes: Vec<StatusWrite>,
    pub hooks: HashMap<String, HookRecord>,
    pub faults: Faults,
    pub counts: HashMap<RouteKind, usize>,
    pub custom_statuses_enabled: bool,
    pub send_root_id: bool,
    pub teams: BTreeMap<String, TeamRecord>,
    /// (team id, user id) → the member's explicit team roles.
    pub team_members: BTreeMap<(String, String), String>,
    /// Custom slash commands by id, as `model.Command` JSON.
    pub commands: BTreeMap<String, Value>,
    /// Bot user id → its bot record.
    pub bots: BTreeMap<String, BotRecord>,
    /// User id → password, for `POST /users/login`.
    pub passwords: HashMap<String, String>,
    /// `ServiceSettings.EnableBotAccountCreation`.
    pub bot_creation_enabled: bool,
    /// Custom emoji names (`POST /emoji`); system emoji are always known.
    pub custom_emoji: std::collections::HashSet<String>,
    /// `ServiceSettings.EnableCustomEmoji`.
    pub custom_emoji_enabled: bool,
    /// Uploaded files, oldest first.
    pub files: Vec<super::files::FakeFile>,
    /// `FileSettings.EnableFileAttachments`.
    pub file_attachments_enabled: bool,
    /// `FileSettings.MaxFileSize` (100 MiB by default).
    pub max_file_size: usize,
    /// The WebSocket connections.
    pub ws: super::websocket::WsHub,
    /// Ephemeral posts (button answers' `ephemeral_text`), oldest first.
    pub ephemerals: Vec<super::actions::FakeEphemeral>,
    /// Profile pictures, synced attributes and patch bodies (profile presets).
    pub profile: super::profile::ProfileRecords,
}

impl State {
    pub fn new(base_url: String) -> Self {
        let now = now_ms();
        let bot_id = new_id();
        let bot_token = new_id();
        let team_id = new_id();
        let mut state = Self {
            base_url,
            bot_id: bot_id.clone(),
            bot_token: bot_token.clone(),
            slash_token: new_id(),
            team_id: team_id.clone(),
            team_name: "solar".into(),
            town_square_id: String::new(),
            users: BTreeMap::new(),
            tokens: HashMap::from([(bot_token, bot_id.clone())]),
            channels: BTreeMap::new(),
            posts: Vec::new(),
            pending_posts: HashMap::new(),
            pending_post_ttl: PENDING_POST_TTL,
            statuses: HashMap::new(),
            status_writes: Vec::new(),
            hooks: HashMap::new(),
            faults: Faults::default(),
            counts: HashMap::new(),
            custom_statuses_enabled: true,
            send_root_id: true,
            teams: BTreeMap::new(),
            team_members: BTreeMap::new(),
            commands: BTreeMap::new(),
            bots: BTreeMap::new(),
            passwords: HashMap::new(),
            bot_creation_enabled: true,
            custom_emoji: Default::default(),
            custom_emoji_enabled: true,
            files: Vec::new(),
            file_attachments_enabled: true,
            max_file_size: 100 * 1024 * 1024,
            ws: Default::default(),
            ephemerals: Vec::new(),
            profile: Default::default(),
        };
        state.teams.insert(
            team_id.clone(),
            TeamRecord {
                id: team_id.clone(),
                name: "solar".into(),
                display_name: "Solar".into(),
                create_at: now,
            },
        );
        state.bots.insert(
            bot_id.clone(),
            BotRecord {
                owner_id: String::new(),
                display_name: "Solar Lottery".into(),
                description: String::new(),
            },
        );
        let mut bot = UserRecord::new(bot_id.clone(), "solar-lottery", now);
        bot.is_bot = true;
        bot.email = String::new();
        bot.first_name = "Solar Lottery".into();
        state.users.insert(bot_id.clone(), bot);
        for (name, display) in [("town-square", "Town Square"), ("off-topic", "Off-Topic")] {
            let id = new_id();
            if name == "town-square" {
                state.town_square_id = id.clone();
            }
            state.channels.insert(
                id.clone(),
                ChannelRecord {
                    id,
                    channel_type: "O",
                    name: name.into(),
                    display_name: display.into(),
                    team_id: team_id.clone(),
                    creator_id: bot_id.clone(),
                    members: Vec::new(),
                    create_at: now,
                    delete_at: 0,
                },
            );
        }
        state
    }

    pub fn user_by_name(&self, username: &str) -> Option<&UserRecord> {
        let wanted = username.to_lowercase();
        self.users.values().find(|u| u.username == wanted)
    }

    pub fn username_of(&self, id: &str) -> String {
        self.users
            .get(id)
            .map_or_else(|| id.to_string(), |u| u.username.clone())
    }

    pub fn is_admin(&self, user_id: &str) -> bool {
        self.users
            .get(user_id)
            .is_some_and(UserRecord::is_system_admin)
    }

    /// The stored status, after applying the server's DND expiry (done once a minute by a job on
    /// a real server; here lazily whenever a status is read).
    pub fn status(&mut self, user_id: &str) -> FakeStatus {
        let now = now_secs();
        let Some(status) = self.statuses.get_mut(user_id) else {
            return FakeStatus::default();
        };
        if status.status == "dnd" && status.dnd_end_time > 0 && status.dnd_end_time <= now {
            status.status = if status.prev_status.is_empty() {
                "online".into()
            } else {
                status.prev_status.clone()
            };
            status.prev_status = "dnd".into();
            status.dnd_end_time = 0;
            status.manual = false;
        }
        status.clone()
    }

    /// The DM channel between two users, created on first use (like `GetOrCreateDirectChannel`).
    pub fn direct_channel(&mut self, a: &str, b: &str, creator: &str) -> ChannelRecord {
        let (first, second) = if a <= b { (a, b) } else { (b, a) };
        let name = format!("{first}__{second}");
        if let Some(existing) = self.channels.values().find(|c| c.name == name) {
            return existing.clone();
        }
        let channel = ChannelRecord {
            id: new_id(),
            channel_type: "D",
            name,
            display_name: String::new(),
            team_id: String::new(),
            creator_id: creator.to_string(),
            members: vec![first.to_string(), second.to_string()],
            create_at: now_ms(),
            delete_at: 0,
        };
        self.channels.insert(channel.id.clone(), channel.clone());
        channel
    }

    pub fn count(&mut self, kind: RouteKind) {
        *self.counts.entry(kind).or_default() += 1;
    }
}

impl UserRecord {
    pub fn new(id: String, username: &str, now: i64) -> Self {
        Self {
            id,
            username: username.to_lowercase(),
            email: format!("{}@example.com", username.to_lowercase()),
            first_name: String::new(),
            last_name: String::new(),
            nickname: String::new(),
            roles: "system_user".into(),
            use_automatic_timezone: true,
            automatic_timezone: String::new(),
            manual_timezone: String::new(),
            props: serde_json::Map::new(),
            delete_at: 0,
            is_bot: false,
            locale: "en".into(),
            create_at: now,
            update_at: now,
            last_picture_update: 0,
        }
    }
}

/// A new 26-character id in Mattermost's alphabet (`model.NewId`: base32 of 16 random bytes).
pub(crate) fn new_id() -> String {
    const ALPHABET: &[u8; 32] = b"ybndrfg8ejkmcpqxot1uwisza345h769";
    let bytes = uuid::Uuid::new_v4().into_bytes();
    let mut bits: u128 = u128::from_be_bytes(bytes);
    let mut out = Vec::with_capacity(26);
    for _ in 0..26 {
        out.push(ALPHABET[(bits & 31) as usize]);
        bits >>= 5;
    }
    String::from_utf8(out).expect("the alphabet is ASCII")
}

/// Mattermost's `IsValidId`: 26 lowercase letters and digits.
pub(crate) fn is_valid_id(id: &str) -> bool {
    id.len() == 26
        && id
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
}

pub(crate) fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64)
}

pub(crate) fn now_secs() -> i64 {
    now_ms() / 1000
}
