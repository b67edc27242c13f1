//! Roles and permissions as a default Mattermost install has them (`server/public/model/role.go`,
//! the parts the bot and `setup` touch), and the checks the handlers make: system permissions from
//! the user's system roles; team permissions from those or the user's roles in that team
//! (`SessionHasPermissionTo`, `SessionHasPermissionToTeam`).

use axum::body::Bytes;
use axum::extract::State as AxumState;
use axum::response::Response;
use serde_json::{Value, json};

use super::faults::RouteKind;
use super::http::{ApiError, Ctx, Reply, parse_json, run_api};
use super::state::{Shared, State};

const SYSTEM_USER: &[&str] = &[
    "create_direct_channel",
    "create_group_channel",
    "create_team",
    "list_public_teams",
    "join_public_teams",
    "view_members",
    "create_emojis",
];

const TEAM_USER: &[&str] = &[
    "view_team",
    "list_team_channels",
    "join_public_channels",
    "read_public_channel",
    "create_public_channel",
    "create_private_channel",
    "invite_user",
    "add_user_to_team",
    "use_slash_commands",
];

const TEAM_ADMIN: &[&str] = &[
    "manage_team",
    "remove_user_from_team",
    "manage_team_roles",
    "manage_slash_commands",
    "manage_others_slash_commands",
    "manage_incoming_webhooks",
    "manage_outgoing_webhooks",
];

/// What only system admins have by default, beyond everything above.
const SYSTEM_ADMIN_ONLY: &[&str] = &[
    "manage_system",
    "manage_roles",
    "edit_other_users",
    "create_bot",
    "read_bots",
    "read_others_bots",
    "manage_bots",
    "manage_others_bots",
    "create_user_access_token",
    "read_user_access_token",
    "revoke_user_access_token",
    "create_post_ephemeral",
    "list_private_teams",
];

/// The permissions of a role; `None` for a role the server does not have.
pub(crate) fn permissions_of(role: &str) -> Option<Vec<&'static str>> {
    Some(match role {
        "system_user" => SYSTEM_USER.to_vec(),
        "team_user" => TEAM_USER.to_vec(),
        "team_admin" => TEAM_ADMIN.to_vec(),
        "system_admin" => [SYSTEM_USER, TEAM_USER, TEAM_ADMIN, SYSTEM_ADMIN_ONLY].concat(),
        _ => return None,
    })
}

/// The roles `PUT /users/{id}/roles` accepts (system-scoped ones).
pub(crate) fn is_system_role(role: &str) -> bool {
    matches!(role, "system_user" | "system_admin")
}

fn roles_grant(roles: &str, permission: &str) -> bool {
    roles
        .split_whitespace()
        .filter_map(permissions_of)
        .any(|perms| perms.contains(&permission))
}

impl State {
    pub fn has_permission(&self, user_id: &str, permission: &str) -> bool {
        self.users
            .get(user_id)
            .is_some_and(|u| roles_grant(&u.roles, permission))
    }

    pub fn has_team_permission(&self, user_id: &str, team_id: &str, permission: &str) -> bool {
        self.has_permission(user_id, permission)
            || self
                .team_members
                .get(&(team_id.to_string(), user_id.to_string()))
                .is_some_and(|roles| roles_grant(roles, permission))
    }

    /// `Err(403 permission)` unless the user has it system-wide.
    pub fn require(&self, user_id: &str, permission: &str) -> Result<(), ApiError> {
        if self.has_permission(user_id, permission) {
            Ok(())
        } else {
            Err(ApiError::permissions(permission))
        }
    }

    pub fn require_in_team(
        &self,
        user_id: &str,
        team_id: &str,
        permission: &str,
    ) -> Result<(), ApiError> {
        if self.has_team_permission(user_id, team_id, permission) {
            Ok(())
        } else {
            Err(ApiError::permissions(permission))
        }
    }
}

/// `POST /roles/names`: the roles found (unknown names are left out); any session may ask.
pub(crate) async fn get_roles_by_names(
    AxumState(shared): AxumState<Shared>,
    ctx: Ctx,
    body: Bytes,
) -> Response {
    run_api(&shared, RouteKind::GetRolesByNames, &ctx, |_, _| {
        let names: Vec<String> = parse_json(&body, ApiError::payload_parse)?;
        if names.is_empty() {
            return Err(ApiError::invalid_body_param("rolenames"));
        }
        let roles: Vec<Value> = names
            .iter()
            .filter_map(|name| {
                permissions_of(name).map(|perms| {
                    json!({
                        "id": format!("role{name}"),
                        "name": name,
                        "display_name": format!("authentication.roles.{name}.name"),
                        "description": "",
                        "create_at": 0,
                        "update_at": 0,
                        "delete_at": 0,
                        "permissions": perms,
                        "scheme_managed": true,
                        "built_in": true,
                    })
                })
            })
            .collect();
        Ok(Reply::ok(Value::Array(roles)))
    })
    .await
}
