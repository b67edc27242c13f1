//! The DMs the sync job sends, rendered from `templates/calendar_*.md`.

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use serde::Serialize;

use crate::calendar::model::Span;
use crate::calendar::rules::{Notice, PAUSE_HINT};
use crate::service::{format, messages::render};
use crate::store::tasks::Task;

/// What the bot changed for a person in one run, and how to take the wheel.
pub fn notice(notice: &Notice) -> String {
    #[derive(Serialize)]
    struct Ctx<'a> {
        lines: Vec<String>,
        zone: &'a str,
        pause_hint: &'a str,
    }
    render(
        "calendar_notice",
        &Ctx {
            lines: notice.lines(),
            zone: notice.tz.name(),
            pause_hint: PAUSE_HINT,
        },
    )
}

/// The person's calendar could not be read (told once per failure streak).
pub fn source_failed(error: &str) -> String {
    #[derive(Serialize)]
    struct Ctx<'a> {
        error: &'a str,
    }
    render("calendar_source_failed", &Ctx { error })
}

/// Mattermost refused to let the bot change this person's status.
pub fn forbidden(error: &str) -> String {
    #[derive(Serialize)]
    struct Ctx<'a> {
        error: &'a str,
    }
    render("calendar_forbidden", &Ctx { error })
}

/// A server-wide problem for the bot admins: `kind` is an alert key (`status_forbidden`,
/// `custom_status_disabled`).
pub fn admin_alert(kind: &str, error: &str, bot_id: &str) -> String {
    #[derive(Serialize)]
    struct Ctx<'a> {
        kind: &'a str,
        error: &'a str,
        bot_id: &'a str,
    }
    render(
        "calendar_admin_alert",
        &Ctx {
            kind,
            error,
            bot_id,
        },
    )
}

/// Tells a rotation owner that someone on one of its tasks will be out of office during it.
pub struct OwnerOof<'a> {
    pub username: &'a str,
    pub rotation: &'a str,
    pub task: &'a Task,
    pub away: Span,
    /// The owner's zone.
    pub tz: Tz,
}

pub fn owner_oof(m: &OwnerOof<'_>) -> String {
    #[derive(Serialize)]
    struct Ctx<'a> {
        username: &'a str,
        rotation: &'a str,
        task: String,
        state: String,
        start: String,
        finish: String,
        task_start: String,
        task_finish: String,
        zone: &'a str,
    }
    let time = |t: DateTime<Utc>| format::short_time(t, m.tz);
    let (task_start, task_finish) = m.task.times.span();
    render(
        "calendar_owner_oof",
        &Ctx {
            username: m.username,
            rotation: m.rotation,
            task: format::task_name(m.rotation, m.task.number),
            state: m.task.state.to_string(),
            start: time(m.away.start()),
            finish: time(m.away.end()),
            task_start: time(task_start),
            task_finish: time(task_finish),
            zone: m.tz.name(),
        },
    )
}
