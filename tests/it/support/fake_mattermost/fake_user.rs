//! A handle on one user of the fake, to set it up and change it later.

use chrono::{DateTime, Utc};
use serde_json::json;
use solar_lottery::lottery::UserId;

use super::state::{FakeStatus, Shared, UserRecord, lock, new_id, now_ms};

/// Returned by `FakeMattermost::add_user` / `user` / `bot`. Setters change the fake at once and
/// return the handle, so they chain: `fake.add_user("ann").time_zone("Europe/Berlin").system_admin()`.
#[derive(Clone)]
pub struct FakeUser {
    pub(crate) shared: Shared,
    pub(crate) id: String,
    pub(crate) username: String,
}

impl std::fmt::Debug for FakeUser {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "FakeUser(@{} {})", self.username, self.id)
    }
}

impl FakeUser {
    pub fn id(&self) -> &str {
        &self.id
    }

    pub fn user_id(&self) -> UserId {
        UserId::new(self.id.clone())
    }

    fn edit(self, change: impl FnOnce(&mut UserRecord)) -> Self {
        {
            let mut state = lock(&self.shared);
            let user = state.users.get_mut(&self.id).expect("fake user exists");
            change(user);
            user.update_at = now_ms();
        }
        self
    }

    /// A manual time zone (`useAutomaticTimezone: "false"`), e.g. `Europe/Berlin`.
    pub fn time_zone(self, zone: &str) -> Self {
        self.edit(|u| {
            u.use_automatic_timezone = false;
            u.manual_timezone = zone.to_string();
        })
    }

    /// An automatic (browser-detected) time zone.
    pub fn automatic_time_zone(self, zone: &str) -> Self {
        self.edit(|u| {
            u.use_automatic_timezone = true;
            u.automatic_timezone = zone.to_string();
        })
    }

    pub fn email(self, email: &str) -> Self {
        self.edit(|u| u.email = email.to_string())
    }

    /// `system_user system_admin`.
    pub fn system_admin(self) -> Self {
        self.roles("system_user system_admin")
    }

    pub fn roles(self, roles: &str) -> Self {
        self.edit(|u| u.roles = roles.to_string())
    }

    /// Deactivates the account (`delete_at > 0`): lookups stop finding it, DMs to it fail.
    pub fn deactivated(self) -> Self {
        self.edit(|u| u.delete_at = now_ms())
    }

    /// Sets the stored status directly (no request, no status-write log entry).
    pub fn status(self, status: &str, manual: bool) -> Self {
        self.set_status(FakeStatus {
            status: status.to_string(),
            manual,
            last_activity_at: now_ms(),
            dnd_end_time: 0,
            prev_status: String::new(),
        })
    }

    fn set_status(self, status: FakeStatus) -> Self {
        lock(&self.shared).statuses.insert(self.id.clone(), status);
        self
    }

    /// A custom status as the user would set it (no expiry when `expires_at` is `None`).
    pub fn custom_status(self, emoji: &str, text: &str, expires_at: Option<DateTime<Utc>>) -> Self {
        let doc = json!({
            "emoji": emoji,
            "text": text,
            "duration": if expires_at.is_some() { "date_and_time" } else { "" },
            "expires_at": expires_at.map_or_else(
                || "0001-01-01T00:00:00Z".to_string(),
                |t| t.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true)
            ),
        });
        let this = self.edit(|u| {
            u.props
                .insert("customStatus".into(), json!(doc.to_string()));
        });
        lock(&this.shared).user_changed(&this.id);
        this
    }

    /// The password `POST /users/login` accepts.
    pub fn password(self, password: &str) -> Self {
        lock(&self.shared)
            .passwords
            .insert(self.id.clone(), password.to_string());
        self
    }

    /// A personal access token for acting as this user (e.g. to call the API as a non-bot).
    pub fn access_token(&self) -> String {
        let token = new_id();
        lock(&self.shared)
            .tokens
            .insert(token.clone(), self.id.clone());
        token
    }
}

pub(crate) fn insert_user(shared: &Shared, username: &str) -> FakeUser {
    let mut state = lock(shared);
    assert!(
        state.user_by_name(username).is_none(),
        "the fake already has a user @{username}"
    );
    let id = new_id();
    state
        .users
        .insert(id.clone(), UserRecord::new(id.clone(), username, now_ms()));
    // Choice where the contract is silent: every person is a plain member of every team.
    let teams: Vec<String> = state.teams.keys().cloned().collect();
    for team in teams {
        state
            .team_members
            .insert((team, id.clone()), "team_user".into());
    }
    FakeUser {
        shared: shared.clone(),
        id,
        username: username.to_lowercase(),
    }
}
