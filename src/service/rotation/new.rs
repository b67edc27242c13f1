//! `rotation new`: anyone may create a rotation (unless `LOTTO_ROTATION_CREATORS=admins`) and
//! becomes its owner.

use chrono::{DateTime, Utc};
use rand::RngExt;

use super::show;
use crate::command;
use crate::config::RotationCreators;
use crate::lottery::HistoryEvent;
use crate::lottery::{self, SkillLevel};
use crate::service::context::Ctx;
use crate::service::views::RotationCreatedView;
use crate::service::{Result, ServiceError};
use crate::store::rotations::{NeedKind, NewRotation};
use crate::store::{self, StoreError};

pub async fn new(ctx: &Ctx, n: command::NewRotation) -> Result<RotationCreatedView> {
    if ctx.svc.deps.rotation_creators == RotationCreators::Admins {
        ctx.require_admin("create rotations (LOTTO_ROTATION_CREATORS=admins)")?;
    }
    let tz = n.tz.unwrap_or_else(|| ctx.tz());
    let beginning = match &n.beginning {
        Some(b) => b
            .resolve(tz, ctx.now)
            .map_err(|e| ServiceError::invalid(e.to_string()))?,
        // Handovers at midnight of the day it was created, not at whatever minute that was.
        None => start_of_day(ctx.now, tz),
    };
    let new = NewRotation {
        name: n.name.as_str().to_string(),
        tz,
        task_type: n.task_type,
        period: n.period,
        beginning,
        seed: n.seed.unwrap_or_else(|| rand::rng().random::<u32>() as u64),
        fuzz: n.fuzz,
        created_by: ctx.actor.user.id.clone(),
    };
    let mut tx = ctx.begin().await?;
    let id = match store::rotations::insert(&mut tx, &new, ctx.now).await {
        Ok(id) => id,
        Err(StoreError::Conflict) => {
            return Err(ServiceError::Conflict(format!(
                "There is already an active rotation called `{}`. Pick another name, or archive the old one first.",
                n.name
            )));
        }
        Err(e) => return Err(e.into()),
    };
    store::members::add_owner(&mut tx, id, &ctx.actor.user.id).await?;
    // Every task needs at least one person unless the owners say otherwise.
    store::rotations::set_need(&mut tx, id, NeedKind::Require, &SkillLevel::Any, 1).await?;
    let r = store::rotations::get(&mut tx, id).await?;
    let created = HistoryEvent::RotationCreated {
        name: r.name.clone(),
    };
    ctx.record(&mut tx, Some(id), None, created).await?;
    let detail = show::detail(ctx, &mut tx, &r).await?;
    ctx.commit(tx).await?;
    Ok(RotationCreatedView {
        default_beginning: n.beginning.is_none(),
        detail,
    })
}

/// Midnight of `now`'s day in `tz` (where a DST change skips midnight, the moment the clock
/// jumps to).
fn start_of_day(now: DateTime<Utc>, tz: chrono_tz::Tz) -> DateTime<Utc> {
    let midnight = lottery::local_time::to_local(now, tz)
        .date()
        .and_time(chrono::NaiveTime::MIN);
    lottery::local_time::resolve_local(midnight, tz).unwrap_or(now)
}
