//! What `setup` tests start from and look at: servers without a bot (or without any account),
//! teams, slash commands and tokens as the fake holds them.

use super::state::{self, lock};
use super::teams::TeamRecord;
use super::{FakeMattermost, bots};

impl FakeMattermost {
    /// A server as it is right after installation: no accounts at all (no bot, no admin), one
    /// team (`solar`) and no slash commands. For `solar-lottery setup`.
    pub async fn start_empty() -> Self {
        let fake = Self::start().await;
        bots::remove_all_users(&fake.shared);
        fake
    }

    /// A server with a system admin `boss` (password `boss-password`, a member of `solar`) but no
    /// bot account yet; returns the admin's personal access token too.
    pub async fn start_without_bot() -> (Self, String) {
        let fake = Self::start_empty().await;
        let boss = fake
            .add_user("boss")
            .system_admin()
            .password("boss-password");
        let token = boss.access_token();
        (fake, token)
    }

    /// `ServiceSettings.EnableBotAccountCreation` (on by default).
    pub fn set_bot_creation_enabled(&self, enabled: bool) {
        lock(&self.shared).bot_creation_enabled = enabled;
    }

    /// The custom slash commands with this trigger, in every team, as `model.Command` JSON.
    pub fn commands_with_trigger(&self, trigger: &str) -> Vec<serde_json::Value> {
        lock(&self.shared)
            .commands
            .values()
            .filter(|c| c["trigger"] == trigger)
            .cloned()
            .collect()
    }

    /// How many access tokens (and sessions) sign in as this user.
    pub fn token_count(&self, username: &str) -> usize {
        let state = lock(&self.shared);
        let Some(user) = state.user_by_name(username) else {
            return 0;
        };
        state.tokens.values().filter(|id| **id == user.id).count()
    }

    /// How many users the server has (bots included).
    pub fn user_count(&self) -> usize {
        lock(&self.shared).users.len()
    }

    /// Every team's name.
    pub fn team_names(&self) -> Vec<String> {
        lock(&self.shared)
            .teams
            .values()
            .map(|t| t.name.clone())
            .collect()
    }

    /// Adds another (open) team; the existing users join it as `team_user`s.
    pub fn add_team(&self, name: &str) -> String {
        let mut state = lock(&self.shared);
        let id = state::new_id();
        state.teams.insert(
            id.clone(),
            TeamRecord {
                id: id.clone(),
                name: name.to_string(),
                display_name: name.to_string(),
                create_at: state::now_ms(),
            },
        );
        let users: Vec<String> = state.users.keys().cloned().collect();
        for user in users {
            state
                .team_members
                .insert((id.clone(), user), "team_user".into());
        }
        id
    }
}
