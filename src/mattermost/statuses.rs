//! Presence: reading everyone's status, and setting status and custom status for a user.
//!
//! Setting someone else's status needs the bot to hold `system_admin` (or `edit_other_users`);
//! otherwise Mattermost answers 403 `api.context.permissions.app_error`.

use reqwest::{Method, StatusCode};
use serde::Serialize;

use super::batch::{for_each_chunk, unique};
use super::client::{MattermostClient, check_segment};
use super::error::MattermostError;
use super::model::{CustomStatus, Status, StatusKind};
use crate::lottery::UserId;

/// Ids per `POST /users/status/ids` request.
const STATUSES_PER_REQUEST: usize = 1000;

#[derive(Serialize)]
struct StatusUpdate<'a> {
    user_id: &'a str,
    status: StatusKind,
    #[serde(skip_serializing_if = "Option::is_none")]
    dnd_end_time: Option<i64>,
}

impl MattermostClient {
    /// Statuses of many users, in any order. Users without a stored status come back `offline`.
    /// Large lists are split into chunks sent a few at a time.
    pub async fn get_statuses_by_ids(
        &self,
        ids: &[UserId],
    ) -> Result<Vec<Status>, MattermostError> {
        let ids = unique(ids.iter().map(UserId::as_str));
        // The server refuses the whole list for one malformed id; say which one instead.
        if let Some(bad) = ids.iter().find(|id| !is_mattermost_id(id)) {
            return Err(MattermostError::InvalidRequest(format!(
                "`{}` is not a Mattermost user id (26 letters and digits).",
                super::error::cap_text(bad)
            )));
        }
        for_each_chunk(&ids, STATUSES_PER_REQUEST, |chunk| async move {
            let url = self.api_url(&["users", "status", "ids"]);
            self.call_json(
                "POST /users/status/ids",
                self.api(Method::POST, url).json(&chunk),
                StatusCode::OK,
            )
            .await
        })
        .await
    }

    pub async fn get_status(&self, id: &UserId) -> Result<Status, MattermostError> {
        let url = self.api_url(&["users", check_segment(id.as_str(), "user id")?, "status"]);
        self.call_json(
            "GET /users/{id}/status",
            self.api(Method::GET, url),
            StatusCode::OK,
        )
        .await
    }

    /// Sets a user's status. `dnd_end_time` (epoch seconds) only matters for `Dnd`: the server rounds
    /// it down to the minute and restores the previous status by itself when it passes.
    /// Returns the status as stored afterwards.
    pub async fn update_status(
        &self,
        id: &UserId,
        status: StatusKind,
        dnd_end_time: Option<i64>,
    ) -> Result<Status, MattermostError> {
        if dnd_end_time.is_some_and(|t| t < 0) {
            return Err(MattermostError::InvalidRequest(
                "A Do Not Disturb end time cannot be before 1970.".to_string(),
            ));
        }
        let url = self.api_url(&["users", check_segment(id.as_str(), "user id")?, "status"]);
        let body = StatusUpdate {
            user_id: id.as_str(),
            status,
            dnd_end_time,
        };
        self.call_json(
            "PUT /users/{id}/status",
            self.api(Method::PUT, url).json(&body),
            StatusCode::OK,
        )
        .await
    }

    /// Sets a user's custom status. At least one of emoji or text must be set, and `expires_at`
    /// must not be in the past (the server checks both and answers 400).
    pub async fn update_custom_status(
        &self,
        id: &UserId,
        custom_status: &CustomStatus,
    ) -> Result<(), MattermostError> {
        if custom_status.emoji.is_empty() && custom_status.text.is_empty() {
            return Err(MattermostError::InvalidRequest(
                "A custom status needs an emoji or a text.".to_string(),
            ));
        }
        let segment = check_segment(id.as_str(), "user id")?;
        let url = self.api_url(&["users", segment, "status", "custom"]);
        self.call_unit(
            "PUT /users/{id}/status/custom",
            self.api(Method::PUT, url).json(custom_status),
            StatusCode::OK,
        )
        .await
    }

    pub async fn clear_custom_status(&self, id: &UserId) -> Result<(), MattermostError> {
        let segment = check_segment(id.as_str(), "user id")?;
        let url = self.api_url(&["users", segment, "status", "custom"]);
        self.call_unit(
            "DELETE /users/{id}/status/custom",
            self.api(Method::DELETE, url),
            StatusCode::OK,
        )
        .await
    }
}

/// Mattermost's `IsValidId`: 26 lowercase letters and digits.
fn is_mattermost_id(id: &str) -> bool {
    id.len() == 26
        && id
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
}
