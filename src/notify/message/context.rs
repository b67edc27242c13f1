//! The template contexts, one type per kind of message (the six task DMs share one). Fields a template
//! shows are already written for the reader (times in their zone, people as `@name`); fields marked
//! `#[serde(skip)]` are what the idempotency key is made of and never reach the text.

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::lottery::{RotationId, TaskId, UserId};

/// `templates/welcome.md`: someone joined a rotation.
#[derive(Debug, Clone, Serialize)]
pub struct Welcome {
    #[serde(skip)]
    pub rotation_id: RotationId,
    /// When they joined: joining again later is a new welcome.
    #[serde(skip)]
    pub at: DateTime<Utc>,
    /// Who added them (`@alice`); `None` when they joined themselves.
    pub actor: Option<String>,
    pub rotation: String,
    /// `shift` or `ticket`.
    pub task_type: String,
    /// The next few tasks, `ICE#3 (in 2 days), …`.
    pub next_tasks: Option<String>,
}

/// `templates/removed.md`: someone left a rotation.
#[derive(Debug, Clone, Serialize)]
pub struct Removed {
    #[serde(skip)]
    pub rotation_id: RotationId,
    /// When they left: leaving again after rejoining is a new message.
    #[serde(skip)]
    pub at: DateTime<Utc>,
    /// Who removed them; `None` when they left themselves.
    pub actor: Option<String>,
    pub rotation: String,
    /// Tasks of the rotation they are still on, `ICE#3, ICE#4`.
    pub open_tasks: Option<String>,
    /// The rotation's owners, `@alice, @bob`.
    pub owners: String,
}

/// The DMs about a task to one person on it (scheduled, started, finished, unassigned, reminders),
/// in their time zone.
#[derive(Debug, Clone, Serialize)]
pub struct TaskDm {
    #[serde(skip)]
    pub task_id: TaskId,
    /// When the same person may rightly hear this again about the same task (taken off, added back),
    /// the time it happened, which makes the repeat a new message. `None`: once per task and person.
    #[serde(skip)]
    pub repeat_at: Option<DateTime<Utc>>,
    /// The recipient as they are mentioned (`@bob`), for commands they can copy.
    pub me: String,
    /// Who did it (`@alice`, `The autopilot`).
    pub actor: String,
    /// `ICE#3`
    pub task: String,
    pub rotation: String,
    pub summary: Option<String>,
    pub start: String,
    pub finish: String,
    /// The recipient's zone, `Europe/Berlin`.
    pub zone: String,
    pub starts_in: String,
    pub finishes_in: String,
    /// The others on the task, `@ann and @cat`, or `nobody else`.
    pub others: String,
    pub owners: String,
    /// What the task requires, `2 any`, or `none`.
    /// What the task needs; `None` when it needs nothing (the DM then leaves the line out).
    pub needs: Option<String>,
    /// The task's grace (`6d`), if any.
    pub grace: Option<String>,
    pub grace_until: String,
    /// For the finish reminder: who takes over, `ICE#4 (@bob and @dan)`.
    pub next_task: Option<String>,
    /// When the recipient serves instead of someone on the task (`task override`): `@ann`.
    #[serde(default)]
    pub covering_for: Option<String>,
}

/// `templates/fill_failed.md`: the autopilot could not fill a task; to each owner.
#[derive(Debug, Clone, Serialize)]
pub struct FillFailed {
    #[serde(skip)]
    pub task_id: TaskId,
    /// This alert's own id: the same reason told again after a fix is a new message.
    #[serde(skip)]
    pub alert: String,
    pub task: String,
    pub rotation: String,
    pub start: String,
    pub zone: String,
    pub starts_in: String,
    /// Why, as the lottery explains it.
    pub reason: String,
}

/// `templates/delivery_failed.md`: a DM could never be delivered; to the rotation's owners.
#[derive(Debug, Clone, Serialize)]
pub struct DeliveryFailed {
    /// The key of the message that failed.
    #[serde(skip)]
    pub failed_key: String,
    /// `@alice`
    pub recipient: String,
    /// The failed message's kind as it reads (`remind start`).
    pub kind: String,
    pub error: String,
}

impl DeliveryFailed {
    /// Its stored kind: the sender reports no failure of a failure report (no loops).
    pub const KIND: &str = "delivery_failed";

    /// The report on the message queued as `failed_key` with the stored kind `kind`.
    pub fn new(failed_key: &str, recipient: &str, kind: &str, error: &str) -> Self {
        DeliveryFailed {
            failed_key: failed_key.to_string(),
            recipient: recipient.to_string(),
            kind: kind.replace('_', " "),
            error: error.to_string(),
        }
    }
}

/// `templates/calendar_notice.md`: what the calendar sync changed for someone.
#[derive(Debug, Clone, Serialize)]
pub struct CalendarNotice {
    /// The sync run's time.
    #[serde(skip)]
    pub at: DateTime<Utc>,
    /// One line per change.
    pub lines: Vec<String>,
    pub zone: String,
    /// How to take the wheel back.
    pub pause_hint: String,
}

/// `templates/calendar_source_failed.md` and `calendar_forbidden.md`: a calendar problem, told once.
#[derive(Debug, Clone, Serialize)]
pub struct CalendarProblem {
    /// The sync run's time.
    #[serde(skip)]
    pub at: DateTime<Utc>,
    pub error: String,
}

/// `templates/calendar_admin_alert.md`: a server-wide calendar problem; to the bot admins.
#[derive(Debug, Clone, Serialize)]
pub struct CalendarAdminAlert {
    /// The sync run's time.
    #[serde(skip)]
    pub at: DateTime<Utc>,
    /// The alert: `status_forbidden` or `custom_status_disabled`.
    pub kind: String,
    pub error: String,
    pub bot_id: String,
}

/// `templates/calendar_owner_oof.md`: someone on a task will be out of office; to the rotation's owners.
#[derive(Debug, Clone, Serialize)]
pub struct CalendarOwnerOof {
    #[serde(skip)]
    pub task_id: TaskId,
    /// Who is away.
    #[serde(skip)]
    pub user_id: UserId,
    /// When their time off begins: one message per task, person and stretch of time off.
    #[serde(skip)]
    pub away_start: DateTime<Utc>,
    pub username: String,
    pub rotation: String,
    pub task: String,
    /// The task's state, `scheduled`.
    pub state: String,
    /// Their time off, in the owner's zone.
    pub start: String,
    pub finish: String,
    pub task_start: String,
    pub task_finish: String,
    pub zone: String,
}

/// `templates/presence_absent.md` and `presence_back.md`: someone on a started task has been offline
/// for the rotation's `--absent-after` (to its owners, and its channel), or is back.
#[derive(Debug, Clone, Serialize)]
pub struct PresenceAlert {
    #[serde(skip)]
    pub task_id: TaskId,
    #[serde(skip)]
    pub user_id: UserId,
    /// When the absence began: one alert and one "back" note per absence episode.
    #[serde(skip)]
    pub offline_since: DateTime<Utc>,
    /// `@ann`
    pub person: String,
    /// `ICE#3`
    pub task: String,
    pub rotation: String,
    /// When they went offline, in the reader's zone.
    pub since: String,
    pub zone: String,
    /// How long they were offline, `20 minutes`.
    pub for_how_long: String,
}

/// `templates/profile_unmanageable.md`: Mattermost refused to let the bot change someone's profile
/// for their preset; to that person, once.
#[derive(Debug, Clone, Serialize)]
pub struct ProfileProblem {
    /// When the refusal happened.
    #[serde(skip)]
    pub at: DateTime<Utc>,
    /// The emoji whose preset could not be shown, without colons.
    pub emoji: String,
    /// The profile's picture or nickname is synced from LDAP/SAML (409), rather than the person
    /// being a system admin the bot may not change (403).
    pub synced: bool,
    /// Mattermost's own words.
    pub error: String,
}

/// `templates/holiday_feed_failed.md`: a holiday feed could not be read; to whoever set it, once
/// per failure streak.
#[derive(Debug, Clone, Serialize)]
pub struct HolidayFeedProblem {
    /// The refresh's time.
    #[serde(skip)]
    pub at: DateTime<Utc>,
    #[serde(skip)]
    pub feed_id: i64,
    /// `ICE`, or `None` for everyone's feed.
    pub rotation: Option<String>,
    /// The feed's address, scheme and host only (links often carry a secret).
    pub source: String,
    pub error: String,
}
