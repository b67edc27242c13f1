//! The template contexts of swaps and overrides (issue 14). Like the others, every shown field is
//! written for its reader (their zone, `@names`); skipped fields make the idempotency key.

use serde::Serialize;

use crate::lottery::{TaskId, UserId};

/// `templates/swap_invite.md`: would you take someone's place on a task? (with Accept and
/// Decline buttons).
#[derive(Debug, Clone, Serialize)]
pub struct SwapInvite {
    #[serde(skip)]
    pub request_id: i64,
    /// Who asks, `@ann`.
    pub requester: String,
    pub task: String,
    pub rotation: String,
    pub start: String,
    pub finish: String,
    pub zone: String,
    pub starts_in: String,
    /// Everyone asked, `@bob and @cat`.
    pub invited: String,
}

/// What became of a swap request, as an invitation's post says once it is answered (the post's
/// text after a click, or after someone else's).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SwapOutcome {
    /// You accepted: the place is yours.
    YouTookIt,
    /// Someone else accepted first.
    TakenBySomeoneElse,
    /// You declined.
    YouDeclined,
    /// The task started before anyone accepted.
    Expired,
}

/// `templates/swap_closed.md`: an answered invitation.
#[derive(Debug, Clone, Serialize)]
pub struct SwapClosed {
    #[serde(skip)]
    pub request_id: i64,
    pub outcome: SwapOutcome,
    pub requester: String,
    pub task: String,
    /// Who took it, when someone did.
    pub acceptor: Option<String>,
}

/// Who a swap's news is written for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Audience {
    /// The person who asked.
    Requester,
    /// The person who took the place.
    Acceptor,
    /// An owner of the rotation.
    Owner,
}

/// `templates/swap_accepted.md`, `swap_declined.md` and `swap_expired.md`: a swap request was
/// decided.
#[derive(Debug, Clone, Serialize)]
pub struct SwapNews {
    #[serde(skip)]
    pub request_id: i64,
    /// Who declined, for the key of a decline (several people may decline one request).
    #[serde(skip)]
    pub decided_by: Option<UserId>,
    pub audience: Audience,
    pub requester: String,
    /// Who took it, or who declined.
    pub other: Option<String>,
    pub task: String,
    pub rotation: String,
    pub start: String,
    pub finish: String,
    pub zone: String,
    /// Declines: whether anyone asked has not answered yet.
    pub still_open: bool,
}

/// `templates/overridden.md`: an owner had someone serve instead of someone else.
#[derive(Debug, Clone, Serialize)]
pub struct OverrideDm {
    #[serde(skip)]
    pub override_id: i64,
    #[serde(skip)]
    pub task_id: TaskId,
    /// `from`, `to` or `owner`.
    pub audience: &'static str,
    pub actor: String,
    pub from: String,
    pub to: String,
    pub task: String,
    pub rotation: String,
    /// The overridden stretch, in the reader's zone.
    pub start: String,
    pub finish: String,
    pub zone: String,
    /// Whether it covers the whole task.
    pub whole: bool,
}
