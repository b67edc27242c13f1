//! Applying one person: from their profile as Mattermost reports it to the writes that make it show
//! the right preset (or their original), recorded in the database.
//!
//! The effective emoji (none once `expires_at` has passed) selects the preset. Before the bot's
//! first change the person's original nickname and picture are saved; no preset for the emoji
//! restores them. What is shown is recorded (before the writes, see [`super::writes`]), so the
//! `user_updated` echo of the bot's own write finds nothing to do (no loop), and a repeated write is
//! skipped when Mattermost already has it.

use chrono::{DateTime, Utc};
use reqwest::StatusCode;

use super::writes::{Picture, write};
use crate::lottery::UserId;
use crate::mattermost::{MattermostError, User};
use crate::notify::message::{self, Message, ProfileProblem, Queued};
use crate::shared::Shared;
use crate::store::profile::{self as presets, Preset, ProfileState, Shown};
use crate::store::{self, StoreError};

/// The `original_sha256` recorded when the person's original picture was Mattermost's generated
/// default (not a hex digest, so no picture matches it): restoring it is a `DELETE …/image`, since
/// uploading the default's bytes would make them a custom picture that no longer follows the name.
pub const DEFAULT_PICTURE: &str = "default";

/// What applying one person came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Applied {
    /// Nothing to write and no preset shown (no presets, the original is shown).
    Unchanged,
    /// The preset for this emoji is shown now (`writes` may be 0: the echo of our own write);
    /// `expires_at` is when its status expires.
    Preset {
        emoji: String,
        expires_at: Option<DateTime<Utc>>,
        writes: usize,
    },
    /// The original nickname and picture are shown again.
    Restored { writes: usize },
    /// Mattermost refuses to let the bot manage this profile (403/409); the person was told once.
    Unmanageable,
}

#[derive(Debug, thiserror::Error)]
pub enum ApplyError {
    /// 429: try again after this long.
    #[error("rate limited by Mattermost")]
    RateLimited(Option<std::time::Duration>),
    #[error(transparent)]
    Mattermost(MattermostError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<MattermostError> for ApplyError {
    fn from(e: MattermostError) -> Self {
        match e {
            MattermostError::RateLimited { retry_after, .. } => {
                ApplyError::RateLimited(retry_after)
            }
            other => ApplyError::Mattermost(other),
        }
    }
}

/// The emoji that counts now: none when the status has expired (Mattermost does not clear it).
pub fn effective_emoji(user: &User, now: DateTime<Utc>) -> Option<(String, Option<DateTime<Utc>>)> {
    let status = user.custom_status()?;
    if status.emoji.is_empty() || status.is_expired(now) {
        return None;
    }
    Some((status.emoji, status.expires_at))
}

/// Brings one person's profile in line with their status.
pub async fn apply(
    shared: &Shared,
    user: &User,
    now: DateTime<Utc>,
) -> Result<Applied, ApplyError> {
    let id = &user.id;
    let mut conn = shared.db.read().await?;
    let state = presets::state(&mut conn, id).await?;
    // Presets removed while one was shown still restore below; otherwise nothing to do.
    if state.applied_emoji.is_none() && !presets::has_presets(&mut conn, id).await? {
        return Ok(Applied::Unchanged);
    }
    if state.unmanageable.is_some() {
        return Ok(Applied::Unchanged);
    }
    let mut effective = effective_emoji(user, now);
    if let Some(held) = &state.held_emoji {
        if effective.as_ref().is_some_and(|(e, _)| e == held) {
            // `profile restore` while this emoji is set: the original stays until it changes.
            effective = None;
        } else {
            let mut tx = shared.db.begin_write().await?;
            presets::clear_hold(&mut tx, id, now).await?;
            store::commit(tx).await?;
        }
    }
    let preset = match &effective {
        Some((emoji, _)) => presets::preset(&mut conn, id, emoji).await?,
        None => None,
    };
    drop(conn);
    let expires_at = effective.and_then(|(_, at)| at);
    match preset {
        Some(p) if !state.applying && state.applied_emoji.as_deref() == Some(p.emoji.as_str()) => {
            // Our own write's echo, or a change that keeps the preset (perhaps a new expiry). Not
            // while `applying`: then the writes may not have happened, and are made again.
            Ok(Applied::Preset {
                emoji: p.emoji,
                expires_at,
                writes: 0,
            })
        }
        Some(p) => {
            guard(
                shared,
                user,
                &p.emoji,
                show_preset(shared, user, &state, &p, expires_at, now).await,
                now,
            )
            .await
        }
        None if state.applied_emoji.is_some() => {
            let emoji = state.applied_emoji.clone().unwrap_or_default();
            guard(
                shared,
                user,
                &emoji,
                restore(shared, user, &state, now).await,
                now,
            )
            .await
        }
        None => Ok(Applied::Unchanged),
    }
}

/// Turns a 403/409 into "cannot manage this profile": recorded, and the person told once.
async fn guard(
    shared: &Shared,
    user: &User,
    emoji: &str,
    result: Result<Applied, ApplyError>,
    now: DateTime<Utc>,
) -> Result<Applied, ApplyError> {
    let error = match result {
        Err(ApplyError::Mattermost(e))
            if matches!(
                e.status(),
                Some(StatusCode::FORBIDDEN | StatusCode::CONFLICT)
            ) =>
        {
            e
        }
        other => return other,
    };
    let synced = error.status() == Some(StatusCode::CONFLICT);
    tracing::warn!(user = %user.id, error = %error, "Mattermost refuses to let the bot change this profile");
    let mut tx = shared.db.begin_write().await?;
    let reason = if synced {
        "synced from LDAP/SAML"
    } else {
        "the bot lacks the permission"
    };
    if presets::set_unmanageable(&mut tx, &user.id, reason, now).await? {
        let dm = Queued {
            to: user.id.clone(),
            rotation_id: None,
            message: Message::ProfileUnmanageable(ProfileProblem {
                at: now,
                emoji: emoji.to_string(),
                synced,
                error: error.to_string(),
            }),
        };
        message::queue(&mut tx, &dm, now).await?;
    }
    store::commit(tx).await?;
    shared.wake_sender();
    Ok(Applied::Unmanageable)
}

async fn show_preset(
    shared: &Shared,
    user: &User,
    state: &ProfileState,
    preset: &Preset,
    expires_at: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> Result<Applied, ApplyError> {
    let id = &user.id;
    let mut state = state.clone();
    if !state.original_saved {
        // Before the first change: keep what the person had, to put it back later. The generated
        // default is not kept as bytes: it is restored by resetting.
        let (png, sha) = if user.last_picture_update <= 0 {
            (Vec::new(), DEFAULT_PICTURE.to_string())
        } else {
            let png = shared.mm.profile_image(id).await?;
            let sha = crate::service::profile::picture::sha256_hex(&png);
            (png, sha)
        };
        let mut tx = shared.db.begin_write().await?;
        presets::save_original(&mut tx, id, &user.nickname, &png, &sha, now).await?;
        store::commit(tx).await?;
        state.original_saved = true;
        state.original_nickname = Some(user.nickname.clone());
        state.original_sha256 = Some(sha.clone());
        state.applied_sha256 = Some(sha);
    }
    // A preset without a nickname (or picture) shows the original one.
    let nickname = preset
        .nickname
        .clone()
        .or_else(|| state.original_nickname.clone())
        .unwrap_or_default();
    let picture = match &preset.image {
        Some((png, sha)) => Some(Picture::Upload {
            png: png.clone(),
            sha: sha.clone(),
        }),
        None => original_picture(shared, id, &state).await?,
    };
    // While `applying`, the recorded picture may never have reached Mattermost: write it again.
    let picture =
        picture.filter(|p| state.applying || state.applied_sha256.as_deref() != Some(p.sha()));
    let sha = picture
        .as_ref()
        .map(|p| p.sha().to_string())
        .or_else(|| state.applied_sha256.clone());
    let shown = Shown {
        emoji: Some(&preset.emoji),
        sha256: sha.as_deref(),
        expires_at,
        applying: false,
    };
    let nickname = (user.nickname != nickname).then_some(nickname);
    let writes = write(shared, user, &state, shown, nickname, picture, now).await?;
    Ok(Applied::Preset {
        emoji: preset.emoji.clone(),
        expires_at,
        writes,
    })
}

async fn restore(
    shared: &Shared,
    user: &User,
    state: &ProfileState,
    now: DateTime<Utc>,
) -> Result<Applied, ApplyError> {
    let id = &user.id;
    let mut writes = 0;
    if state.original_saved {
        let nickname = state.original_nickname.clone().unwrap_or_default();
        let nickname = (user.nickname != nickname).then_some(nickname);
        // While `applying`, the record cannot say which picture Mattermost has: put the original
        // back regardless (writing the picture it already has changes nothing).
        let picture = if state.applying || state.applied_sha256 != state.original_sha256 {
            original_picture(shared, id, state).await?
        } else {
            None
        };
        // What the record said, still `applying` until the original is back, so that a crash
        // midway (or the same emoji coming back meanwhile) makes the next attempt write again.
        let shown = Shown {
            emoji: state.applied_emoji.as_deref(),
            sha256: state.applied_sha256.as_deref(),
            expires_at: state.expires_at,
            applying: true,
        };
        writes = write(shared, user, state, shown, nickname, picture, now).await?;
    }
    let mut tx = shared.db.begin_write().await?;
    presets::set_restored(&mut tx, id, now).await?;
    store::commit(tx).await?;
    Ok(Applied::Restored { writes })
}

async fn original_picture(
    shared: &Shared,
    id: &UserId,
    state: &ProfileState,
) -> Result<Option<Picture>, ApplyError> {
    let Some(sha) = state.original_sha256.clone() else {
        return Ok(None);
    };
    if sha == DEFAULT_PICTURE {
        return Ok(Some(Picture::Default));
    }
    let mut conn = shared.db.read().await?;
    Ok(presets::original_png(&mut conn, id)
        .await?
        .map(|png| Picture::Upload { png, sha }))
}
