//! A person's nickname and picture (profile presets): `PUT /users/{id}/patch` with the nickname
//! only, `GET|POST|DELETE /users/{id}/image`, and re-reading people changed since a time.

use chrono::{DateTime, Utc};
use reqwest::multipart::{Form, Part};
use reqwest::{Method, StatusCode};
use serde::Serialize;

use super::batch::{for_each_chunk, unique};
use super::client::{MattermostClient, check_segment, read_capped};
use super::error::{MattermostError, cap_text};
use super::model::User;
use crate::lottery::UserId;

/// A stored picture is a 128×128 PNG; anything near this size is not one.
const MAX_PICTURE_BYTES: usize = 8 * 1024 * 1024;
const USERS_PER_REQUEST: usize = 1000;

/// The patch body: the nickname and nothing else. `props` in particular is never sent: Mattermost
/// replaces the whole map, which would wipe the person's custom status.
#[derive(Serialize)]
struct NicknamePatch<'a> {
    nickname: &'a str,
}

impl MattermostClient {
    /// Sets a person's nickname (`PUT /users/{id}/patch` with `{"nickname": …}` only).
    pub async fn patch_nickname(
        &self,
        id: &UserId,
        nickname: &str,
    ) -> Result<User, MattermostError> {
        let url = self.api_url(&["users", check_segment(id.as_str(), "user id")?, "patch"]);
        self.call_json(
            "PUT /users/{id}/patch",
            self.api(Method::PUT, url).json(&NicknamePatch { nickname }),
            StatusCode::OK,
        )
        .await
    }

    /// A person's current picture, as Mattermost serves it (`GET /users/{id}/image`).
    pub async fn profile_image(&self, id: &UserId) -> Result<Vec<u8>, MattermostError> {
        let url = self.api_url(&["users", check_segment(id.as_str(), "user id")?, "image"]);
        let response = self
            .call(
                "GET /users/{id}/image",
                self.api(Method::GET, url),
                StatusCode::OK,
            )
            .await?;
        read_capped(response, MAX_PICTURE_BYTES).await
    }

    /// Sets a person's picture (`POST /users/{id}/image`, multipart field `image`).
    pub async fn set_profile_image(
        &self,
        id: &UserId,
        png: Vec<u8>,
    ) -> Result<(), MattermostError> {
        let url = self.api_url(&["users", check_segment(id.as_str(), "user id")?, "image"]);
        let part = Part::bytes(png)
            .file_name("profile.png")
            .mime_str("image/png")
            .map_err(|e| MattermostError::InvalidRequest(cap_text(&e.to_string())))?;
        self.call_unit(
            "POST /users/{id}/image",
            self.api(Method::POST, url)
                .multipart(Form::new().part("image", part)),
            StatusCode::OK,
        )
        .await
    }

    /// Puts back the generated default picture (`DELETE /users/{id}/image`).
    pub async fn reset_profile_image(&self, id: &UserId) -> Result<(), MattermostError> {
        let url = self.api_url(&["users", check_segment(id.as_str(), "user id")?, "image"]);
        self.call_unit(
            "DELETE /users/{id}/image",
            self.api(Method::DELETE, url),
            StatusCode::OK,
        )
        .await
    }

    /// Of these people, those whose profile changed after `since` (`POST /users/ids?since=<ms>`).
    pub async fn users_changed_since(
        &self,
        ids: &[UserId],
        since: DateTime<Utc>,
    ) -> Result<Vec<User>, MattermostError> {
        let ids = unique(ids.iter().map(UserId::as_str));
        let since = since.timestamp_millis().to_string();
        for_each_chunk(&ids, USERS_PER_REQUEST, |chunk| {
            let since = since.clone();
            async move {
                let url = self.api_url(&["users", "ids"]);
                self.call_json(
                    "POST /users/ids?since",
                    self.api(Method::POST, url)
                        .query(&[("since", since)])
                        .json(&chunk),
                    StatusCode::OK,
                )
                .await
            }
        })
        .await
    }
}
