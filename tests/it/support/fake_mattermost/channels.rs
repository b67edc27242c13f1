//! Channels by name, channel membership and emoji by name (`api4/channel.go` `getChannelByName`,
//! `getChannelMember`; `api4/emoji.go` `getEmojiByName`), and the test-side helpers to set them up.

use axum::extract::{Path, State as AxumState};
use axum::http::StatusCode;
use axum::response::Response;
use serde_json::json;

use super::FakeMattermost;
use super::faults::RouteKind;
use super::http::{ApiError, Ctx, Reply, path_user_id, run_api};
use super::state::{ChannelRecord, Shared, State, is_valid_id, lock, new_id, now_ms};

fn channel_missing() -> ApiError {
    ApiError::new(
        StatusCode::NOT_FOUND,
        "app.channel.get_by_name.missing.app_error",
        "Channel does not exist.",
    )
}

/// Whether `user` may read the channel: every team member a public one (the fake has one team,
/// everyone is in it), members (or system admins) a private one.
fn can_read(state: &State, user: &str, channel: &ChannelRecord) -> bool {
    channel.channel_type == "O" || channel.members.iter().any(|m| m == user) || state.is_admin(user)
}

/// `GET /teams/{team_id}/channels/name/{name}`: archived channels only with `include_deleted`;
/// a private channel the caller may not read is 404, as if it did not exist.
pub(crate) async fn get_channel_by_name(
    AxumState(shared): AxumState<Shared>,
    Path((team_id, name)): Path<(String, String)>,
    ctx: Ctx,
) -> Response {
    let include_deleted = ctx.query_param("include_deleted").as_deref() == Some("true");
    run_api(
        &shared,
        RouteKind::GetChannelByName,
        &ctx,
        |state, caller| {
            if !is_valid_id(&team_id) {
                return Err(ApiError::invalid_url_param("team_id"));
            }
            if team_id != state.team_id {
                return Err(ApiError::permissions("read_public_channel"));
            }
            let channel = state
                .channels
                .values()
                .find(|c| c.team_id == team_id && c.name == name)
                .filter(|c| include_deleted || c.delete_at == 0)
                .filter(|c| can_read(state, caller, c))
                .ok_or_else(channel_missing)?;
            Ok(Reply::ok(channel.to_json()))
        },
    )
    .await
}

/// `GET /channels/{id}/members/{user_id}`: 200 `ChannelMember`, 404 when not a member.
pub(crate) async fn get_channel_member(
    AxumState(shared): AxumState<Shared>,
    Path((channel_id, raw_user)): Path<(String, String)>,
    ctx: Ctx,
) -> Response {
    run_api(
        &shared,
        RouteKind::GetChannelMember,
        &ctx,
        |state, caller| {
            if !is_valid_id(&channel_id) {
                return Err(ApiError::invalid_url_param("channel_id"));
            }
            let user = path_user_id(&raw_user, caller)?;
            let channel = state
                .channels
                .get(&channel_id)
                .filter(|c| can_read(state, caller, c))
                .ok_or_else(|| ApiError::permissions("read_channel"))?;
            if !channel.members.contains(&user) {
                return Err(ApiError::new(
                    StatusCode::NOT_FOUND,
                    "app.channel.get_member.missing.app_error",
                    "No channel member found for that user ID and channel ID.",
                ));
            }
            Ok(Reply::ok(json!({
                "channel_id": channel_id,
                "user_id": user,
                "roles": "channel_user",
                "last_viewed_at": 0,
                "msg_count": 0,
                "mention_count": 0,
                "notify_props": {"desktop": "default", "mark_unread": "all"},
                "last_update_at": channel.create_at,
                "scheme_user": true,
                "scheme_admin": false,
            })))
        },
    )
    .await
}

/// `GET /emoji/name/{name}`: custom emoji only (system emoji are not served here); 501 when
/// custom emoji are off.
pub(crate) async fn get_emoji_by_name(
    AxumState(shared): AxumState<Shared>,
    Path(name): Path<String>,
    ctx: Ctx,
) -> Response {
    run_api(&shared, RouteKind::GetEmojiByName, &ctx, |state, _| {
        if !state.custom_emoji_enabled {
            return Err(ApiError::new(
                StatusCode::NOT_IMPLEMENTED,
                "api.emoji.disabled.app_error",
                "Custom emoji have been disabled by the system admin.",
            ));
        }
        if !state.custom_emoji.contains(&name) {
            return Err(ApiError::new(
                StatusCode::NOT_FOUND,
                "app.emoji.get_by_name.no_result",
                "Unable to find the emoji.",
            ));
        }
        Ok(Reply::ok(json!({
            "id": new_id(),
            "creator_id": state.bot_id,
            "name": name,
            "create_at": 0,
            "update_at": 0,
            "delete_at": 0,
        })))
    })
    .await
}

impl FakeMattermost {
    /// Adds a channel to the team: `private` ones are visible to their members (and admins) only.
    pub fn add_channel(&self, name: &str, private: bool, members: &[&str]) -> String {
        let mut state = lock(&self.shared);
        let members = members
            .iter()
            .map(|m| {
                if *m == "solar-lottery" {
                    state.bot_id.clone()
                } else {
                    state
                        .user_by_name(m)
                        .unwrap_or_else(|| panic!("the fake has no user @{m}"))
                        .id
                        .clone()
                }
            })
            .collect();
        let channel = ChannelRecord {
            id: new_id(),
            channel_type: if private { "P" } else { "O" },
            name: name.into(),
            display_name: name.into(),
            team_id: state.team_id.clone(),
            creator_id: state.bot_id.clone(),
            members,
            create_at: now_ms(),
            delete_at: 0,
        };
        let id = channel.id.clone();
        state.channels.insert(id.clone(), channel);
        id
    }

    /// Archives a channel.
    pub fn archive_channel(&self, name: &str) {
        let mut state = lock(&self.shared);
        if let Some(c) = state.channels.values_mut().find(|c| c.name == name) {
            c.delete_at = now_ms();
        }
    }

    /// Adds a custom emoji.
    pub fn add_custom_emoji(&self, name: &str) {
        lock(&self.shared).custom_emoji.insert(name.to_string());
    }

    /// The bot's posts in a channel of the team, oldest first.
    pub fn channel_posts(&self, name: &str) -> Vec<String> {
        let state = lock(&self.shared);
        let Some(channel) = state
            .channels
            .values()
            .find(|c| c.name == name && c.channel_type != "D")
        else {
            return Vec::new();
        };
        state
            .posts
            .iter()
            .filter(|p| p.channel_id == channel.id && p.user_id == state.bot_id)
            .map(|p| p.message.clone())
            .collect()
    }
}
