//! The fake as the Mattermost server that CALLS the bot: an outgoing slash-command request built
//! and judged like `tryExecuteCustomCommand` / `DoCommandRequest` (contract §1.2–§1.4).

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use axum::body::Bytes;
use reqwest::header::{ACCEPT, AUTHORIZATION, CONTENT_TYPE, USER_AGENT};
use serde_json::Value;
use solar_lottery::mattermost::CommandResponse;

use super::state::{HookRecord, Shared, State, lock, new_id, now_ms};

/// `OutgoingIntegrationRequestsTimeout` default.
pub const SLASH_DEADLINE: Duration = Duration::from_secs(30);
/// `MaxIntegrationResponseSize`: longer bodies are cut (and JSON then fails to parse).
pub const MAX_INTEGRATION_RESPONSE_BYTES: usize = 1024 * 1024;
/// The trigger the bot is registered under.
pub const TRIGGER: &str = "lotto";

/// What Mattermost made of the bot's answer.
#[derive(Debug, Clone)]
pub struct SlashReply {
    /// The HTTP status, or `None` when the request failed (timeout, refused connection).
    pub status: Option<u16>,
    pub content_type: Option<String>,
    /// The body as read (at most 1 MiB), lossily decoded.
    pub raw_body: String,
    /// The reply Mattermost would show; `None` when the command failed.
    pub response: Option<CommandResponse>,
    /// Mattermost's error text when the command failed, e.g.
    /// "Command with a trigger of '/lotto' returned response 500."
    pub failure: Option<String>,
    /// The `response_url` sent with the request, and its hook id.
    pub response_url: String,
    pub hook_id: String,
}

impl SlashReply {
    /// The reply; panics with Mattermost's error (and the body) if the command failed.
    pub fn ok(&self) -> &CommandResponse {
        match &self.response {
            Some(response) => response,
            None => panic!(
                "the slash command failed: {} (status {:?}, content type {:?}, body {:?})",
                self.failure.as_deref().unwrap_or("?"),
                self.status,
                self.content_type,
                self.raw_body
            ),
        }
    }

    /// The reply's text; panics if the command failed.
    pub fn text(&self) -> &str {
        &self.ok().text
    }

    /// Every post the reply makes, in order: its text, then each of its `extra_responses`
    /// (Mattermost processes each as another post).
    pub fn texts(&self) -> Vec<String> {
        let r = self.ok();
        std::iter::once(r.text.clone())
            .chain(r.extra_responses.iter().map(|e| e.text.clone()))
            .collect()
    }
}

/// How the `Authorization` header is sent.
#[derive(Debug, Clone)]
pub enum SlashAuthorization {
    /// `Token <the token in the form>` (what Mattermost does).
    Token,
    /// No header at all.
    Omitted,
    /// Exactly this header value.
    Value(String),
}

/// A slash command about to be sent; built by `FakeMattermost::command`.
#[must_use = "call .send().await"]
pub struct SlashCommand {
    pub(crate) shared: Shared,
    pub(crate) http: reqwest::Client,
    pub(crate) app_url: String,
    pub(crate) username: String,
    pub(crate) text: String,
    pub(crate) get: bool,
    pub(crate) token: Option<String>,
    pub(crate) authorization: SlashAuthorization,
    pub(crate) in_dm_with_bot: bool,
    pub(crate) root_id: Option<String>,
    pub(crate) raw_fields: Option<Vec<(String, String)>>,
}

impl SlashCommand {
    /// Send as a GET command (parameters in the query string, no body).
    pub fn get(mut self) -> Self {
        self.get = true;
        self
    }

    /// Use this token (form field and header) instead of the registered one.
    pub fn token(mut self, token: &str) -> Self {
        self.token = Some(token.to_string());
        self
    }

    pub fn authorization(mut self, authorization: SlashAuthorization) -> Self {
        self.authorization = authorization;
        self
    }

    /// Run the command in the user's DM with the bot instead of Town Square.
    pub fn in_dm_with_bot(mut self) -> Self {
        self.in_dm_with_bot = true;
        self
    }

    /// Run the command inside a thread (`root_id`).
    pub fn in_thread(mut self, root_id: &str) -> Self {
        self.root_id = Some(root_id.to_string());
        self
    }

    /// Send exactly these form fields instead of building them (a response_url hook is still made).
    pub fn raw_fields(mut self, fields: &[(&str, &str)]) -> Self {
        self.raw_fields = Some(
            fields
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
        );
        self
    }

    pub async fn send(mut self) -> SlashReply {
        let (fields, hook_id, response_url, token) = {
            let mut state = lock(&self.shared);
            // A /lotto registered through the API (as `setup` does) is what Mattermost calls.
            let team_id = state.team_id.clone();
            let registered = state.command_for(&team_id, TRIGGER).cloned();
            if self.app_url.is_empty() {
                let command = registered
                    .as_ref()
                    .unwrap_or_else(|| panic!("no /{TRIGGER} command is registered in the team"));
                self.app_url = command["url"].as_str().unwrap_or_default().to_string();
                self.get = command["method"] == "G";
            }
            let token = self
                .token
                .clone()
                .or_else(|| {
                    registered
                        .as_ref()
                        .and_then(|c| c["token"].as_str().map(str::to_string))
                })
                .unwrap_or_else(|| state.slash_token.clone());
            let (hook_id, response_url) = create_hook(&mut state);
            let fields = match &self.raw_fields {
                Some(raw) => raw.clone(),
                None => build_fields(&mut state, &self, &token, &response_url),
            };
            (fields, hook_id, response_url, token)
        };
        let encoded = serde_urlencoded::to_string(&fields).expect("form fields encode");
        let mut request = if self.get {
            let separator = if self.app_url.contains('?') { '&' } else { '?' };
            self.http
                .get(format!("{}{separator}{encoded}", self.app_url))
        } else {
            self.http
                .post(&self.app_url)
                .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
                .body(encoded)
        };
        request = request
            .header(ACCEPT, "application/json")
            .header(USER_AGENT, "Mattermost-Bot/1.1");
        request = match &self.authorization {
            SlashAuthorization::Token => request.header(AUTHORIZATION, format!("Token {token}")),
            SlashAuthorization::Omitted => request,
            SlashAuthorization::Value(value) => request.header(AUTHORIZATION, value.as_str()),
        };
        let mut reply = judge(request).await;
        reply.hook_id = hook_id;
        reply.response_url = response_url;
        reply
    }
}

fn create_hook(state: &mut State) -> (String, String) {
    let hook_id = new_id();
    state.hooks.insert(
        hook_id.clone(),
        HookRecord {
            created: Instant::now(),
            uses: 0,
            expired: false,
            responses: Vec::new(),
        },
    );
    let url = format!("{}/hooks/commands/{hook_id}", state.base_url);
    (hook_id, url)
}

/// (channel id, channel name) where the command runs.
fn channel_for(state: &mut State, command: &SlashCommand) -> (String, String) {
    if command.in_dm_with_bot {
        let user = state
            .user_by_name(&command.username)
            .unwrap_or_else(|| panic!("the fake has no user @{}", command.username))
            .id
            .clone();
        let bot = state.bot_id.clone();
        let channel = state.direct_channel(&user, &bot, &user);
        (channel.id, channel.name)
    } else {
        (state.town_square_id.clone(), "town-square".to_string())
    }
}

/// The form fields of `tryExecuteCustomCommand`. Go's `url.Values.Encode` sorts by key, values of
/// a repeated key keep their order, so that is the order on the wire.
fn build_fields(
    state: &mut State,
    command: &SlashCommand,
    token: &str,
    response_url: &str,
) -> Vec<(String, String)> {
    let user = state
        .user_by_name(&command.username)
        .unwrap_or_else(|| panic!("the fake has no user @{}", command.username))
        .clone();
    let (channel_id, channel_name) = channel_for(state, command);
    let mut fields: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    let mut set = |key, value: String| {
        fields.insert(key, vec![value]);
    };
    set("token", token.to_string());
    set("team_id", state.team_id.clone());
    set("team_domain", state.team_name.clone());
    set("channel_id", channel_id);
    set("channel_name", channel_name);
    set("user_id", user.id.clone());
    set("user_name", user.username.clone());
    set("command", format!("/{TRIGGER}"));
    set("text", command.text.clone());
    set("trigger_id", format!("{}{}", new_id(), now_ms()));
    if state.send_root_id {
        set("root_id", command.root_id.clone().unwrap_or_default());
    }
    set("response_url", response_url.to_string());
    let (user_names, user_ids): (Vec<_>, Vec<_>) =
        user_mentions(state, &command.text).into_iter().unzip();
    if !user_names.is_empty() {
        fields.insert("user_mentions", user_names);
        fields.insert("user_mentions_ids", user_ids);
    }
    let (channel_names, channel_ids): (Vec<_>, Vec<_>) =
        channel_mentions(state, &command.text).into_iter().unzip();
    if !channel_names.is_empty() {
        fields.insert("channel_mentions", channel_names);
        fields.insert("channel_mentions_ids", channel_ids);
    }
    fields
        .into_iter()
        .flat_map(|(key, values)| values.into_iter().map(move |v| (key.to_string(), v)))
        .collect()
}

/// `@name` mentions of active users, first appearance first (`PossibleAtMentions`: an `@` not
/// preceded by a word character, then a letter or digit, then letters, digits, `.-_:`; trailing
/// punctuation is trimmed until a user matches).
fn user_mentions(state: &State, text: &str) -> Vec<(String, String)> {
    let mut found: Vec<(String, String)> = Vec::new();
    for word in sigil_words(text, '@', |c| {
        c.is_alphanumeric() || matches!(c, '.' | '-' | '_' | ':')
    }) {
        let mut candidate = word.to_lowercase();
        loop {
            if let Some(user) = state.user_by_name(&candidate).filter(|u| u.is_active()) {
                if !found.iter().any(|(name, _)| name == &user.username) {
                    found.push((user.username.clone(), user.id.clone()));
                }
                break;
            }
            match candidate.pop() {
                Some('.' | '-' | '_' | ':') => continue,
                _ => break,
            }
        }
    }
    found
}

/// `~name` mentions of the team's public channels.
fn channel_mentions(state: &State, text: &str) -> Vec<(String, String)> {
    let mut found: Vec<(String, String)> = Vec::new();
    for word in sigil_words(text, '~', |c| {
        c.is_ascii_alphanumeric() || matches!(c, '-' | '_')
    }) {
        let name = word.to_lowercase();
        let channel = state
            .channels
            .values()
            .find(|c| c.channel_type == "O" && c.name == name);
        if let Some(channel) = channel
            && !found.iter().any(|(n, _)| n == &channel.name)
        {
            found.push((channel.name.clone(), channel.id.clone()));
        }
    }
    found
}

/// The words after `sigil` where the sigil starts a word (`\B` before it).
fn sigil_words(text: &str, sigil: char, body: impl Fn(char) -> bool) -> Vec<String> {
    let chars: Vec<char> = text.chars().collect();
    let mut words = Vec::new();
    for (i, c) in chars.iter().enumerate() {
        let starts_word = i == 0 || !(chars[i - 1].is_alphanumeric() || chars[i - 1] == '_');
        if *c != sigil || !starts_word {
            continue;
        }
        let word: String = chars[i + 1..].iter().take_while(|c| body(**c)).collect();
        if word.chars().next().is_some_and(char::is_alphanumeric) {
            words.push(word);
        }
    }
    words
}

/// Sends the request and applies §1.4: status exactly 200; JSON only for `application/json`;
/// invalid or empty JSON fails; other types become ephemeral text; 1 MiB cap.
async fn judge(request: reqwest::RequestBuilder) -> SlashReply {
    let failed = |status: Option<u16>,
                  content_type: Option<String>,
                  raw_body: String,
                  why: String| SlashReply {
        status,
        content_type,
        raw_body,
        response: None,
        failure: Some(why),
        response_url: String::new(),
        hook_id: String::new(),
    };
    let command_failed = format!("Command with a trigger of '/{TRIGGER}' failed.");
    let mut response = match request.send().await {
        Ok(response) => response,
        Err(_) => return failed(None, None, String::new(), command_failed),
    };
    let status = response.status().as_u16();
    let content_type = response
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let mut body = Vec::new();
    loop {
        match response.chunk().await {
            Ok(Some(chunk)) => {
                let room = MAX_INTEGRATION_RESPONSE_BYTES - body.len();
                body.extend_from_slice(&chunk[..chunk.len().min(room)]);
                if body.len() >= MAX_INTEGRATION_RESPONSE_BYTES {
                    break;
                }
            }
            Ok(None) => break,
            Err(_) => return failed(Some(status), content_type, String::new(), command_failed),
        }
    }
    let raw_body = String::from_utf8_lossy(&body).into_owned();
    if status != 200 {
        let why = format!("Command with a trigger of '/{TRIGGER}' returned response {status}.");
        return failed(Some(status), content_type, raw_body, why);
    }
    match parse_command_response(content_type.as_deref().unwrap_or(""), &Bytes::from(body)) {
        Ok(parsed) => SlashReply {
            status: Some(status),
            content_type,
            raw_body,
            response: Some(parsed),
            failure: None,
            response_url: String::new(),
            hook_id: String::new(),
        },
        Err(_) => failed(Some(status), content_type, raw_body, command_failed),
    }
}

/// `model.CommandResponseFromHTTPBody`.
pub(crate) fn parse_command_response(
    content_type: &str,
    body: &Bytes,
) -> Result<CommandResponse, String> {
    let media_type = content_type.split(';').next().unwrap_or("").trim();
    if media_type != "application/json" {
        return Ok(CommandResponse {
            text: String::from_utf8_lossy(body).into_owned(),
            ..CommandResponse::default()
        });
    }
    match serde_json::from_slice::<Value>(body).map_err(|e| e.to_string())? {
        Value::Null => Ok(CommandResponse::default()),
        object @ Value::Object(_) => serde_json::from_value(object).map_err(|e| e.to_string()),
        other => Err(format!("expected a JSON object, got {other}")),
    }
}

/// The deadline Mattermost applies, for building the fake's HTTP client.
pub(crate) fn slash_http_client() -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(SLASH_DEADLINE)
        .connect_timeout(Duration::from_secs(3))
        .build()
        .expect("reqwest client builds")
}
