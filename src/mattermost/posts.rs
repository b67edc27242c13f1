//! Sending messages: DM channels, posts, and delayed slash-command replies.

use reqwest::{Method, StatusCode, Url};

use super::client::{MattermostClient, check_segment};
use super::error::MattermostError;
use super::model::{
    Channel, ChannelId, CommandResponse, MAX_POST_MESSAGE_CHARS, NewPost, Post, PostList,
};
use crate::lottery::UserId;

impl MattermostClient {
    /// The DM channel between two users (normally the bot and someone). Idempotent on the server:
    /// the same channel comes back every time, so there is no need to cache it for correctness.
    pub async fn create_direct_channel(
        &self,
        bot_id: &UserId,
        user_id: &UserId,
    ) -> Result<Channel, MattermostError> {
        let url = self.api_url(&["channels", "direct"]);
        let body = [bot_id.as_str(), user_id.as_str()];
        self.call_json(
            "POST /channels/direct",
            self.api(Method::POST, url).json(&body),
            StatusCode::CREATED,
        )
        .await
    }

    /// Creates a post as the bot, without marking the bot online (`set_online=false`).
    /// Give `pending_post_id` an idempotency key so a retry after a lost answer does not post twice.
    pub async fn create_post(&self, post: &NewPost) -> Result<Post, MattermostError> {
        let length = post.message.chars().count();
        if length > MAX_POST_MESSAGE_CHARS {
            return Err(MattermostError::InvalidRequest(format!(
                "The message is {length} characters long; Mattermost accepts at most {MAX_POST_MESSAGE_CHARS}."
            )));
        }
        let url = self.api_url(&["posts"]);
        let request = self
            .api(Method::POST, url)
            .query(&[("set_online", "false")])
            .json(post);
        self.call_json("POST /posts", request, StatusCode::CREATED)
            .await
    }

    /// Posts in a channel created, edited or deleted after `since_ms` (epoch milliseconds), oldest
    /// first. Deleted posts are included (`delete_at > 0`). The server does not store
    /// `pending_post_id`, so to find "did my earlier attempt arrive?" after its 30-second
    /// de-duplication window, put the idempotency key in the post's `props` and look for it here.
    pub async fn get_posts_since(
        &self,
        channel_id: &ChannelId,
        since_ms: i64,
    ) -> Result<Vec<Post>, MattermostError> {
        let segment = check_segment(channel_id.as_str(), "channel id")?;
        let url = self.api_url(&["channels", segment, "posts"]);
        let since = since_ms.max(0).to_string();
        let request = self
            .api(Method::GET, url)
            .query(&[("since", since.as_str())]);
        let list: PostList = self
            .call_json("GET /channels/{id}/posts", request, StatusCode::OK)
            .await?;
        Ok(list.into_chronological())
    }

    /// Sends a delayed reply to a slash command's `response_url`. No credentials are sent: the URL
    /// itself is the capability (up to 5 uses within 30 minutes).
    pub async fn post_response_url(
        &self,
        response_url: &str,
        response: &CommandResponse,
    ) -> Result<(), MattermostError> {
        let url = Url::parse(response_url)
            .ok()
            .filter(|u| matches!(u.scheme(), "http" | "https") && u.host_str().is_some())
            .ok_or_else(|| {
                MattermostError::InvalidRequest(
                    "The command's response_url is not an http(s) address, so the reply cannot be delivered."
                        .to_string(),
                )
            })?;
        self.call_unit(
            "POST <response_url>",
            self.anonymous(Method::POST, url).json(response),
            StatusCode::OK,
        )
        .await
    }
}
