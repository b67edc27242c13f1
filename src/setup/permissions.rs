//! What the admin's session may do, read up front so setup can refuse before changing anything.
//!
//! Mattermost grants a team-scoped permission when the session has it system-wide or through its
//! roles in that team (`SessionHasPermissionToTeam`); system permissions come from the user's
//! system roles only.

use std::collections::{BTreeSet, HashMap};

use crate::mattermost::{MattermostClient, MattermostError, User};

use super::error::MissingPermission;

#[derive(Debug, Default)]
pub struct Permissions {
    system: BTreeSet<String>,
    teams: HashMap<String, BTreeSet<String>>,
}

impl Permissions {
    /// Reads the permissions of `me`'s system roles and of its roles in each team.
    pub async fn read(client: &MattermostClient, me: &User) -> Result<Self, MattermostError> {
        let system_roles: Vec<String> = me.roles.split_whitespace().map(str::to_string).collect();
        let members = client.get_my_team_members().await?;
        let mut wanted: BTreeSet<String> = system_roles.iter().cloned().collect();
        for member in members.iter().filter(|m| m.delete_at == 0) {
            wanted.extend(member.role_names());
        }
        let wanted: Vec<String> = wanted.into_iter().collect();
        let roles: HashMap<String, Vec<String>> = client
            .get_roles_by_names(&wanted)
            .await?
            .into_iter()
            .map(|r| (r.name, r.permissions))
            .collect();
        let grants = |names: &[String]| -> BTreeSet<String> {
            names
                .iter()
                .filter_map(|n| roles.get(n))
                .flatten()
                .cloned()
                .collect()
        };
        let teams = members
            .iter()
            .filter(|m| m.delete_at == 0)
            .map(|m| (m.team_id.clone(), grants(&m.role_names())))
            .collect();
        Ok(Self {
            system: grants(&system_roles),
            teams,
        })
    }

    pub fn has(&self, permission: &str) -> bool {
        self.system.contains(permission)
    }

    pub fn has_in_team(&self, team_id: &str, permission: &str) -> bool {
        self.has(permission)
            || self
                .teams
                .get(team_id)
                .is_some_and(|p| p.contains(permission))
    }
}

/// The permissions a plan needs, collected while planning and checked once.
#[derive(Debug, Default)]
pub struct Needs {
    missing: Vec<MissingPermission>,
}

impl Needs {
    /// Records `permission` as missing unless `granted`.
    pub fn require(&mut self, granted: bool, permission: &'static str, purpose: impl Into<String>) {
        if !granted {
            self.missing.push(MissingPermission {
                permission,
                purpose: purpose.into(),
            });
        }
    }

    pub fn into_missing(self) -> Vec<MissingPermission> {
        self.missing
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_team_permission_comes_from_the_system_or_that_team() {
        let mut p = Permissions::default();
        p.system.insert("create_bot".into());
        p.teams.insert(
            "t1".into(),
            BTreeSet::from(["manage_slash_commands".to_string()]),
        );
        assert!(p.has("create_bot"));
        assert!(p.has_in_team("t2", "create_bot"));
        assert!(p.has_in_team("t1", "manage_slash_commands"));
        assert!(!p.has_in_team("t2", "manage_slash_commands"));
        assert!(!p.has("manage_slash_commands"));
    }
}
