//! Every DM the bot sends is a [`Message`]: one variant per kind, carrying its typed template context.
//! From the variant follow its template (`templates/<name>.md`), the kind stored in the outbox and the
//! idempotency key, so a kind without a template, or a template without its kind, does not compile.
//!
//! Rendering happens here, above the store: the outbox keeps plain strings (kind, key, text), and
//! [`queue`] turns a [`Queued`] message into the outbox row in the caller's transaction.

mod context;
mod swap;
mod templates;
#[cfg(test)]
mod tests;

use chrono::{DateTime, Utc};

pub use context::{
    CalendarAdminAlert, CalendarNotice, CalendarOwnerOof, CalendarProblem, DeliveryFailed,
    FillFailed, HolidayFeedProblem, PresenceAlert, ProfileProblem, Removed, TaskDm, Welcome,
};
pub use swap::{Audience, OverrideDm, SwapClosed, SwapInvite, SwapNews, SwapOutcome};

use crate::lottery::{RotationId, UserId};
use crate::store::outbox::{self, NewMessage};
use crate::store::{Conn, Result};
use templates::Template;

/// A DM the bot sends, by kind.
#[derive(Debug, Clone)]
pub enum Message {
    /// Someone joined a rotation, or was added to it.
    Welcome(Welcome),
    /// Someone left a rotation, or was removed from it.
    Removed(Removed),
    /// You're on a task: it was scheduled with you on it, or you were added to a scheduled one.
    Scheduled(TaskDm),
    /// A task you're on has started.
    Started(TaskDm),
    /// A task you're on is finished.
    Finished(TaskDm),
    /// You were taken off a scheduled or started task.
    Unassigned(TaskDm),
    /// A task you're on starts soon.
    RemindStart(TaskDm),
    /// A task you're on ends soon.
    RemindFinish(TaskDm),
    /// To a rotation's owners: the autopilot could not fill a task.
    FillFailed(FillFailed),
    /// To a rotation's owners: a DM could never be delivered.
    DeliveryFailed(DeliveryFailed),
    /// What the calendar sync changed for you.
    CalendarNotice(CalendarNotice),
    /// Your calendar could not be read.
    CalendarSourceFailed(CalendarProblem),
    /// Mattermost refused to let the bot change your status.
    CalendarForbidden(CalendarProblem),
    /// To the bot admins: the calendar sync needs an admin.
    CalendarAdminAlert(CalendarAdminAlert),
    /// To a rotation's owners: someone on one of its tasks will be out of office during it.
    CalendarOwnerOof(CalendarOwnerOof),
    /// To a rotation's owners (and its channel): someone on a started task has been offline too long.
    PresenceAbsent(PresenceAlert),
    /// To the same: they are back.
    PresenceBack(PresenceAlert),
    /// Would you take someone's place on a task? Queued with Accept and Decline buttons
    /// (`rich_post::queue_rich`).
    SwapInvite(SwapInvite),
    /// An answered invitation: only ever the new text of an invitation's post.
    SwapClosed(SwapClosed),
    /// A swap request was accepted: to the requester, the acceptor and the owners.
    SwapAccepted(SwapNews),
    /// Someone asked declined: to the requester.
    SwapDeclined(SwapNews),
    /// The task started before anyone accepted: to the requester.
    SwapExpired(SwapNews),
    /// An owner had someone serve instead of someone else: to both and the owners.
    Overridden(OverrideDm),
    /// Mattermost refuses to let the bot change your nickname or picture (profile presets).
    ProfileUnmanageable(ProfileProblem),
    /// A holiday feed (`holiday feed <url>`) could not be read: to whoever set it.
    HolidayFeedFailed(HolidayFeedProblem),
}

impl Message {
    /// The kind stored in the outbox's `kind` column and named in delivery-failure reports. These are
    /// the strings databases already hold, so they never change (both calendar problems share one).
    pub fn kind(&self) -> &'static str {
        match self {
            Message::Welcome(_) => "welcome",
            Message::Removed(_) => "removed",
            Message::Scheduled(_) => "scheduled",
            Message::Started(_) => "started",
            Message::Finished(_) => "finished",
            Message::Unassigned(_) => "unassigned",
            Message::RemindStart(_) => "remind_start",
            Message::RemindFinish(_) => "remind_finish",
            Message::FillFailed(_) => "fill_failed",
            Message::DeliveryFailed(_) => DeliveryFailed::KIND,
            Message::CalendarNotice(_) => "calendar_notice",
            Message::CalendarSourceFailed(_) | Message::CalendarForbidden(_) => "calendar_problem",
            Message::CalendarAdminAlert(_) => "calendar_alert",
            Message::CalendarOwnerOof(_) => "calendar_owner_oof",
            Message::PresenceAbsent(_) => "presence_absent",
            Message::PresenceBack(_) => "presence_back",
            Message::SwapInvite(_) => "swap_invite",
            Message::SwapClosed(_) => "swap_closed",
            Message::SwapAccepted(_) => "swap_accepted",
            Message::SwapDeclined(_) => "swap_declined",
            Message::SwapExpired(_) => "swap_expired",
            Message::Overridden(_) => "overridden",
            Message::ProfileUnmanageable(_) => "profile_unmanageable",
            Message::HolidayFeedFailed(_) => "holiday_feed_failed",
        }
    }

    /// The idempotency key of this message to `to`: the outbox queues, and Mattermost receives, a key
    /// at most once, so these formats must stay as they are or a restart could send a DM twice.
    pub fn key(&self, to: &UserId) -> String {
        match self {
            Message::Welcome(m) => format!("join:{}:{to}:{}", m.rotation_id, m.at.timestamp()),
            Message::Removed(m) => format!("leave:{}:{to}:{}", m.rotation_id, m.at.timestamp()),
            Message::Scheduled(m)
            | Message::Started(m)
            | Message::Finished(m)
            | Message::Unassigned(m)
            | Message::RemindStart(m)
            | Message::RemindFinish(m) => {
                // One DM per task, kind and person: a repeat (the same day run twice, a retry) is
                // the same key. What may rightly happen again to the same person carries its time.
                let once = format!("task:{}:{}:{to}", m.task_id, self.kind());
                match m.repeat_at {
                    Some(at) => format!("{once}:{}", at.timestamp()),
                    None => once,
                }
            }
            Message::FillFailed(m) => format!("alert:{}:{}:{to}", m.task_id, m.alert),
            Message::DeliveryFailed(m) => format!("{}:failed:{to}", m.failed_key),
            Message::CalendarNotice(m) => format!("calendar:notice:{to}:{}", m.at.timestamp()),
            Message::CalendarSourceFailed(m) => {
                format!("calendar:source:{to}:{}", m.at.timestamp())
            }
            Message::CalendarForbidden(m) => {
                format!("calendar:forbidden:{to}:{}", m.at.timestamp())
            }
            Message::CalendarAdminAlert(m) => {
                format!("calendar:alert:{}:{}:{to}", m.kind, m.at.timestamp())
            }
            Message::CalendarOwnerOof(m) => format!(
                "calendar:oof:{}:{}:{}:{to}",
                m.task_id.0,
                m.user_id,
                m.away_start.timestamp()
            ),
            Message::PresenceAbsent(m) | Message::PresenceBack(m) => format!(
                "{}:{}:{}:{}:{to}",
                self.kind(),
                m.task_id.0,
                m.user_id,
                m.offline_since.timestamp()
            ),
            Message::SwapInvite(SwapInvite { request_id, .. })
            | Message::SwapClosed(SwapClosed { request_id, .. }) => {
                format!("swap:{request_id}:{}:{to}", self.kind())
            }
            Message::SwapAccepted(m) | Message::SwapExpired(m) => {
                format!("swap:{}:{}:{to}", m.request_id, self.kind())
            }
            Message::SwapDeclined(m) => format!(
                "swap:{}:{}:{}:{to}",
                m.request_id,
                self.kind(),
                m.decided_by.as_ref().map(|u| u.as_str()).unwrap_or("")
            ),
            Message::Overridden(m) => format!("override:{}:{}:{to}", m.task_id.0, m.override_id),
            Message::ProfileUnmanageable(m) => {
                format!("profile:unmanageable:{to}:{}", m.at.timestamp())
            }
            Message::HolidayFeedFailed(m) => {
                format!("holiday_feed:{}:{to}:{}", m.feed_id, m.at.timestamp())
            }
        }
    }

    fn template(&self) -> Template {
        match self {
            Message::Welcome(_) => Template::WELCOME,
            Message::Removed(_) => Template::REMOVED,
            Message::Scheduled(_) => Template::SCHEDULED,
            Message::Started(_) => Template::STARTED,
            Message::Finished(_) => Template::FINISHED,
            Message::Unassigned(_) => Template::UNASSIGNED,
            Message::RemindStart(_) => Template::REMIND_START,
            Message::RemindFinish(_) => Template::REMIND_FINISH,
            Message::FillFailed(_) => Template::FILL_FAILED,
            Message::DeliveryFailed(_) => Template::DELIVERY_FAILED,
            Message::CalendarNotice(_) => Template::CALENDAR_NOTICE,
            Message::CalendarSourceFailed(_) => Template::CALENDAR_SOURCE_FAILED,
            Message::CalendarForbidden(_) => Template::CALENDAR_FORBIDDEN,
            Message::CalendarAdminAlert(_) => Template::CALENDAR_ADMIN_ALERT,
            Message::CalendarOwnerOof(_) => Template::CALENDAR_OWNER_OOF,
            Message::PresenceAbsent(_) => Template::PRESENCE_ABSENT,
            Message::PresenceBack(_) => Template::PRESENCE_BACK,
            Message::SwapInvite(_) => Template::SWAP_INVITE,
            Message::SwapClosed(_) => Template::SWAP_CLOSED,
            Message::SwapAccepted(_) => Template::SWAP_ACCEPTED,
            Message::SwapDeclined(_) => Template::SWAP_DECLINED,
            Message::SwapExpired(_) => Template::SWAP_EXPIRED,
            Message::Overridden(_) => Template::OVERRIDDEN,
            Message::ProfileUnmanageable(_) => Template::PROFILE_UNMANAGEABLE,
            Message::HolidayFeedFailed(_) => Template::HOLIDAY_FEED_FAILED,
        }
    }

    /// The text as the recipient reads it (markdown).
    pub fn render(&self) -> String {
        let t = self.template();
        match self {
            Message::Welcome(c) => t.render(c),
            Message::Removed(c) => t.render(c),
            Message::Scheduled(c)
            | Message::Started(c)
            | Message::Finished(c)
            | Message::Unassigned(c)
            | Message::RemindStart(c)
            | Message::RemindFinish(c) => t.render(c),
            Message::FillFailed(c) => t.render(c),
            Message::DeliveryFailed(c) => t.render(c),
            Message::CalendarNotice(c) => t.render(c),
            Message::CalendarSourceFailed(c) | Message::CalendarForbidden(c) => t.render(c),
            Message::CalendarAdminAlert(c) => t.render(c),
            Message::CalendarOwnerOof(c) => t.render(c),
            Message::PresenceAbsent(c) | Message::PresenceBack(c) => t.render(c),
            Message::SwapInvite(c) => t.render(c),
            Message::SwapClosed(c) => t.render(c),
            Message::SwapAccepted(c) | Message::SwapDeclined(c) | Message::SwapExpired(c) => {
                t.render(c)
            }
            Message::Overridden(c) => t.render(c),
            Message::ProfileUnmanageable(c) => t.render(c),
            Message::HolidayFeedFailed(c) => t.render(c),
        }
    }
}

/// A message on its way to one person.
#[derive(Debug, Clone)]
pub struct Queued {
    pub to: UserId,
    /// Whose owners are told if it can never be delivered (`None`: nobody's).
    pub rotation_id: Option<RotationId>,
    pub message: Message,
}

impl Queued {
    /// The outbox row: the key, the stored kind and the rendered text.
    pub fn to_outbox(&self) -> NewMessage {
        NewMessage {
            key: self.message.key(&self.to),
            user_id: self.to.clone(),
            kind: self.message.kind(),
            message: self.message.render(),
            rotation_id: self.rotation_id,
            channel_id: None,
        }
    }
}

/// Queues a post of `message` in a channel (the presence alerts' `--channel`), with the same
/// delivery guarantees as a DM; `rotation_id`'s owners hear if it can never be posted.
pub async fn queue_in_channel(
    conn: &mut Conn,
    channel_id: &str,
    rotation_id: RotationId,
    message: &Message,
    now: DateTime<Utc>,
) -> Result<bool> {
    let to = UserId::new(channel_id);
    let row = NewMessage {
        key: message.key(&to),
        user_id: to,
        kind: message.kind(),
        message: message.render(),
        rotation_id: Some(rotation_id),
        channel_id: Some(channel_id.to_string()),
    };
    outbox::enqueue(conn, &row, now).await
}

/// Queues a message in the caller's transaction; a key already queued is left as it is (returns
/// false). `now` is when its cause happened (see [`outbox::enqueue`]).
pub async fn queue(conn: &mut Conn, queued: &Queued, now: DateTime<Utc>) -> Result<bool> {
    outbox::enqueue(conn, &queued.to_outbox(), now).await
}
