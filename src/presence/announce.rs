//! After a good poll: record what changed, and tell owners about absences and returns — in one
//! write transaction, so an episode is recorded together with its messages or not at all.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};

use super::PresenceReport;
use super::tracker::Tracker;
use crate::lottery::{RotationId, TaskId, UserId};
use crate::notify::message::PresenceAlert;
use crate::notify::{self, Message, Queued};
use crate::service::{Service, format};
use crate::store::presence::{Episode, OnCall, Seen};
use crate::store::{self, Conn, StoreError};

/// One good poll, as the announcer needs it.
pub(super) struct Poll<'a> {
    pub tracker: &'a Tracker,
    pub statuses: &'a HashMap<UserId, String>,
    /// Since when each offline person has been offline (as stored for `who`).
    pub since: &'a HashMap<UserId, DateTime<Utc>>,
    /// Rows of `presence_seen` to write.
    pub changes: &'a [Seen],
}

pub(super) async fn run(
    svc: &Service,
    poll: &Poll<'_>,
    on_call: &[OnCall],
    now: DateTime<Utc>,
) -> Result<PresenceReport, StoreError> {
    let mut report = PresenceReport::default();
    let mut tx = svc.db().begin_write().await?;
    store::presence::record_seen(&mut tx, poll.changes).await?;
    let open = store::presence::open_episodes(&mut tx).await?;
    let started: HashSet<(TaskId, &UserId)> =
        on_call.iter().map(|c| (c.task_id, &c.user_id)).collect();
    // Episodes of tasks that ended, or people taken off: over, without a note.
    for e in &open {
        if !started.contains(&(e.task_id, &e.user_id)) {
            store::presence::close_episode(&mut tx, e, now).await?;
        }
    }
    if poll.tracker.may_announce() {
        for c in on_call {
            let Some(after) = c.absent_after else {
                continue;
            };
            let episode = open
                .iter()
                .find(|e| e.task_id == c.task_id && e.user_id == c.user_id);
            let polled = poll.statuses.contains_key(&c.user_id);
            let (e, absent) = match (episode, poll.tracker.offline_since(&c.user_id)) {
                // Offline at every poll for long enough, and not told yet.
                (None, Some(streak)) if now - streak >= after => {
                    let since = poll.since.get(&c.user_id).copied().unwrap_or(streak);
                    let e = Episode {
                        task_id: c.task_id,
                        user_id: c.user_id.clone(),
                        offline_since: since,
                    };
                    (e, true)
                }
                (Some(e), None) if poll.tracker.seen_present(&c.user_id, polled) => {
                    (e.clone(), false)
                }
                _ => continue,
            };
            let recorded = if absent {
                store::presence::open_episode(&mut tx, &e, now).await?
            } else {
                store::presence::close_episode(&mut tx, &e, now).await?
            };
            if recorded {
                tell(&mut tx, c, &e, absent, now).await?;
                if absent {
                    report.alerts += 1;
                } else {
                    report.backs += 1;
                }
            }
        }
    }
    store::commit(tx).await?;
    if report.alerts + report.backs > 0 {
        svc.wake_sender();
    }
    Ok(report)
}

/// The owners' DMs (each in their zone) and the channel's post (in the rotation's zone).
async fn tell(
    conn: &mut Conn,
    c: &OnCall,
    e: &Episode,
    absent: bool,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    let owners = store::members::owner_ids(conn, c.rotation_id).await?;
    let mut ids = owners.clone();
    ids.push(c.user_id.clone());
    let profiles = store::users::get_many(conn, &ids).await?;
    let person = profiles
        .get(&c.user_id)
        .map(|u| format!("@{}", u.username))
        .unwrap_or_else(|| format!("user `{}`", c.user_id));
    let message = |tz: chrono_tz::Tz| {
        let alert = PresenceAlert {
            task_id: c.task_id,
            user_id: c.user_id.clone(),
            offline_since: e.offline_since,
            person: person.clone(),
            task: format::task_name(&c.rotation, c.task_number),
            rotation: c.rotation.clone(),
            since: format::time(e.offline_since, tz),
            zone: tz.name().to_string(),
            for_how_long: format::relative(e.offline_since, now)
                .trim_end_matches(" ago")
                .to_string(),
        };
        if absent {
            Message::PresenceAbsent(alert)
        } else {
            Message::PresenceBack(alert)
        }
    };
    // An owner who is the absent person hears nothing about themself.
    for owner in owners.iter().filter(|o| **o != c.user_id) {
        let tz = profiles.get(owner).map_or(chrono_tz::Tz::UTC, |u| u.zone());
        let queued = Queued {
            to: owner.clone(),
            rotation_id: Some(c.rotation_id),
            message: message(tz),
        };
        notify::queue(conn, &queued, now).await?;
    }
    if let Some(channel) = &c.channel_id {
        let tz = rotation_zone(conn, c.rotation_id).await?;
        notify::queue_in_channel(conn, channel, c.rotation_id, &message(tz), now).await?;
    }
    Ok(())
}

async fn rotation_zone(conn: &mut Conn, id: RotationId) -> Result<chrono_tz::Tz, StoreError> {
    Ok(store::rotations::get(conn, id).await?.tz)
}
