//! The calls `solar-lottery setup` makes with an admin's token: log in, teams, roles, the bot
//! account, its access token, and the `/lotto` slash command (contract §2.4; permissions in
//! mattermost-openapi `bots.yaml`, `commands.yaml`, `roles.yaml`, `teams.yaml`).

use std::time::Duration;

use reqwest::{Method, StatusCode};
use secrecy::SecretString;
use serde_json::json;

use super::client::{MattermostClient, check_segment};
use super::error::{MattermostError, cap_text};
use super::model::{Bot, NewBot, Role, SlashCommandDef, Team, TeamMember, User, UserAccessToken};

/// Teams per page when listing them all (the server's maximum is 200).
const TEAMS_PER_PAGE: usize = 200;
/// A bound on how many teams setup walks through: far beyond any real site.
const MAX_TEAM_PAGES: usize = 50;

impl MattermostClient {
    /// A client for the calls that need no session (log in, the first account). Such calls send no
    /// `Authorization` header, so the placeholder token below is never used.
    pub fn without_session(base_url: &str, timeout: Duration) -> Result<Self, MattermostError> {
        Self::new(base_url, SecretString::from("none".to_string()), timeout)
    }

    /// `POST /users/login`: the session token is the `Token` response header.
    pub async fn login(
        &self,
        login_id: &str,
        password: &str,
    ) -> Result<SecretString, MattermostError> {
        let url = self.api_url(&["users", "login"]);
        let body = json!({"login_id": login_id, "password": password});
        let response = self
            .call(
                "POST /users/login",
                self.anonymous(Method::POST, url).json(&body),
                StatusCode::OK,
            )
            .await?;
        response
            .headers()
            .get("token")
            .and_then(|v| v.to_str().ok())
            .filter(|t| !t.trim().is_empty())
            .map(|t| SecretString::from(t.trim().to_string()))
            .ok_or_else(|| {
                MattermostError::Decode("the login answer has no Token header".to_string())
            })
    }

    /// `POST /users` without a session: on a server with no accounts yet, Mattermost makes this
    /// first account a system admin; otherwise it needs open sign-up.
    pub async fn create_user(
        &self,
        username: &str,
        email: &str,
        password: &str,
    ) -> Result<User, MattermostError> {
        let url = self.api_url(&["users"]);
        let body = json!({"username": username, "email": email, "password": password});
        self.call_json(
            "POST /users",
            self.anonymous(Method::POST, url).json(&body),
            StatusCode::CREATED,
        )
        .await
    }

    /// `POST /roles/names`: the permissions of these roles (any session may ask).
    pub async fn get_roles_by_names(&self, names: &[String]) -> Result<Vec<Role>, MattermostError> {
        if names.is_empty() {
            return Ok(Vec::new());
        }
        let url = self.api_url(&["roles", "names"]);
        self.call_json(
            "POST /roles/names",
            self.api(Method::POST, url).json(names),
            StatusCode::OK,
        )
        .await
    }

    /// `GET /users/me/teams/members`: the caller's memberships and roles in each team.
    pub async fn get_my_team_members(&self) -> Result<Vec<TeamMember>, MattermostError> {
        let url = self.api_url(&["users", "me", "teams", "members"]);
        self.call_json(
            "GET /users/me/teams/members",
            self.api(Method::GET, url),
            StatusCode::OK,
        )
        .await
    }

    /// `GET /teams`, every page: all teams for a system admin, the open ones for others.
    pub async fn get_all_teams(&self) -> Result<Vec<Team>, MattermostError> {
        let mut teams = Vec::new();
        for page in 0..MAX_TEAM_PAGES {
            let url = self.api_url(&["teams"]);
            let request = self.api(Method::GET, url).query(&[
                ("page", page.to_string()),
                ("per_page", TEAMS_PER_PAGE.to_string()),
            ]);
            let batch: Vec<Team> = self
                .call_json("GET /teams", request, StatusCode::OK)
                .await?;
            let full = batch.len() == TEAMS_PER_PAGE;
            teams.extend(batch);
            if !full {
                break;
            }
        }
        Ok(teams)
    }

    /// `GET /teams/name/{name}`; an unknown (or invisible) team is `NotFound`.
    pub async fn get_team_by_name(&self, name: &str) -> Result<Team, MattermostError> {
        let what = || format!("team named `{}` that you can see", cap_text(name));
        let segment = check_segment(name, "team name")
            .map_err(|_| MattermostError::NotFound { what: what() })?;
        let url = self.api_url(&["teams", "name", segment]);
        self.call_json(
            "GET /teams/name/{name}",
            self.api(Method::GET, url),
            StatusCode::OK,
        )
        .await
        .map_err(|e| match e.status() {
            Some(StatusCode::NOT_FOUND) => MattermostError::NotFound { what: what() },
            _ => e,
        })
    }

    /// `POST /teams`: an open team; the caller becomes its admin.
    pub async fn create_team(
        &self,
        name: &str,
        display_name: &str,
    ) -> Result<Team, MattermostError> {
        let url = self.api_url(&["teams"]);
        let body = json!({"name": name, "display_name": display_name, "type": "O"});
        self.call_json(
            "POST /teams",
            self.api(Method::POST, url).json(&body),
            StatusCode::CREATED,
        )
        .await
    }

    /// `GET /bots/{id}?include_deleted=true`: the bot behind a bot user, disabled or not.
    pub async fn get_bot(&self, user_id: &str) -> Result<Bot, MattermostError> {
        let url = self.api_url(&["bots", check_segment(user_id, "user id")?]);
        let request = self
            .api(Method::GET, url)
            .query(&[("include_deleted", "true")]);
        self.call_json("GET /bots/{id}", request, StatusCode::OK)
            .await
    }

    /// `POST /bots` (needs `create_bot`).
    pub async fn create_bot(&self, bot: &NewBot<'_>) -> Result<Bot, MattermostError> {
        let url = self.api_url(&["bots"]);
        self.call_json(
            "POST /bots",
            self.api(Method::POST, url).json(bot),
            StatusCode::CREATED,
        )
        .await
    }

    /// `POST /bots/{id}/enable`.
    pub async fn enable_bot(&self, user_id: &str) -> Result<Bot, MattermostError> {
        let url = self.api_url(&["bots", check_segment(user_id, "user id")?, "enable"]);
        self.call_json(
            "POST /bots/{id}/enable",
            self.api(Method::POST, url),
            StatusCode::OK,
        )
        .await
    }

    /// `POST /users/{id}/tokens`: a new access token for this user (a bot's, here).
    pub async fn create_user_access_token(
        &self,
        user_id: &str,
        description: &str,
    ) -> Result<UserAccessToken, MattermostError> {
        let url = self.api_url(&["users", check_segment(user_id, "user id")?, "tokens"]);
        self.call_json(
            "POST /users/{id}/tokens",
            self.api(Method::POST, url)
                .json(&json!({"description": description})),
            StatusCode::OK,
        )
        .await
    }

    /// `PUT /users/{id}/roles` (needs `manage_roles`): replaces the user's system roles.
    pub async fn update_user_roles(
        &self,
        user_id: &str,
        roles: &str,
    ) -> Result<(), MattermostError> {
        let url = self.api_url(&["users", check_segment(user_id, "user id")?, "roles"]);
        self.call_unit(
            "PUT /users/{id}/roles",
            self.api(Method::PUT, url).json(&json!({"roles": roles})),
            StatusCode::OK,
        )
        .await
    }

    /// `GET /commands?team_id=…&custom_only=true`: the team's custom slash commands (needs
    /// `manage_slash_commands`; without `manage_others_slash_commands` only one's own).
    pub async fn list_team_commands(
        &self,
        team_id: &str,
    ) -> Result<Vec<SlashCommandDef>, MattermostError> {
        let url = self.api_url(&["commands"]);
        let request = self
            .api(Method::GET, url)
            .query(&[("team_id", team_id), ("custom_only", "true")]);
        self.call_json("GET /commands", request, StatusCode::OK)
            .await
    }

    /// `POST /commands`: the server generates the token.
    pub async fn create_command(
        &self,
        command: &SlashCommandDef,
    ) -> Result<SlashCommandDef, MattermostError> {
        let url = self.api_url(&["commands"]);
        self.call_json(
            "POST /commands",
            self.api(Method::POST, url).json(command),
            StatusCode::CREATED,
        )
        .await
    }

    /// `PUT /commands/{id}`: replaces the definition; the token stays.
    pub async fn update_command(
        &self,
        command: &SlashCommandDef,
    ) -> Result<SlashCommandDef, MattermostError> {
        let url = self.api_url(&["commands", check_segment(&command.id, "command id")?]);
        self.call_json(
            "PUT /commands/{id}",
            self.api(Method::PUT, url).json(command),
            StatusCode::OK,
        )
        .await
    }
}
