//! `/lotto profile …`: each person manages their own presets; bot admins may manage anyone's.
//!
//! Commands only change the database: the preset engine (`crate::profile`) makes every write to
//! Mattermost. A change that may alter what is shown now (a preset added or removed, `restore`)
//! marks the person for reconciliation, and the engine re-reads and applies them within seconds.

pub mod picture;

use super::context::Ctx;
use super::views::profile::{PresetChangedView, PresetView, ProfileShowView, RestoreView};
use super::{Output, Result, ServiceError};
use crate::command::{EmojiName, ProfileCommand, UserRef};
use crate::store::profile as presets;
use crate::store::users::User;
pub use picture::{Picture, PictureError, PictureFetcher};

/// Most presets one person may have.
pub const MAX_PRESETS: usize = 50;

pub async fn handle(ctx: &Ctx, cmd: ProfileCommand) -> Result<Output> {
    match cmd {
        ProfileCommand::PresetAdd {
            emoji,
            nickname,
            image,
            user,
        } => {
            let target = target(ctx, user.as_ref(), Some("add presets for someone else")).await?;
            check_emoji(ctx, &emoji).await?;
            let picture = match &image {
                Some(url) => Some(fetch(ctx, url.as_str()).await?),
                None => None,
            };
            let mut tx = ctx.begin().await?;
            let existing = presets::list_presets(&mut tx, &target.id).await?;
            let replaces = existing.iter().any(|p| p.emoji == emoji.as_str());
            if !replaces && existing.len() >= MAX_PRESETS {
                return Err(ServiceError::invalid(format!(
                    "{} already has {MAX_PRESETS} presets, the most one person may have. Remove one with `/lotto profile preset remove :emoji:`.",
                    whose(ctx, &target)
                )));
            }
            let new_image =
                picture
                    .as_ref()
                    .zip(image.as_ref())
                    .map(|(p, url)| presets::NewImage {
                        png: &p.png,
                        sha256: &p.sha256,
                        url: url.as_str(),
                    });
            presets::put_preset(
                &mut tx,
                &target.id,
                emoji.as_str(),
                nickname.as_ref().map(|n| n.as_str()),
                new_image,
                ctx.now,
            )
            .await?;
            // A new preset is a fresh start for a profile Mattermost refused before.
            presets::clear_unmanageable(&mut tx, &target.id, ctx.now).await?;
            presets::mark_reconcile(&mut tx, std::slice::from_ref(&target.id), ctx.now).await?;
            ctx.commit(tx).await?;
            Ok(PresetChangedView {
                user: target.username,
                is_self: target.id == ctx.actor.user.id,
                preset: PresetView {
                    emoji: emoji.as_str().to_string(),
                    nickname: nickname.map(|n| n.as_str().to_string()),
                    image_url: image.map(|i| i.as_str().to_string()),
                    image_sha256: picture.map(|p| p.sha256),
                },
                added: true,
                replaced: replaces,
            }
            .into())
        }
        ProfileCommand::PresetRemove { emoji, user } => {
            let target =
                target(ctx, user.as_ref(), Some("remove presets for someone else")).await?;
            let mut tx = ctx.begin().await?;
            if !presets::remove_preset(&mut tx, &target.id, emoji.as_str()).await? {
                return Err(ServiceError::NotFound(format!(
                    "{} no preset for {emoji}. See them with `/lotto profile show`.",
                    match target.id == ctx.actor.user.id {
                        true => "You have".to_string(),
                        false => format!("@{} has", target.username),
                    }
                )));
            }
            presets::mark_reconcile(&mut tx, std::slice::from_ref(&target.id), ctx.now).await?;
            ctx.commit(tx).await?;
            Ok(PresetChangedView {
                user: target.username,
                is_self: target.id == ctx.actor.user.id,
                preset: PresetView {
                    emoji: emoji.as_str().to_string(),
                    nickname: None,
                    image_url: None,
                    image_sha256: None,
                },
                added: false,
                replaced: false,
            }
            .into())
        }
        ProfileCommand::Show { user } => {
            // Everyone reads everything (DESIGN.md, Permissions).
            let target = target(ctx, user.as_ref(), None).await?;
            let mut conn = ctx.read().await?;
            let list = presets::list_presets(&mut conn, &target.id).await?;
            let state = presets::state(&mut conn, &target.id).await?;
            Ok(
                ProfileShowView::new(target.username, target.id == ctx.actor.user.id, list, state)
                    .into(),
            )
        }
        ProfileCommand::Restore { user } => {
            let target = target(ctx, user.as_ref(), Some("restore someone else's profile")).await?;
            let mut tx = ctx.begin().await?;
            let state = presets::state(&mut tx, &target.id).await?;
            let restoring = match &state.applied_emoji {
                Some(emoji) => {
                    presets::hold(&mut tx, &target.id, emoji, ctx.now).await?;
                    true
                }
                None => false,
            };
            ctx.commit(tx).await?;
            Ok(RestoreView {
                user: target.username,
                is_self: target.id == ctx.actor.user.id,
                restoring,
                emoji: state.applied_emoji,
            }
            .into())
        }
    }
}

/// The person a command is about: the actor, or the mentioned user; `admin_only` names what only
/// bot admins may do for someone else.
async fn target(ctx: &Ctx, user: Option<&UserRef>, admin_only: Option<&str>) -> Result<User> {
    let Some(name) = user else {
        return Ok(ctx.actor.user.clone());
    };
    let mut found = ctx.users(std::slice::from_ref(name)).await?;
    let person = found.pop().ok_or_else(|| {
        ServiceError::NotFound(format!("Mattermost has no user @{name} the bot can see."))
    })?;
    if let Some(what) = admin_only
        && person.id != ctx.actor.user.id
    {
        ctx.require_admin(what)?;
    }
    Ok(person)
}

fn whose(ctx: &Ctx, user: &User) -> String {
    if user.id == ctx.actor.user.id {
        "You".to_string()
    } else {
        format!("@{}", user.username)
    }
}

/// A system emoji (Mattermost ships the same short names), else a custom one Mattermost has.
async fn check_emoji(ctx: &Ctx, emoji: &EmojiName) -> Result<()> {
    let name = emoji.as_str();
    if emojis::get_by_shortcode(name).is_some() {
        return Ok(());
    }
    if ctx.svc.mattermost().custom_emoji_exists(name).await? {
        Ok(())
    } else {
        Err(ServiceError::invalid(format!(
            "Mattermost doesn't know the emoji {emoji}. Use a name from the emoji picker, e.g. `:palm_tree:`."
        )))
    }
}

async fn fetch(ctx: &Ctx, url: &str) -> Result<Picture> {
    let fetcher = PictureFetcher::new(ctx.svc.deps.url_policy)
        .map_err(|e| ServiceError::invalid(e.to_string()))?;
    fetcher.fetch(url).await.map_err(|e| {
        ServiceError::invalid(format!(
            "{}. Nothing was saved.",
            capitalised(&e.to_string())
        ))
    })
}

fn capitalised(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}
