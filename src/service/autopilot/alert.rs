//! Telling a rotation's owners that the autopilot could not fill a task: once per task and reason.
//! The last reason told is kept in `autopilot_alerts`; it is cleared when the task is filled or
//! scheduled (the fix), so a later failure is told again even if the reason reads the same.

use chrono::{DateTime, Utc};

use crate::notify::message::FillFailed;
use crate::notify::{self, Message, Queued};
use crate::service::{Result, Service, ServiceError, format};
use crate::store::rotations::Rotation;
use crate::store::tasks::Task;
use crate::store::{self, StoreError};

/// Whether an error is something an owner can fix (people, skills, needs), rather than a passing
/// fault of ours (database, Mattermost), which is logged and retried on the next tick instead.
pub fn owners_can_fix(e: &ServiceError) -> bool {
    matches!(
        e,
        ServiceError::Fill(_) | ServiceError::Invalid(_) | ServiceError::Conflict(_)
    )
}

/// Queues one DM per owner unless they were already told this reason for this task. Returns whether
/// they were told now.
pub async fn tell_owners(
    svc: &Service,
    r: &Rotation,
    t: &Task,
    reason: &str,
    now: DateTime<Utc>,
) -> Result<bool> {
    let mut tx = svc.db().begin_write().await?;
    if !store::autopilot::alert_is_new(&mut tx, t.id, reason).await? {
        return Ok(false);
    }
    store::autopilot::record_alert(&mut tx, t.id, reason, now).await?;
    let owners = store::members::owner_ids(&mut tx, r.id).await?;
    let profiles = store::users::get_many(&mut tx, &owners).await?;
    // Each alert is its own message: the same reason told again after a fix must not be taken for
    // a repeat of the first one by the outbox.
    let alert = uuid::Uuid::new_v4().simple().to_string();
    for owner in &owners {
        let tz = profiles
            .get(owner)
            .map(|p| p.zone())
            .unwrap_or(chrono_tz::Tz::UTC);
        let failed = FillFailed {
            task_id: t.id,
            alert: alert[..12].to_string(),
            task: format::task_name(&r.name, t.number),
            rotation: r.name.clone(),
            start: format::time(t.times.expected_start, tz),
            zone: tz.name().to_string(),
            starts_in: format::relative(t.times.expected_start, now),
            reason: reason.to_string(),
        };
        let queued = Queued {
            to: owner.clone(),
            rotation_id: Some(r.id),
            message: Message::FillFailed(failed),
        };
        notify::queue(&mut tx, &queued, now).await?;
    }
    tx.commit().await.map_err(StoreError::from)?;
    Ok(true)
}
