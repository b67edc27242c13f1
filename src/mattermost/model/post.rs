//! Posts (`model.Post`) and the request body the bot sends to create one.

use serde::{Deserialize, Serialize};

use super::ids::{ChannelId, PostId};
use super::lenient::null_as_default;
use crate::lottery::UserId;

/// Mattermost refuses longer messages (`PostMessageMaxRunesV2`).
pub const MAX_POST_MESSAGE_CHARS: usize = 16_383;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Post {
    pub id: PostId,
    pub channel_id: ChannelId,
    pub user_id: UserId,
    #[serde(default, deserialize_with = "null_as_default")]
    pub root_id: String,
    #[serde(default, deserialize_with = "null_as_default")]
    pub message: String,
    #[serde(default, rename = "type", deserialize_with = "null_as_default")]
    pub post_type: String,
    #[serde(default, deserialize_with = "null_as_default")]
    pub props: serde_json::Map<String, serde_json::Value>,
    /// The idempotency key the post was created with, echoed back.
    #[serde(default, deserialize_with = "null_as_default")]
    pub pending_post_id: String,
    #[serde(default, deserialize_with = "null_as_default")]
    pub create_at: i64,
    #[serde(default, deserialize_with = "null_as_default")]
    pub update_at: i64,
    #[serde(default, deserialize_with = "null_as_default")]
    pub edit_at: i64,
    #[serde(default, deserialize_with = "null_as_default")]
    pub delete_at: i64,
}

/// `GET /channels/{id}/posts`: posts by id, and `order` (newest first) which breaks ties between
/// posts made in the same millisecond.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
pub(crate) struct PostList {
    #[serde(default, deserialize_with = "null_as_default")]
    pub order: Vec<PostId>,
    #[serde(default, deserialize_with = "null_as_default")]
    pub posts: std::collections::HashMap<String, Post>,
}

impl PostList {
    /// The posts oldest first: the server's `order` reversed, then any post it left out of `order`
    /// by `create_at`.
    pub(crate) fn into_chronological(mut self) -> Vec<Post> {
        let mut ordered: Vec<Post> = self
            .order
            .iter()
            .rev()
            .filter_map(|id| self.posts.remove(id.as_str()))
            .collect();
        let mut rest: Vec<Post> = self.posts.into_values().collect();
        rest.sort_by(|a, b| (a.create_at, &a.id).cmp(&(b.create_at, &b.id)));
        ordered.extend(rest);
        ordered
    }
}

/// The body of `POST /api/v4/posts`. The server sets `user_id` to the bot itself.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NewPost {
    pub channel_id: ChannelId,
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub root_id: Option<PostId>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub props: Option<serde_json::Value>,
    /// Idempotency key: the server answers a repeat within its de-duplication window (30 s, in
    /// memory on one node) with the first post instead of creating another.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pending_post_id: Option<String>,
    /// Files uploaded before (`POST /files`) to attach; at most 10.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub file_ids: Vec<String>,
}

impl NewPost {
    pub fn new(channel_id: ChannelId, message: impl Into<String>) -> Self {
        Self {
            channel_id,
            message: message.into(),
            root_id: None,
            props: None,
            pending_post_id: None,
            file_ids: Vec::new(),
        }
    }

    pub fn with_pending_post_id(mut self, key: impl Into<String>) -> Self {
        self.pending_post_id = Some(key.into());
        self
    }

    pub fn with_file_ids(mut self, ids: Vec<String>) -> Self {
        self.file_ids = ids;
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn post_lists_follow_the_servers_order_then_creation_time() {
        let list: PostList = serde_json::from_str(
            r#"{"order":["b","a"],"posts":{
                "a":{"id":"a","channel_id":"c","user_id":"u","message":"first","create_at":5},
                "b":{"id":"b","channel_id":"c","user_id":"u","message":"second","create_at":5},
                "z":{"id":"z","channel_id":"c","user_id":"u","message":"unlisted","create_at":1}}}"#,
        )
        .unwrap();
        let messages: Vec<String> = list
            .into_chronological()
            .into_iter()
            .map(|p| p.message)
            .collect();
        assert_eq!(messages, ["first", "second", "unlisted"]);
        let empty: PostList = serde_json::from_str(r#"{"order":null,"posts":null}"#).unwrap();
        assert!(empty.into_chronological().is_empty());
    }

    #[test]
    fn optional_fields_are_left_out_of_the_request() {
        let json = serde_json::to_value(NewPost::new(ChannelId::new("c"), "hi")).unwrap();
        assert_eq!(json, serde_json::json!({"channel_id":"c","message":"hi"}));
        let json =
            serde_json::to_value(NewPost::new(ChannelId::new("c"), "hi").with_pending_post_id("k"))
                .unwrap();
        assert_eq!(json["pending_post_id"], "k");
    }
}
