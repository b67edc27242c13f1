//! Owners change a rotation: `rotation archive`, `rotation set autopilot|fill|require|limit|task`.

use chrono::TimeDelta;

use super::for_owner;
use crate::command::{self, NeedAction, NeedChange, RotationName};
use crate::lottery::{AutopilotChange, HistoryEvent, HolidayPolicy, TaskType};
use crate::service::context::Ctx;
use crate::service::views::{NeedsChangedView, RotationChange, RotationChangedView, RotationView};
use crate::service::{Result, ServiceError, format};
use crate::store;
use crate::store::rotations::{NeedKind, Rotation};

pub async fn archive(ctx: &Ctx, name: &RotationName) -> Result<RotationChangedView> {
    let (mut tx, r) = for_owner(ctx, name, "archive it").await?;
    store::rotations::archive(&mut tx, r.id, ctx.now).await?;
    ctx.record(&mut tx, Some(r.id), None, HistoryEvent::RotationArchived)
        .await?;
    let r = store::rotations::get(&mut tx, r.id).await?;
    ctx.commit(tx).await?;
    Ok(changed(RotationChange::Archived, &r))
}

pub async fn set_autopilot(
    ctx: &Ctx,
    name: &RotationName,
    change: command::AutopilotChange,
) -> Result<RotationChangedView> {
    let (mut tx, r) = for_owner(ctx, name, "change its autopilot").await?;
    let creates = matches!(change, AutopilotChange::Update(u) if u.create == Some(true));
    if creates && r.task_type == TaskType::Ticket {
        return Err(ServiceError::invalid(format!(
            "{} has tickets, which are created on request: the autopilot can't create them. It can still fill, schedule, start, finish and remind.",
            r.name
        )));
    }
    let settings = r.autopilot.apply(&change);
    store::rotations::set_autopilot(&mut tx, r.id, &settings).await?;
    let r = store::rotations::get(&mut tx, r.id).await?;
    let value = if r.autopilot.is_on() {
        r.autopilot.describe().join(", ")
    } else {
        "off".to_string()
    };
    setting(ctx, &mut tx, &r, "autopilot", value).await?;
    ctx.commit(tx).await?;
    Ok(changed(RotationChange::Autopilot, &r))
}

pub async fn set_fill(
    ctx: &Ctx,
    name: &RotationName,
    seed: Option<u64>,
    fuzz: Option<u32>,
) -> Result<RotationChangedView> {
    let (mut tx, r) = for_owner(ctx, name, "change how it fills").await?;
    let seed = seed.unwrap_or(r.seed);
    let fuzz = fuzz.unwrap_or(r.fuzz);
    store::rotations::set_fill(&mut tx, r.id, seed, fuzz).await?;
    let r = store::rotations::get(&mut tx, r.id).await?;
    let value = format!("seed {seed}, fuzz {fuzz}");
    setting(ctx, &mut tx, &r, "fill", value).await?;
    ctx.commit(tx).await?;
    Ok(changed(RotationChange::Fill, &r))
}

pub async fn set_need(ctx: &Ctx, kind: NeedKind, c: NeedChange) -> Result<NeedsChangedView> {
    let (mut tx, r) = for_owner(ctx, &c.rotation, "change what its tasks need").await?;
    let mut changes = Vec::new();
    for sl in &c.skills {
        match c.action {
            NeedAction::Count(n) => {
                store::rotations::set_need(&mut tx, r.id, kind, sl, n).await?;
                changes.push((sl.clone(), Some(n)));
            }
            NeedAction::Clear => {
                if !store::rotations::clear_need(&mut tx, r.id, kind, sl).await? {
                    return Err(ServiceError::NotFound(format!(
                        "{} has no {} for {sl}, so there is nothing to clear.",
                        r.name,
                        match kind {
                            NeedKind::Require => "requirement",
                            NeedKind::Limit => "limit",
                        }
                    )));
                }
                changes.push((sl.clone(), None));
            }
        }
    }
    let require = store::rotations::needs(&mut tx, r.id, NeedKind::Require).await?;
    let limit = store::rotations::needs(&mut tx, r.id, NeedKind::Limit).await?;
    let (what, now) = match kind {
        NeedKind::Require => ("require", &require),
        NeedKind::Limit => ("limit", &limit),
    };
    let value = if now.is_empty() {
        "nothing".to_string()
    } else {
        format::needs(now)
    };
    setting(ctx, &mut tx, &r, what, value).await?;
    ctx.commit(tx).await?;
    Ok(NeedsChangedView {
        rotation: RotationView::new(&r),
        require,
        limit,
        kind,
        changes,
    })
}

pub async fn set_task(
    ctx: &Ctx,
    name: &RotationName,
    duration: Option<TimeDelta>,
    grace: Option<TimeDelta>,
) -> Result<RotationChangedView> {
    let (mut tx, r) = for_owner(ctx, name, "change its task settings").await?;
    let duration = duration.unwrap_or(r.task_duration);
    let grace = grace.unwrap_or(r.grace);
    store::rotations::set_task_settings(&mut tx, r.id, duration, grace).await?;
    let r = store::rotations::get(&mut tx, r.id).await?;
    let value = format!(
        "duration {}, grace {}",
        RotationView::new(&r).task_length(),
        format::duration(r.grace)
    );
    setting(ctx, &mut tx, &r, "task", value).await?;
    ctx.commit(tx).await?;
    Ok(changed(RotationChange::TaskSettings, &r))
}

pub async fn set_holidays(
    ctx: &Ctx,
    name: &RotationName,
    policy: HolidayPolicy,
) -> Result<RotationChangedView> {
    let (mut tx, r) = for_owner(ctx, name, "change what it does on holidays").await?;
    store::rotations::set_holiday_policy(&mut tx, r.id, policy).await?;
    let r = store::rotations::get(&mut tx, r.id).await?;
    setting(ctx, &mut tx, &r, "holidays", policy.as_str().to_string()).await?;
    ctx.commit(tx).await?;
    Ok(changed(RotationChange::Holidays, &r))
}

/// Records a changed setting in the history.
async fn setting(
    ctx: &Ctx,
    conn: &mut store::Conn,
    r: &Rotation,
    setting: &str,
    value: String,
) -> Result<()> {
    let event = HistoryEvent::SettingChanged {
        setting: setting.to_string(),
        value,
    };
    ctx.record(conn, Some(r.id), None, event).await
}

fn changed(change: RotationChange, r: &store::rotations::Rotation) -> RotationChangedView {
    RotationChangedView {
        change,
        rotation: RotationView::new(r),
    }
}
