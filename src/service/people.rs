//! Who is acting and who is mentioned: Mattermost is the source of truth for users; the `users` table
//! caches profiles (username, time zone, admin role) so a busy bot doesn't ask on every command.

use std::collections::HashMap;

use chrono::Utc;

use super::context::Actor;
use super::{Result, Service, ServiceError};
use crate::command::UserRef;
use crate::lottery::UserId;
use crate::mattermost::User as MmUser;
use crate::store::{self, users::User};

/// Profiles older than this are re-read from Mattermost when used.
const PROFILE_TTL_SECS: i64 = 3600;

pub fn from_mattermost(u: &MmUser) -> User {
    User {
        id: u.id.clone(),
        username: u.username.clone(),
        tz: u.time_zone(),
        email: Some(u.email.clone()).filter(|e| !e.is_empty()),
        is_admin: u.is_system_admin(),
        refreshed_at: Utc::now().timestamp(),
    }
}

fn fresh(u: &User) -> bool {
    Utc::now().timestamp() - u.refreshed_at < PROFILE_TTL_SECS
}

/// Acting users' profiles in memory, in front of the `users` table, with the same freshness rule:
/// every command needs its actor, and a busy bot should not pay a query for it each time.
#[derive(Default)]
pub struct ActorCache {
    users: std::sync::Mutex<HashMap<UserId, User>>,
}

/// More distinct actors than this and the cache starts over (it only saves queries).
const ACTOR_CACHE_MAX: usize = 10_000;

impl ActorCache {
    fn get(&self, id: &UserId) -> Option<User> {
        self.users.lock().ok()?.get(id).cloned()
    }

    fn put(&self, user: &User) {
        if let Ok(mut users) = self.users.lock() {
            if users.len() >= ACTOR_CACHE_MAX {
                users.clear();
            }
            users.insert(user.id.clone(), user.clone());
        }
    }
}

/// The acting user, from the cache when fresh, else from Mattermost (and cached).
pub async fn resolve_actor(svc: &Service, user_id: &str, user_name: &str) -> Result<Actor> {
    let id = UserId::new(user_id);
    let usable = |u: &User| fresh(u) && (user_name.is_empty() || u.username == user_name);
    if let Some(u) = svc.actors.get(&id).filter(usable) {
        return Ok(actor(svc, u));
    }
    let cached = {
        let mut conn = svc.db().read().await?;
        store::users::get(&mut conn, &id).await?
    };
    let user = match cached {
        Some(u) if usable(&u) => {
            svc.actors.put(&u);
            u
        }
        cached => match svc.mattermost().get_user(&id).await {
            Ok(mm) => {
                let u = from_mattermost(&mm);
                let mut conn = svc.db().read().await?;
                store::users::upsert(&mut conn, &u, Utc::now()).await?;
                svc.actors.put(&u);
                u
            }
            Err(e) => match cached {
                // Mattermost is briefly unreachable: a stale profile beats refusing the command.
                Some(u) => {
                    tracing::warn!(error = %e, "could not refresh the acting user's profile; using the cached one");
                    u
                }
                None => return Err(ServiceError::Mattermost(e)),
            },
        },
    };
    Ok(actor(svc, user))
}

fn actor(svc: &Service, user: User) -> Actor {
    let is_bot_admin = user.is_admin
        || svc
            .admins()
            .iter()
            .any(|a| a.eq_ignore_ascii_case(&user.username));
    Actor { user, is_bot_admin }
}

/// Resolves `@mentions` to profiles: ids from the request's mention fields when present, else by
/// username through Mattermost. Unknown or deactivated users are a clear error naming them.
pub async fn resolve_usernames(
    svc: &Service,
    names: &[UserRef],
    mentions: &HashMap<String, String>,
) -> Result<Vec<User>> {
    let mut by_id: Vec<(String, UserId)> = Vec::new();
    let mut unknown_ids: Vec<String> = Vec::new();
    for n in names {
        if let Some(id) = mentions
            .get(n.as_str())
            .or_else(|| mentions.get(&n.as_str().to_lowercase()))
        {
            by_id.push((n.as_str().to_string(), UserId::new(id.clone())));
        } else {
            unknown_ids.push(n.as_str().to_string());
        }
    }
    let mut found: HashMap<String, User> = HashMap::new();
    // Ids from the request: cached profiles when fresh, the rest in one call.
    let mut to_fetch = Vec::new();
    {
        let mut conn = svc.db().read().await?;
        for (name, id) in &by_id {
            match store::users::get(&mut conn, id).await? {
                Some(u) if fresh(&u) => {
                    found.insert(name.to_lowercase(), u);
                }
                _ => to_fetch.push(id.clone()),
            }
        }
    }
    if !to_fetch.is_empty() {
        for mm in svc.mattermost().get_users_by_ids(&to_fetch).await? {
            if mm.delete_at == 0 {
                found.insert(mm.username.to_lowercase(), from_mattermost(&mm));
            }
        }
    }
    if !unknown_ids.is_empty() {
        for mm in svc
            .mattermost()
            .get_users_by_usernames(&unknown_ids)
            .await?
        {
            if mm.delete_at == 0 {
                found.insert(mm.username.to_lowercase(), from_mattermost(&mm));
            }
        }
    }
    let mut out = Vec::new();
    let mut missing = Vec::new();
    for n in names {
        match found.get(&n.as_str().to_lowercase()) {
            Some(u) => {
                if !out.iter().any(|o: &User| o.id == u.id) {
                    out.push(u.clone());
                }
            }
            None => missing.push(format!("@{n}")),
        }
    }
    if !missing.is_empty() {
        return Err(ServiceError::NotFound(format!(
            "Mattermost has no active user {} (check the spelling; deactivated users can't be used).",
            missing.join(", ")
        )));
    }
    Ok(out)
}
