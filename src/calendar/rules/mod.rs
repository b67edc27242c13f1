//! The status rules: from a person's calendar, settings, Mattermost status and the bot's memory to
//! what the bot does now. Pure: no I/O, no clock; the job fetches, calls [`decide`], writes, and
//! stores the new memory.
//!
//! The rules follow the seed and what the mscalendar plugin learned from its users:
//! - busy or tentative → the person's busy status (DND until the end of the busy run);
//! - free again → put back what they had if it was a manual choice, else online, but only if the
//!   status is still exactly what the bot set;
//! - a manual change wins and is not overridden again for the same run; offline users are left alone;
//!   the same thing is never written twice for the same run;
//! - out of office → "Out of office" custom status (only over no custom status or the bot's own) and
//!   an unavailability for the lottery; working elsewhere → custom status only;
//! - paused → nothing changes in Mattermost; the unavailability still follows the calendar, because
//!   the lottery must not pick someone who is away;
//! - busy status `off` → no busy status is set; a status the bot set earlier is still put back when
//!   its run ends (an Away would otherwise stay forever).

mod input;
mod notice;

pub use input::{
    BusyStatus, BusyStatusError, CustomStatus, CustomStatusMemory, MattermostStatus, Memory,
    PreviousStatus, Settings, StatusKind, StatusMemory, StatusWrite,
};
pub use notice::{Notice, NoticeChange, PAUSE_HINT};

use super::model::Span;
use super::view::{CalendarView, Run};
use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use serde::Serialize;

/// Everything [`decide`] looks at for one person.
#[derive(Debug, Clone)]
pub struct RuleInput {
    pub now: DateTime<Utc>,
    pub settings: Settings,
    pub status: MattermostStatus,
    /// The current custom status, expired or not; the rules tell the bot's own from the person's by
    /// comparing it with the memory.
    pub custom_status: Option<CustomStatus>,
    pub memory: Memory,
    pub view: CalendarView,
    /// The person's zone, for the notice text.
    pub tz: Tz,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum CustomStatusChange {
    Set(CustomStatus),
    Clear,
}

/// A change to the person's calendar unavailability (reason `calendar`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum UnavailabilityChange {
    /// Record `span`, replacing the entry the bot recorded before, if any.
    Upsert { span: Span, replaces: Option<Span> },
    /// The out-of-office time left the calendar before it was over: remove the entry.
    Remove { span: Span },
}

/// What the bot does now for one person.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decision {
    pub status: Option<StatusWrite>,
    pub custom_status: Option<CustomStatusChange>,
    pub unavailability: Option<UnavailabilityChange>,
    /// Store this after the writes above succeeded.
    pub memory: Memory,
    /// `None` when nothing changed or the person turned notices off.
    pub notice: Option<Notice>,
}

impl Decision {
    pub fn changes_anything(&self) -> bool {
        self.status.is_some() || self.custom_status.is_some() || self.unavailability.is_some()
    }
}

pub fn decide(input: &RuleInput) -> Decision {
    let mut memory = input.memory.clone();
    let mut changes = Vec::new();
    let (status, custom_status) = if input.settings.is_paused(input.now) {
        (None, None)
    } else {
        (
            decide_status(input, &mut memory.status, &mut changes),
            decide_custom_status(input, &mut memory.custom_status, &mut changes),
        )
    };
    let unavailability = decide_unavailability(input, &mut memory.unavailability, &mut changes);
    let notice = (input.settings.notices && !changes.is_empty()).then_some(Notice {
        changes,
        tz: input.tz,
        now: input.now,
    });
    Decision {
        status,
        custom_status,
        unavailability,
        memory,
        notice,
    }
}

fn decide_status(
    input: &RuleInput,
    memory: &mut Option<StatusMemory>,
    changes: &mut Vec<NoticeChange>,
) -> Option<StatusWrite> {
    let current = &input.status;
    let ours = memory
        .as_ref()
        .and_then(|m| m.set)
        .filter(|set| set.is_in_place(current));

    let Some(run) = input.view.busy() else {
        let before = memory.take().and_then(|m| m.before);
        // Restore only what is still exactly the bot's doing; anything else is the person's.
        ours?;
        let back = restore_target(before);
        changes.push(NoticeChange::StatusRestored { status: back });
        return Some(back);
    };

    let want = match input.settings.busy_status {
        BusyStatus::Off => return None,
        BusyStatus::Dnd => StatusWrite::Dnd {
            until: Some(round_up_to_minute(run.end())),
        },
        BusyStatus::Away => StatusWrite::Away,
    };
    let key = run.key();

    if let Some(m) = memory.as_mut().filter(|m| m.run == key) {
        // Already acted on this run: only follow it if our status is still in place and the run
        // (or the setting) changed; a person's own change stands.
        let ours = ours.filter(|set| *set != want)?;
        m.set = Some(want);
        changes.push(if ours.kind() == want.kind() {
            NoticeChange::StatusEndMoved {
                status: want.kind(),
                until: until_of(want),
            }
        } else {
            busy_set(want, run)
        });
        return Some(want);
    }

    if let Some(ours) = ours {
        // A new run while the previous run's status is still ours: carry the original "before".
        let before = memory.as_ref().and_then(|m| m.before);
        *memory = Some(StatusMemory {
            run: key,
            set: Some(want),
            before,
        });
        if ours == want {
            return None;
        }
        changes.push(busy_set(want, run));
        return Some(want);
    }

    match current.kind {
        // Not there, or away with an auto-responder: leave them alone, and look again next run in
        // case they come online during the event.
        StatusKind::Offline | StatusKind::OutOfOffice => {
            *memory = None;
            None
        }
        // Already busy by their own choice: nothing to set, nothing to restore later.
        kind if kind == want.kind() || kind == StatusKind::Dnd => {
            *memory = Some(StatusMemory {
                run: key,
                set: None,
                before: None,
            });
            None
        }
        kind => {
            let before = PreviousStatus {
                kind,
                manual: current.manual,
            };
            *memory = Some(StatusMemory {
                run: key,
                set: Some(want),
                before: Some(before),
            });
            changes.push(busy_set(want, run));
            Some(want)
        }
    }
}

/// A manual choice comes back; anything automatic (or unknown) becomes online, as Mattermost's own
/// activity tracking would have it.
fn restore_target(before: Option<PreviousStatus>) -> StatusWrite {
    match before {
        Some(PreviousStatus {
            kind: StatusKind::Away,
            manual: true,
        }) => StatusWrite::Away,
        _ => StatusWrite::Online,
    }
}

fn busy_set(want: StatusWrite, run: &Run) -> NoticeChange {
    NoticeChange::StatusSet {
        status: want.kind(),
        until: until_of(want),
        because: run.availability(),
    }
}

fn until_of(write: StatusWrite) -> Option<DateTime<Utc>> {
    match write {
        StatusWrite::Dnd { until } => until,
        _ => None,
    }
}

/// Mattermost truncates DND end times to the minute; rounding up keeps DND on until the run ends.
fn round_up_to_minute(t: DateTime<Utc>) -> DateTime<Utc> {
    let secs = t.timestamp();
    let rounded = if secs % 60 == 0 {
        secs
    } else {
        (secs.div_euclid(60) + 1) * 60
    };
    DateTime::from_timestamp(rounded, 0).unwrap_or(t)
}

fn decide_custom_status(
    input: &RuleInput,
    memory: &mut Option<CustomStatusMemory>,
    changes: &mut Vec<NoticeChange>,
) -> Option<CustomStatusChange> {
    let present = input.custom_status.as_ref();
    let ours = memory
        .as_ref()
        .and_then(|m| m.set.as_ref())
        .filter(|set| present == Some(*set))
        .cloned();
    let want = if input.settings.custom_status {
        wanted_custom_status(&input.view)
    } else {
        None
    };

    let Some((run, want)) = want else {
        memory.take();
        let ours = ours?;
        changes.push(NoticeChange::CustomStatusCleared { text: ours.text });
        return Some(CustomStatusChange::Clear);
    };
    let key = run.key();
    let set_it = |changes: &mut Vec<NoticeChange>| {
        changes.push(NoticeChange::CustomStatusSet {
            text: want.text.clone(),
            until: run.end(),
            because: run.availability(),
        });
        Some(CustomStatusChange::Set(want.clone()))
    };

    if let Some(m) = memory.as_mut().filter(|m| m.run == key) {
        // Same run: refresh the end if ours is still there; a person's own change stands.
        ours.filter(|o| *o != want)?;
        m.set = Some(want.clone());
        return set_it(changes);
    }
    let free_to_set = ours.is_some() || !present.is_some_and(|c| c.is_visible(input.now));
    if !free_to_set {
        *memory = Some(CustomStatusMemory {
            run: key,
            set: None,
        });
        return None;
    }
    *memory = Some(CustomStatusMemory {
        run: key,
        set: Some(want.clone()),
    });
    if ours.as_ref() == Some(&want) {
        return None;
    }
    set_it(changes)
}

/// Out of office wins over working elsewhere when both overlap now.
fn wanted_custom_status(view: &CalendarView) -> Option<(&Run, CustomStatus)> {
    if let Some(run) = view.out_of_office() {
        return Some((run, CustomStatus::out_of_office(run.end())));
    }
    view.working_elsewhere()
        .map(|run| (run, CustomStatus::working_elsewhere(run.end())))
}

fn decide_unavailability(
    input: &RuleInput,
    memory: &mut Option<Span>,
    changes: &mut Vec<NoticeChange>,
) -> Option<UnavailabilityChange> {
    match (input.view.out_of_office(), *memory) {
        (Some(run), Some(recorded)) if recorded == run.span() => None,
        (Some(run), replaces) => {
            let span = run.span();
            *memory = Some(span);
            changes.push(NoticeChange::Unavailable { span });
            Some(UnavailabilityChange::Upsert { span, replaces })
        }
        (None, Some(recorded)) => {
            *memory = None;
            // An entry that simply ran out stays as history; one cut short left the calendar.
            (recorded.end() > input.now).then(|| {
                changes.push(NoticeChange::UnavailabilityRemoved { span: recorded });
                UnavailabilityChange::Remove { span: recorded }
            })
        }
        (None, None) => None,
    }
}
