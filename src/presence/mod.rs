//! The presence job: every `LOTTO_PRESENCE_INTERVAL`, one process (the holder of the `presence`
//! lease, see `crate::jobs`) polls `POST /users/status/ids` for the people on started tasks and the
//! owners of rotations with presence alerts on — never everyone — in batches of 1,000 ids. It
//! records what changed (for `who`), and when someone on a started task of a rotation with alerts on
//! has been offline at every poll for the rotation's `--absent-after`, tells the owners once per
//! absence episode (and the rotation's channel), and once more when they are back.
//!
//! No false alarms: a failed poll is "unknown" and breaks every streak ([`tracker`]); the first good
//! poll after a start or a failure is a baseline that announces nothing; an episode the owners were
//! told about is stored, so a restart neither repeats the alert nor forgets the "back" note.

mod announce;
pub mod tracker;

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};
use futures_util::FutureExt;
use futures_util::future::BoxFuture;
use tokio::sync::Mutex;

use crate::jobs::{Job, JobError};
use crate::lottery::UserId;
use crate::service::Service;
use crate::store::{self, presence::Seen};
use tracker::Tracker;

/// The lease row that makes one process the presence poller.
pub const LEASE: &str = "presence";

pub struct PresenceJob {
    svc: Service,
    state: Mutex<State>,
}

#[derive(Default)]
struct State {
    tracker: Tracker,
    /// What `presence_seen` holds, as far as this process wrote or read it: only changes are
    /// written. `None` until loaded at the first good poll.
    written: Option<HashMap<UserId, Seen>>,
}

/// What one tick did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct PresenceReport {
    pub polled: usize,
    pub alerts: usize,
    pub backs: usize,
}

impl PresenceJob {
    pub fn new(svc: Service) -> Self {
        PresenceJob {
            svc,
            state: Mutex::new(State::default()),
        }
    }

    /// One poll as of `now` (tests call it with a controlled clock). A failed poll is an error of
    /// the run, after which the next good poll is a fresh baseline.
    pub async fn run(&self, now: DateTime<Utc>) -> Result<PresenceReport, JobError> {
        let mut state = self.state.lock().await;
        let db = self.svc.db();
        let (on_call, owners) = {
            let mut conn = db.read().await.map_err(JobError::new)?;
            store::presence::watch_list(&mut conn)
                .await
                .map_err(JobError::new)?
        };
        let mut seen = HashSet::new();
        let ids: Vec<UserId> = on_call
            .iter()
            .map(|c| c.user_id.clone())
            .chain(owners)
            .filter(|u| seen.insert(u.clone()))
            .collect();
        if ids.is_empty() {
            // Nobody to watch; whatever comes next starts from a fresh baseline.
            state.tracker.unknown();
            return Ok(PresenceReport::default());
        }
        let statuses = match self.svc.mattermost().get_statuses_by_ids(&ids).await {
            Ok(s) => s,
            Err(e) => {
                state.tracker.unknown();
                return Err(JobError(format!(
                    "could not read statuses; presence is unknown until the next good poll: {e}"
                )));
            }
        };
        let statuses: HashMap<UserId, String> = statuses
            .into_iter()
            .map(|s| (s.user_id.clone(), s.status.as_str().to_string()))
            .collect();
        state
            .tracker
            .observe(now, statuses.iter().map(|(u, s)| (u, s.as_str())));
        if state.written.is_none() {
            let mut conn = db.read().await.map_err(JobError::new)?;
            let loaded = store::presence::seen(&mut conn, &ids)
                .await
                .map_err(JobError::new)?;
            state.written = Some(loaded);
        }
        let changes = seen_changes(state.written.as_ref(), &statuses, now);
        // Since when each offline person has been offline, as stored (it survives restarts).
        let mut since: HashMap<UserId, DateTime<Utc>> = state
            .written
            .iter()
            .flat_map(|w| w.values())
            .filter_map(|s| Some((s.user_id.clone(), s.offline_since?)))
            .collect();
        for c in &changes {
            match c.offline_since {
                Some(at) => since.insert(c.user_id.clone(), at),
                None => since.remove(&c.user_id),
            };
        }
        let poll = announce::Poll {
            tracker: &state.tracker,
            statuses: &statuses,
            since: &since,
            changes: &changes,
        };
        let outcome = announce::run(&self.svc, &poll, &on_call, now)
            .await
            .map_err(JobError::new)?;
        if let Some(written) = state.written.as_mut() {
            for c in changes {
                written.insert(c.user_id.clone(), c);
            }
        }
        Ok(PresenceReport {
            polled: ids.len(),
            ..outcome
        })
    }
}

/// The rows of `presence_seen` that differ from what was written: a new status, and for offline
/// the time of the first poll that saw it (kept while they stay offline).
fn seen_changes(
    written: Option<&HashMap<UserId, Seen>>,
    statuses: &HashMap<UserId, String>,
    now: DateTime<Utc>,
) -> Vec<Seen> {
    let mut out = Vec::new();
    for (user, status) in statuses {
        let before = written.and_then(|w| w.get(user));
        if before.is_some_and(|b| b.status == *status) {
            continue;
        }
        out.push(Seen {
            user_id: user.clone(),
            status: status.clone(),
            offline_since: tracker::is_absent(status).then_some(now),
            changed_at: now,
        });
    }
    out
}

impl Job for PresenceJob {
    fn name(&self) -> &'static str {
        LEASE
    }

    fn tick(&self, now: DateTime<Utc>) -> BoxFuture<'_, Result<String, JobError>> {
        async move {
            let r = self.run(now).await?;
            metrics::gauge!(crate::metrics::PRESENCE_WATCHED).set(r.polled as f64);
            Ok(format!(
                "{} people polled, {} absence alerts, {} back",
                r.polled, r.alerts, r.backs
            ))
        }
        .boxed()
    }
}
