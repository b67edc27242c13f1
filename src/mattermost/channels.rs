//! Channels and emoji the bot checks before it promises to use them: a channel by name in a team,
//! whether the bot is a member of it (so it can post there), and a custom emoji by name.
//! Each answers `Ok(None)` for "no such thing the bot can see" (404, or 403 for what it may not see),
//! so callers can tell the user instead of failing.

use reqwest::{Method, StatusCode};

use super::client::{MattermostClient, check_segment};
use super::error::MattermostError;
use super::model::Channel;
use crate::lottery::UserId;

impl MattermostClient {
    /// `GET /teams/{team_id}/channels/name/{name}?include_deleted=true`: a public channel of the
    /// team, or a private one the bot may read, archived or not. Unknown or hidden channels are
    /// `None` (the server answers 404 for both).
    pub async fn get_channel_by_name(
        &self,
        team_id: &str,
        name: &str,
    ) -> Result<Option<Channel>, MattermostError> {
        let mut url = self.api_url(&[
            "teams",
            check_segment(team_id, "team id")?,
            "channels",
            "name",
            check_segment(name, "channel name")?,
        ]);
        // Archived channels too, so the caller can say why it can't be used.
        url.set_query(Some("include_deleted=true"));
        let answer = self
            .call_json(
                "GET /teams/{id}/channels/name/{name}",
                self.api(Method::GET, url),
                StatusCode::OK,
            )
            .await;
        none_if_hidden(answer)
    }

    /// Whether `user` is a member of the channel (`GET /channels/{id}/members/{user_id}`).
    pub async fn is_channel_member(
        &self,
        channel_id: &str,
        user: &UserId,
    ) -> Result<bool, MattermostError> {
        let url = self.api_url(&[
            "channels",
            check_segment(channel_id, "channel id")?,
            "members",
            check_segment(user.as_str(), "user id")?,
        ]);
        let answer: Result<serde_json::Value, _> = self
            .call_json(
                "GET /channels/{id}/members/{user_id}",
                self.api(Method::GET, url),
                StatusCode::OK,
            )
            .await;
        Ok(none_if_hidden(answer)?.is_some())
    }

    /// Whether Mattermost has a custom emoji with this name (`GET /emoji/name/{name}`). System
    /// emoji are not served by this route; with custom emoji turned off (501) there are none.
    pub async fn custom_emoji_exists(&self, name: &str) -> Result<bool, MattermostError> {
        let url = self.api_url(&["emoji", "name", check_segment(name, "emoji name")?]);
        let answer: Result<serde_json::Value, _> = self
            .call_json(
                "GET /emoji/name/{name}",
                self.api(Method::GET, url),
                StatusCode::OK,
            )
            .await;
        match answer {
            Err(e) if e.status() == Some(StatusCode::NOT_IMPLEMENTED) => Ok(false),
            other => Ok(none_if_hidden(other)?.is_some()),
        }
    }
}

fn none_if_hidden<T>(answer: Result<T, MattermostError>) -> Result<Option<T>, MattermostError> {
    match answer {
        Ok(v) => Ok(Some(v)),
        Err(e)
            if matches!(
                e.status(),
                Some(StatusCode::NOT_FOUND | StatusCode::FORBIDDEN)
            ) =>
        {
            Ok(None)
        }
        Err(e) => Err(e),
    }
}
