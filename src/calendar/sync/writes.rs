//! Applies a decision's Mattermost writes (status, custom status) for one person and says, per part,
//! whether it happened, so the job stores only the memory of what really changed.
//!
//! Some refusals are about the server, not the person: without the `system_admin` role every status
//! write answers 403, and with custom statuses turned off every custom-status write answers 501. The
//! [`Gate`] notices and stops sending what cannot succeed for the rest of the run, so a misconfigured
//! server costs a handful of requests per run instead of one per person.

use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use reqwest::StatusCode;

use super::mapping;
use crate::calendar::rules::{CustomStatusChange, Decision};
use crate::lottery::UserId;
use crate::mattermost::{MattermostClient, MattermostError};

/// 403s in a run, with no status write succeeding, after which the run stops writing statuses.
const FORBIDDEN_BEFORE_GIVING_UP: usize = 5;

/// Why a write did not happen.
#[derive(Debug, Clone)]
pub enum WriteFailure {
    /// Mattermost refused: the bot may not change this person's status.
    Forbidden(MattermostError),
    /// Custom statuses are turned off on the server.
    CustomStatusDisabled(MattermostError),
    /// Anything else (Mattermost down, a bad value); tried again next run.
    Failed(MattermostError),
    /// Not sent, because the same kind of write kept failing for everyone this run.
    NotSent,
}

impl WriteFailure {
    fn classify(error: MattermostError) -> Self {
        match (error.status(), error.app_error_id()) {
            (Some(StatusCode::FORBIDDEN), _) => Self::Forbidden(error),
            (Some(StatusCode::NOT_IMPLEMENTED), _) | (_, Some("api.custom_status.disabled")) => {
                Self::CustomStatusDisabled(error)
            }
            _ => Self::Failed(error),
        }
    }

    pub fn describe(&self) -> String {
        match self {
            Self::Forbidden(e) | Self::CustomStatusDisabled(e) | Self::Failed(e) => e.to_string(),
            Self::NotSent => "not sent: the same change kept failing for others this run".into(),
        }
    }
}

/// One part of a decision (the status, or the custom status).
#[derive(Debug, Clone)]
pub enum Part {
    /// The decision did not change it.
    Unchanged,
    Written,
    Failed(WriteFailure),
}

impl Part {
    /// Nothing to undo: its memory can be stored.
    pub fn succeeded(&self) -> bool {
        matches!(self, Self::Unchanged | Self::Written)
    }
    pub fn is_forbidden(&self) -> bool {
        matches!(self, Self::Failed(WriteFailure::Forbidden(_)))
    }
}

#[derive(Debug, Clone)]
pub struct Applied {
    pub status: Part,
    pub custom_status: Part,
}

impl Applied {
    pub const NOTHING: Applied = Applied {
        status: Part::Unchanged,
        custom_status: Part::Unchanged,
    };

    pub fn all_succeeded(&self) -> bool {
        self.status.succeeded() && self.custom_status.succeeded()
    }
}

/// What the writes of one run have seen so far, shared by the writes in flight.
#[derive(Debug, Default)]
pub struct Gate {
    forbidden: AtomicUsize,
    status_written: AtomicUsize,
    custom_written: AtomicUsize,
    /// The first refusal of each server-wide kind, for the admins' alert.
    first_forbidden: Mutex<Option<String>>,
    first_custom_disabled: Mutex<Option<String>>,
}

fn remember(slot: &Mutex<Option<String>>, error: &MattermostError) {
    let mut slot = slot.lock().unwrap_or_else(|p| p.into_inner());
    slot.get_or_insert_with(|| error.to_string());
}

fn recall(slot: &Mutex<Option<String>>) -> Option<String> {
    slot.lock().unwrap_or_else(|p| p.into_inner()).clone()
}

impl Gate {
    fn statuses_hopeless(&self) -> bool {
        self.status_written.load(Ordering::Relaxed) == 0
            && self.forbidden.load(Ordering::Relaxed) >= FORBIDDEN_BEFORE_GIVING_UP
    }
    /// The first refusal for lack of permission this run, if any.
    pub fn forbidden(&self) -> Option<String> {
        recall(&self.first_forbidden)
    }
    pub fn status_writes(&self) -> usize {
        self.status_written.load(Ordering::Relaxed)
    }
    /// The first "custom statuses are off" answer this run, if any.
    pub fn custom_disabled(&self) -> Option<String> {
        recall(&self.first_custom_disabled)
    }
    fn saw_custom_disabled(&self) -> bool {
        self.custom_disabled().is_some()
    }
    pub fn custom_status_writes(&self) -> usize {
        self.custom_written.load(Ordering::Relaxed)
    }
}

/// Writes what `decision` changes in Mattermost for `user`: the status first, then the custom
/// status. A person Mattermost refuses for lack of permission gets no second request.
pub async fn apply(
    mm: &MattermostClient,
    user: &UserId,
    decision: &Decision,
    gate: &Gate,
) -> Applied {
    let status = match decision.status {
        None => Part::Unchanged,
        Some(_) if gate.statuses_hopeless() => Part::Failed(WriteFailure::NotSent),
        Some(write) => {
            let (kind, dnd_end_time) = mapping::status_write(write);
            match mm.update_status(user, kind, dnd_end_time).await {
                Ok(_) => {
                    gate.status_written.fetch_add(1, Ordering::Relaxed);
                    Part::Written
                }
                Err(e) => {
                    let failure = WriteFailure::classify(e);
                    if let WriteFailure::Forbidden(e) = &failure {
                        gate.forbidden.fetch_add(1, Ordering::Relaxed);
                        remember(&gate.first_forbidden, e);
                    }
                    Part::Failed(failure)
                }
            }
        }
    };
    let custom_status = match &decision.custom_status {
        None => Part::Unchanged,
        Some(_) if status.is_forbidden() => Part::Failed(WriteFailure::NotSent),
        Some(_) if gate.saw_custom_disabled() => Part::Failed(WriteFailure::NotSent),
        Some(change) => {
            let result = match change {
                CustomStatusChange::Set(c) => {
                    mm.update_custom_status(user, &mapping::custom_status_write(c))
                        .await
                }
                CustomStatusChange::Clear => mm.clear_custom_status(user).await,
            };
            match result {
                Ok(()) => {
                    gate.custom_written.fetch_add(1, Ordering::Relaxed);
                    Part::Written
                }
                Err(e) => {
                    let failure = WriteFailure::classify(e);
                    match &failure {
                        WriteFailure::CustomStatusDisabled(e) => {
                            remember(&gate.first_custom_disabled, e)
                        }
                        WriteFailure::Forbidden(e) => {
                            gate.forbidden.fetch_add(1, Ordering::Relaxed);
                            remember(&gate.first_forbidden, e);
                        }
                        _ => {}
                    }
                    Part::Failed(failure)
                }
            }
        }
    };
    for (what, part) in [("status", &status), ("custom status", &custom_status)] {
        if let Part::Failed(failure) = part
            && !matches!(failure, WriteFailure::NotSent)
        {
            tracing::warn!(user = %user, what, error = %failure.describe(), "calendar write failed");
        }
    }
    Applied {
        status,
        custom_status,
    }
}
