//! Teams, team memberships and custom slash commands (`server/channels/api4/team.go`,
//! `command.go`; `model.Command.IsValid`).

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State as AxumState};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, put};
use serde_json::{Value, json};

use super::faults::RouteKind;
use super::http::{ApiError, Ctx, Reply, parse_json, path_user_id, run_api};
use super::state::{Shared, State, is_valid_id, new_id, now_ms};

/// A team (`model.Team`); every team of the fake is open (type `O`).
#[derive(Debug, Clone)]
pub(crate) struct TeamRecord {
    pub id: String,
    pub name: String,
    pub display_name: String,
    pub create_at: i64,
}

impl TeamRecord {
    pub fn to_json(&self) -> Value {
        json!({
            "id": self.id,
            "create_at": self.create_at,
            "update_at": self.create_at,
            "delete_at": 0,
            "display_name": self.display_name,
            "name": self.name,
            "description": "",
            "email": "",
            "type": "O",
            "company_name": "",
            "allowed_domains": "",
            "invite_id": "",
            "allow_open_invite": true,
            "scheme_id": null,
            "group_constrained": null,
            "policy_id": null,
        })
    }
}

pub(crate) async fn get_teams(AxumState(shared): AxumState<Shared>, ctx: Ctx) -> Response {
    run_api(&shared, RouteKind::GetTeams, &ctx, |state, _| {
        let page: usize = ctx
            .query_param("page")
            .and_then(|p| p.parse().ok())
            .unwrap_or(0);
        let per_page: usize = ctx
            .query_param("per_page")
            .and_then(|p| p.parse().ok())
            .unwrap_or(60)
            .min(200);
        // Every team of the fake is open, so everyone with `list_public_teams` sees them all.
        let teams: Vec<Value> = state
            .teams
            .values()
            .skip(page * per_page)
            .take(per_page)
            .map(TeamRecord::to_json)
            .collect();
        Ok(Reply::ok(Value::Array(teams)))
    })
    .await
}

pub(crate) async fn get_team_by_name(
    AxumState(shared): AxumState<Shared>,
    Path(name): Path<String>,
    ctx: Ctx,
) -> Response {
    run_api(&shared, RouteKind::GetTeamByName, &ctx, |state, _| {
        state
            .teams
            .values()
            .find(|t| t.name == name)
            .map(|t| Reply::ok(t.to_json()))
            .ok_or_else(|| {
                ApiError::new(
                    StatusCode::NOT_FOUND,
                    "app.team.get_by_name.missing.app_error",
                    "Unable to find the existing team.",
                )
            })
    })
    .await
}

pub(crate) async fn create_team(
    AxumState(shared): AxumState<Shared>,
    ctx: Ctx,
    body: Bytes,
) -> Response {
    run_api(&shared, RouteKind::CreateTeam, &ctx, |state, caller| {
        let body: Value = parse_json(&body, || ApiError::invalid_body_param("team"))?;
        state.require(caller, "create_team")?;
        let name = body["name"].as_str().unwrap_or("").to_string();
        let display_name = body["display_name"].as_str().unwrap_or("").to_string();
        let valid = (2..=64).contains(&name.len())
            && name
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_');
        if !valid || display_name.is_empty() {
            return Err(ApiError::new(
                StatusCode::BAD_REQUEST,
                "model.team.is_valid.name.app_error",
                "Invalid name.",
            ));
        }
        if state.teams.values().any(|t| t.name == name) {
            return Err(ApiError::new(
                StatusCode::BAD_REQUEST,
                "app.team.save.existing.app_error",
                "A team with that name already exists.",
            ));
        }
        let team = TeamRecord {
            id: new_id(),
            name,
            display_name,
            create_at: now_ms(),
        };
        state.team_members.insert(
            (team.id.clone(), caller.to_string()),
            "team_user team_admin".into(),
        );
        state.teams.insert(team.id.clone(), team.clone());
        Ok(Reply::Json(StatusCode::CREATED, team.to_json()))
    })
    .await
}

/// `GET /users/{user_id}/teams/members`: one's own memberships (others' need `manage_system`).
pub(crate) async fn get_team_members_for_user(
    AxumState(shared): AxumState<Shared>,
    Path(raw_id): Path<String>,
    ctx: Ctx,
) -> Response {
    run_api(
        &shared,
        RouteKind::GetTeamMembersForUser,
        &ctx,
        |state, caller| {
            let user_id = path_user_id(&raw_id, caller)?;
            if user_id != caller {
                state.require(caller, "manage_system")?;
            }
            let members: Vec<Value> = state
                .team_members
                .iter()
                .filter(|((_, user), _)| *user == user_id)
                .map(|((team, user), roles)| {
                    json!({
                        "team_id": team,
                        "user_id": user,
                        "roles": roles,
                        "delete_at": 0,
                        "scheme_guest": false,
                        "scheme_user": false,
                        "scheme_admin": false,
                        "explicit_roles": "",
                    })
                })
                .collect();
            Ok(Reply::ok(Value::Array(members)))
        },
    )
    .await
}

/// `GET /commands?team_id=…&custom_only=true`.
pub(crate) async fn list_commands(AxumState(shared): AxumState<Shared>, ctx: Ctx) -> Response {
    run_api(&shared, RouteKind::ListCommands, &ctx, |state, caller| {
        let team_id = ctx.query_param("team_id").unwrap_or_default();
        if !is_valid_id(&team_id) {
            return Err(ApiError::invalid_url_param("team_id"));
        }
        if ctx.query_param("custom_only").as_deref() != Some("true") {
            // System commands only for those without the permission; the fake has none to list.
            return Ok(Reply::ok(json!([])));
        }
        state.require_in_team(caller, &team_id, "manage_slash_commands")?;
        let see_others =
            state.has_team_permission(caller, &team_id, "manage_others_slash_commands");
        let commands: Vec<Value> = state
            .commands
            .values()
            .filter(|c| c["team_id"] == team_id.as_str() && c["delete_at"] == 0)
            .filter(|c| see_others || c["creator_id"] == caller)
            .cloned()
            .collect();
        Ok(Reply::ok(Value::Array(commands)))
    })
    .await
}

pub(crate) async fn create_command(
    AxumState(shared): AxumState<Shared>,
    ctx: Ctx,
    body: Bytes,
) -> Response {
    run_api(&shared, RouteKind::CreateCommand, &ctx, |state, caller| {
        let mut command: Value = parse_json(&body, || ApiError::invalid_body_param("command"))?;
        let team_id = command["team_id"].as_str().unwrap_or("").to_string();
        if !state.teams.contains_key(&team_id) {
            return Err(ApiError::invalid_body_param("team_id"));
        }
        state.require_in_team(caller, &team_id, "manage_slash_commands")?;
        let trigger = command["trigger"].as_str().unwrap_or("").to_lowercase();
        if state.commands.values().any(|c| {
            c["team_id"] == team_id.as_str()
                && c["trigger"] == trigger.as_str()
                && c["delete_at"] == 0
        }) {
            return Err(ApiError::new(
                StatusCode::BAD_REQUEST,
                "api.command.duplicate_trigger.app_error",
                "This trigger word is already in use. Please choose another word.",
            ));
        }
        let now = now_ms();
        command["id"] = json!(new_id());
        command["token"] = json!(new_id());
        command["creator_id"] = json!(caller);
        command["trigger"] = json!(trigger);
        command["create_at"] = json!(now);
        command["update_at"] = json!(now);
        command["delete_at"] = json!(0);
        validate_command(&command)?;
        let id = command["id"].as_str().unwrap_or_default().to_string();
        state.commands.insert(id, command.clone());
        Ok(Reply::Json(StatusCode::CREATED, command))
    })
    .await
}

pub(crate) async fn update_command(
    AxumState(shared): AxumState<Shared>,
    Path(command_id): Path<String>,
    ctx: Ctx,
    body: Bytes,
) -> Response {
    run_api(&shared, RouteKind::UpdateCommand, &ctx, |state, caller| {
        let mut command: Value = parse_json(&body, || ApiError::invalid_body_param("command"))?;
        if command["id"] != command_id.as_str() {
            return Err(ApiError::invalid_body_param("command_id"));
        }
        let Some(old) = state
            .commands
            .get(&command_id)
            .filter(|c| c["delete_at"] == 0)
            .cloned()
        else {
            return Err(ApiError::new(
                StatusCode::NOT_FOUND,
                "app.command.getbyid.missing",
                "Unable to find the command.",
            ));
        };
        let team_id = old["team_id"].as_str().unwrap_or_default();
        state.require_in_team(caller, team_id, "manage_slash_commands")?;
        if old["creator_id"] != caller {
            state.require_in_team(caller, team_id, "manage_others_slash_commands")?;
        }
        if command["team_id"] != old["team_id"] {
            return Err(ApiError::new(
                StatusCode::BAD_REQUEST,
                "api.command.team_mismatch.app_error",
                "Unable to update commands across teams.",
            ));
        }
        // `UpdateCommand` keeps what the client may not change.
        for key in ["token", "creator_id", "create_at", "delete_at"] {
            command[key] = old[key].clone();
        }
        command["trigger"] = json!(command["trigger"].as_str().unwrap_or("").to_lowercase());
        command["update_at"] = json!(now_ms());
        validate_command(&command)?;
        state.commands.insert(command_id.clone(), command.clone());
        Ok(Reply::ok(command))
    })
    .await
}

/// `model.Command.IsValid`: the checks a create or update must pass.
fn validate_command(command: &Value) -> Result<(), ApiError> {
    let text = |key: &str| command[key].as_str().unwrap_or("").to_string();
    let invalid =
        |what: &'static str| ApiError::new(StatusCode::BAD_REQUEST, what, "Invalid command.");
    let trigger = text("trigger");
    if trigger.is_empty()
        || trigger.len() > 128
        || trigger.starts_with('/')
        || trigger.contains(' ')
    {
        return Err(invalid("model.command.is_valid.trigger.app_error"));
    }
    let url = text("url");
    let scheme_ok = url.starts_with("http://") || url.starts_with("https://");
    if !scheme_ok || url.len() > 1024 {
        return Err(invalid("model.command.is_valid.url_http.app_error"));
    }
    if !matches!(text("method").as_str(), "P" | "G") {
        return Err(invalid("model.command.is_valid.method.app_error"));
    }
    if text("display_name").chars().count() > 64 {
        return Err(invalid("model.command.is_valid.display_name.app_error"));
    }
    if text("description").chars().count() > 128 {
        return Err(invalid("model.command.is_valid.description.app_error"));
    }
    Ok(())
}

impl State {
    /// The live custom command with this trigger in this team.
    pub fn command_for(&self, team_id: &str, trigger: &str) -> Option<&Value> {
        self.commands
            .values()
            .find(|c| c["team_id"] == team_id && c["trigger"] == trigger && c["delete_at"] == 0)
    }
}

/// The routes of this file.
pub(crate) fn routes() -> Router<Shared> {
    Router::new()
        .route(
            "/api/v4/users/{user_id}/teams/members",
            get(get_team_members_for_user),
        )
        .route("/api/v4/teams", get(get_teams).post(create_team))
        .route("/api/v4/teams/name/{name}", get(get_team_by_name))
        .route("/api/v4/commands", get(list_commands).post(create_command))
        .route("/api/v4/commands/{command_id}", put(update_command))
}
