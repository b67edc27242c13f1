//! The DMs the sync job sends (`templates/calendar_*.md`), built from what the run decided.

use chrono::{DateTime, Utc};
use chrono_tz::Tz;

use crate::calendar::model::Span;
use crate::calendar::rules::{Notice, PAUSE_HINT};
use crate::lottery::UserId;
use crate::notify::Message;
use crate::notify::message::{
    CalendarAdminAlert, CalendarNotice, CalendarOwnerOof, CalendarProblem,
};
use crate::store::tasks::Task;
use crate::text as format;

/// What the bot changed for a person in the run at `at`, and how to take the wheel.
pub fn notice(notice: &Notice, at: DateTime<Utc>) -> Message {
    Message::CalendarNotice(CalendarNotice {
        at,
        lines: notice.lines(),
        zone: notice.tz.name().to_string(),
        pause_hint: PAUSE_HINT.to_string(),
    })
}

/// The person's calendar could not be read (told once per failure streak).
pub fn source_failed(error: &str, at: DateTime<Utc>) -> Message {
    Message::CalendarSourceFailed(CalendarProblem {
        at,
        error: error.to_string(),
    })
}

/// Mattermost refused to let the bot change this person's status.
pub fn forbidden(error: &str, at: DateTime<Utc>) -> Message {
    Message::CalendarForbidden(CalendarProblem {
        at,
        error: error.to_string(),
    })
}

/// A server-wide problem for the bot admins: `kind` is an alert key (`status_forbidden`,
/// `custom_status_disabled`).
pub fn admin_alert(kind: &str, error: &str, bot_id: &str, at: DateTime<Utc>) -> Message {
    Message::CalendarAdminAlert(CalendarAdminAlert {
        at,
        kind: kind.to_string(),
        error: error.to_string(),
        bot_id: bot_id.to_string(),
    })
}

/// Tells a rotation owner that someone on one of its tasks will be out of office during it.
pub struct OwnerOof<'a> {
    pub user_id: &'a UserId,
    pub username: &'a str,
    pub rotation: &'a str,
    pub task: &'a Task,
    pub away: Span,
    /// The owner's zone.
    pub tz: Tz,
}

pub fn owner_oof(m: &OwnerOof<'_>) -> Message {
    let time = |t: DateTime<Utc>| format::short_time(t, m.tz);
    let (task_start, task_finish) = m.task.times.span();
    Message::CalendarOwnerOof(CalendarOwnerOof {
        task_id: m.task.id,
        user_id: m.user_id.clone(),
        away_start: m.away.start(),
        username: m.username.to_string(),
        rotation: m.rotation.to_string(),
        task: format::task_name(m.rotation, m.task.number),
        state: m.task.state.to_string(),
        start: time(m.away.start()),
        finish: time(m.away.end()),
        task_start: time(task_start),
        task_finish: time(task_finish),
        zone: m.tz.name().to_string(),
    })
}
