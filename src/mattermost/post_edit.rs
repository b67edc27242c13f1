//! Editing the bot's own posts: an invitation with buttons that was taken elsewhere says so.

use reqwest::{Method, StatusCode};
use serde_json::{Map, Value};

use super::client::{MattermostClient, check_segment};
use super::error::MattermostError;
use super::model::Post;

impl MattermostClient {
    /// `PUT /posts/{id}/patch` with `message` and `props`: the post's text and props are replaced
    /// (the buttons of an answered invitation go away with its old props). Repeating it is harmless.
    pub async fn patch_post(
        &self,
        post_id: &str,
        message: &str,
        props: &Map<String, Value>,
    ) -> Result<Post, MattermostError> {
        let segment = check_segment(post_id, "post id")?;
        let url = self.api_url(&["posts", segment, "patch"]);
        let body = serde_json::json!({ "message": message, "props": props });
        self.call_json(
            "PUT /posts/{id}/patch",
            self.api(Method::PUT, url).json(&body),
            StatusCode::OK,
        )
        .await
    }
}
