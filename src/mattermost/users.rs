//! User lookups: who the bot is, and resolving people by id or `@name`.

use reqwest::{Method, StatusCode};

use super::batch::{for_each_chunk, unique};
use super::client::{MattermostClient, check_segment};
use super::error::MattermostError;
use super::model::User;
use crate::lottery::UserId;

/// How many names or ids go into one lookup request.
const USERS_PER_REQUEST: usize = 1000;

impl MattermostClient {
    /// The bot's own account (`GET /users/me`); also the cheapest way to check the token works.
    pub async fn get_me(&self) -> Result<User, MattermostError> {
        let url = self.api_url(&["users", "me"]);
        self.call_json("GET /users/me", self.api(Method::GET, url), StatusCode::OK)
            .await
    }

    /// One user by id. An unknown id is `NotFound`.
    pub async fn get_user(&self, id: &UserId) -> Result<User, MattermostError> {
        let what = || format!("user with id `{id}`");
        let segment = check_segment(id.as_str(), "user id")
            .map_err(|_| MattermostError::NotFound { what: what() })?;
        let url = self.api_url(&["users", segment]);
        self.call_json(
            "GET /users/{id}",
            self.api(Method::GET, url),
            StatusCode::OK,
        )
        .await
        .map_err(|e| not_found_as(e, what))
    }

    /// One user by username (a leading `@` is ignored). An unknown name is `NotFound`.
    pub async fn get_user_by_username(&self, username: &str) -> Result<User, MattermostError> {
        let username = username.strip_prefix('@').unwrap_or(username);
        let what = || format!("user @{}", super::error::cap_text(username));
        let segment = check_segment(username, "username")
            .map_err(|_| MattermostError::NotFound { what: what() })?;
        let url = self.api_url(&["users", "username", segment]);
        self.call_json(
            "GET /users/username/{name}",
            self.api(Method::GET, url),
            StatusCode::OK,
        )
        .await
        .map_err(|e| not_found_as(e, what))
    }

    /// Users by username (a leading `@` is ignored). Unknown names are silently left out (the server does that), so compare
    /// the result with the input to find them. Order is not guaranteed.
    pub async fn get_users_by_usernames(
        &self,
        usernames: &[String],
    ) -> Result<Vec<User>, MattermostError> {
        let names = unique(usernames.iter().map(|n| n.strip_prefix('@').unwrap_or(n)));
        for_each_chunk(&names, USERS_PER_REQUEST, |chunk| async move {
            let url = self.api_url(&["users", "usernames"]);
            self.call_json(
                "POST /users/usernames",
                self.api(Method::POST, url).json(&chunk),
                StatusCode::OK,
            )
            .await
        })
        .await
    }

    /// Users by id; unknown ids are left out. Order is not guaranteed.
    pub async fn get_users_by_ids(&self, ids: &[UserId]) -> Result<Vec<User>, MattermostError> {
        let ids = unique(ids.iter().map(UserId::as_str));
        for_each_chunk(&ids, USERS_PER_REQUEST, |chunk| async move {
            let url = self.api_url(&["users", "ids"]);
            self.call_json(
                "POST /users/ids",
                self.api(Method::POST, url).json(&chunk),
                StatusCode::OK,
            )
            .await
        })
        .await
    }
}

/// A 404 on a single lookup means "no such user", whatever the server's error id.
fn not_found_as(error: MattermostError, what: impl FnOnce() -> String) -> MattermostError {
    if error.status() == Some(StatusCode::NOT_FOUND) {
        MattermostError::NotFound { what: what() }
    } else {
        error
    }
}
