//! `/lotto calendar …`: connecting a calendar, its status settings, what the bot sees, and the admin
//! commands (run the sync now, the Graph admin-consent link).
//!
//! Everyone manages their own connection; bot admins may manage anyone's (`@user`). Reading someone
//! else's calendar is an admin thing too: it is more private than rotations.

mod admin;
mod connect;
mod settings;
mod show;

use super::context::Ctx;
use super::views::SettingsChange;
use super::{Output, Result, ServiceError};
use crate::calendar::rules::BusyStatus;
use crate::command::{BusyMode, CalendarCommand, UserRef};
use crate::store::calendar::Connection;
use crate::store::users::User;
use crate::store::{self};

pub async fn handle(ctx: &Ctx, cmd: CalendarCommand) -> Result<Output> {
    use CalendarCommand as C;
    use SettingsChange as S;
    let (user, what, change) = match cmd {
        C::Connect { source, user } => {
            return Ok(connect::connect(ctx, source, user).await?.into());
        }
        C::Disconnect { user } => return Ok(connect::disconnect(ctx, user).await?.into()),
        C::Show { user } => return Ok(show::show(ctx, user).await?.into()),
        C::Sync => return Ok(admin::sync(ctx).await?.into()),
        C::ConsentUrl => return Ok(admin::consent_url(ctx)?.into()),
        C::SetBusy { mode, user } => {
            let busy = match mode {
                BusyMode::Dnd => BusyStatus::Dnd,
                BusyMode::Away => BusyStatus::Away,
                BusyMode::Off => BusyStatus::Off,
            };
            (user, "change calendar settings", S::Busy(busy))
        }
        C::SetNotices { on, user } => (user, "change calendar settings", S::Notices(on)),
        C::SetCustomStatus { on, user } => (user, "change calendar settings", S::CustomStatus(on)),
        C::Pause { duration, user } => {
            let until = ctx.now.checked_add_signed(duration).ok_or_else(|| {
                ServiceError::invalid("That pause is too long; try days or weeks, e.g. `2w`.")
            })?;
            (user, "pause the calendar", S::Paused(until))
        }
        C::Resume { user } => (user, "resume the calendar", S::Resumed),
    };
    Ok(settings::change(ctx, user, what, change).await?.into())
}

/// The person a command is about: the actor, or (for bot admins) the mentioned user.
async fn target(ctx: &Ctx, user: Option<UserRef>, what: &str) -> Result<User> {
    let Some(name) = user else {
        return Ok(ctx.actor.user.clone());
    };
    let person = ctx
        .users(std::slice::from_ref(&name))
        .await?
        .into_iter()
        .next()
        .ok_or_else(|| ServiceError::NotFound(format!("Mattermost has no active user @{name}.")))?;
    if person.id != ctx.actor.user.id && !ctx.actor.is_bot_admin {
        return Err(ServiceError::Forbidden(format!(
            "Only bot admins can {what} for someone else. For your own calendar, leave out @{name}."
        )));
    }
    Ok(person)
}

/// `your` for the actor, `@bob's` for someone else.
fn whose(ctx: &Ctx, person: &User) -> String {
    if person.id == ctx.actor.user.id {
        "your".into()
    } else {
        format!("@{}'s", person.username)
    }
}

/// `you` for the actor, `@bob` for someone else.
fn them(ctx: &Ctx, person: &User) -> String {
    if person.id == ctx.actor.user.id {
        "you".into()
    } else {
        format!("@{}", person.username)
    }
}

async fn connection_of(ctx: &Ctx, person: &User) -> Result<Connection> {
    let mut conn = ctx.read().await?;
    store::calendar::get(&mut conn, &person.id)
        .await?
        .ok_or_else(|| {
            let whom = if person.id == ctx.actor.user.id {
                "You have".to_string()
            } else {
                format!("@{} has", person.username)
            };
            ServiceError::NotFound(format!(
                "{whom} no calendar connected. Connect one with `/lotto calendar connect graph [email]` (Microsoft 365) or `/lotto calendar connect ics <url>`."
            ))
        })
}
