//! `/lotto user …`: rotations people are in, their skills and their time off.

mod membership;
mod show;
mod skills;
mod time_off;

use chrono::{DateTime, Utc};

use super::context::Ctx;
use super::{Output, Result, ServiceError};
use crate::command::{DateTimeArg, UserCommand};
use crate::store::rotations::Rotation;
use crate::store::users::User;
use crate::store::{self, Conn};

pub async fn handle(ctx: &Ctx, cmd: UserCommand) -> Result<Output> {
    match cmd {
        UserCommand::Join {
            rotation,
            who,
            starting,
        } => {
            let starting = match starting {
                Some(s) => Some(resolve(&s, ctx)?),
                None => None,
            };
            Ok(membership::join(ctx, &rotation, &who, starting)
                .await?
                .into())
        }
        UserCommand::Leave { rotation, who } => {
            Ok(membership::leave(ctx, &rotation, &who).await?.into())
        }
        UserCommand::Qualify { who, skills } => {
            Ok(skills::qualify(ctx, &who, &skills).await?.into())
        }
        UserCommand::Disqualify { who, skills } => {
            Ok(skills::disqualify(ctx, &who, skills).await?.into())
        }
        UserCommand::Show { who } => Ok(show::show(ctx, &who).await?.into()),
        UserCommand::Ical { reset } => {
            Ok(crate::service::ical::user_link(ctx, reset).await?.into())
        }
        UserCommand::Unavailable { who, change } => {
            Ok(time_off::change(ctx, &who, change).await?.into())
        }
    }
}

/// A time the actor typed, read in their zone.
fn resolve(d: &DateTimeArg, ctx: &Ctx) -> Result<DateTime<Utc>> {
    d.resolve(ctx.tz(), ctx.now)
        .map_err(|e| ServiceError::invalid(e.to_string()))
}

/// Owners may act on others in their rotation; anyone may act on themselves; admins on anyone.
async fn require_for_rotation(
    ctx: &Ctx,
    conn: &mut Conn,
    r: &Rotation,
    users: &[User],
    what: &str,
) -> Result<()> {
    if ctx.is_self(users) {
        return Ok(());
    }
    ctx.require_owner(conn, r, &format!("{what} other people"))
        .await
}

/// Changing someone else's skills or time off: a bot admin, or an owner of a rotation they are in.
async fn require_for_person(ctx: &Ctx, conn: &mut Conn, users: &[User], what: &str) -> Result<()> {
    if ctx.is_self(users) || ctx.actor.is_bot_admin {
        return Ok(());
    }
    for u in users {
        if u.id == ctx.actor.user.id {
            continue;
        }
        let mut allowed = false;
        for (rid, _) in store::members::memberships(conn, &u.id).await? {
            if store::members::owner_ids(conn, rid)
                .await?
                .contains(&ctx.actor.user.id)
            {
                allowed = true;
                break;
            }
        }
        if !allowed {
            return Err(ServiceError::Forbidden(format!(
                "You can {what} only for yourself, or for members of a rotation you own (@{} isn't). Bot admins can do it for anyone.",
                u.username
            )));
        }
    }
    Ok(())
}

/// `@name`s, for error messages.
fn mentions(users: &[User]) -> Vec<String> {
    users.iter().map(|u| format!("@{}", u.username)).collect()
}
