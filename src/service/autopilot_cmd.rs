//! `/lotto rotation autopilot <rot>` (one rotation, every step listed) and `/lotto autopilot`
//! (every rotation with the autopilot on, one summary line each), both on the autopilot's own path.

use super::context::Ctx;
use super::views::autopilot::{RotationSteps, steps};
use super::views::{AutopilotAllView, AutopilotRunView};
use super::{Output, Result};
use crate::command::RotationName;
use crate::store;

pub async fn one(ctx: &Ctx, name: &RotationName) -> Result<Output> {
    let r = {
        let mut conn = ctx.read().await?;
        let r = ctx.rotation(&mut conn, name).await?;
        ctx.require_owner(&mut conn, &r, "run its autopilot")
            .await?;
        r
    };
    let report = super::autopilot::run_rotation(&ctx.svc, r.id, ctx.by(), ctx.now).await?;
    Ok(AutopilotRunView {
        rotation: r.name,
        now: ctx.now,
        steps: steps(&report),
    }
    .into())
}

pub async fn all(ctx: &Ctx) -> Result<Output> {
    ctx.require_admin("run every rotation's autopilot (owners can run theirs with `/lotto rotation autopilot <rotation>`)")?;
    let rotations = {
        let mut conn = ctx.read().await?;
        store::rotations::list_autopilot(&mut conn).await?
    };
    let mut ran = Vec::with_capacity(rotations.len());
    for r in rotations {
        let report = super::autopilot::run_rotation(&ctx.svc, r.id, ctx.by(), ctx.now).await?;
        ran.push(RotationSteps {
            rotation: r.name,
            steps: steps(&report),
        });
    }
    Ok(AutopilotAllView {
        now: ctx.now,
        rotations: ran,
    }
    .into())
}
