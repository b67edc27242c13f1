//! `/lotto rotation …`

mod forecast;
mod new;
mod owners;
mod settings;
mod show;

use super::context::{Ctx, Tx};
use super::{Output, Result};
use crate::command::{RotationCommand, RotationName};
use crate::store::rotations::{NeedKind, Rotation};

pub async fn handle(ctx: &Ctx, cmd: RotationCommand) -> Result<Output> {
    match cmd {
        RotationCommand::New(n) => Ok(new::new(ctx, n).await?.into()),
        RotationCommand::List => Ok(show::list(ctx).await?.into()),
        RotationCommand::Show { rotation, members } => {
            let mut conn = ctx.read().await?;
            let r = ctx.rotation(&mut conn, &rotation).await?;
            let mut view = show::detail(ctx, &mut conn, &r).await?;
            view.members_only = members;
            Ok(view.into())
        }
        RotationCommand::Archive(name) => Ok(settings::archive(ctx, &name).await?.into()),
        RotationCommand::Ical { rotation, reset } => {
            Ok(crate::service::ical::rotation_link(ctx, &rotation, reset)
                .await?
                .into())
        }
        RotationCommand::Autopilot(name) => super::autopilot_cmd::one(ctx, &name).await,
        RotationCommand::Forecast { rotation, shifts } => {
            Ok(forecast::forecast_rotation(ctx, &rotation, shifts)
                .await?
                .into())
        }
        RotationCommand::Stats { rotation, since } => {
            Ok(crate::service::stats::stats(ctx, &rotation, since.as_ref())
                .await?
                .into())
        }
        RotationCommand::SetAutopilot { rotation, change } => {
            Ok(settings::set_autopilot(ctx, &rotation, change)
                .await?
                .into())
        }
        RotationCommand::SetFill {
            rotation,
            seed,
            fuzz,
        } => Ok(settings::set_fill(ctx, &rotation, seed, fuzz).await?.into()),
        RotationCommand::SetRequire(c) => {
            Ok(settings::set_need(ctx, NeedKind::Require, c).await?.into())
        }
        RotationCommand::SetLimit(c) => {
            Ok(settings::set_need(ctx, NeedKind::Limit, c).await?.into())
        }
        RotationCommand::SetTask {
            rotation,
            duration,
            grace,
        } => Ok(settings::set_task(ctx, &rotation, duration, grace)
            .await?
            .into()),
        RotationCommand::SetPresence { rotation, change } => Ok(
            crate::service::presence::set_presence(ctx, &rotation, change)
                .await?
                .into(),
        ),
        RotationCommand::SetOncallStatus { rotation, change } => Ok(
            crate::service::presence::set_oncall_status(ctx, &rotation, change)
                .await?
                .into(),
        ),
        RotationCommand::SetHolidays { rotation, policy } => {
            Ok(settings::set_holidays(ctx, &rotation, policy).await?.into())
        }
        RotationCommand::OwnerAdd { rotation, users } => {
            Ok(owners::change(ctx, &rotation, &users, true).await?.into())
        }
        RotationCommand::OwnerRemove { rotation, users } => {
            Ok(owners::change(ctx, &rotation, &users, false).await?.into())
        }
    }
}

/// Loads a rotation for a change by its owners, in the command's transaction.
async fn for_owner(ctx: &Ctx, name: &RotationName, what: &str) -> Result<(Tx, Rotation)> {
    let mut tx = ctx.begin().await?;
    let r = ctx.rotation(&mut tx, name).await?;
    ctx.require_owner(&mut tx, &r, what).await?;
    Ok((tx, r))
}
