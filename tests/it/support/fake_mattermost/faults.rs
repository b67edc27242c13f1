//! Fault injection: which routes fail, how, and for how long.

use std::collections::{HashMap, VecDeque};
use std::time::{Duration, Instant};

/// The routes the fake serves, for counting requests and injecting faults.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RouteKind {
    /// `PUT /api/v4/users/{id}/patch`
    PatchUser,
    /// `GET /api/v4/users/{id}/image`
    GetProfileImage,
    /// `POST /api/v4/users/{id}/image`
    SetProfileImage,
    /// `DELETE /api/v4/users/{id}/image` (back to the generated default)
    ResetProfileImage,
    /// `GET /api/v4/users/me`
    GetMe,
    /// `GET /api/v4/users/{id}`
    GetUser,
    /// `GET /api/v4/users/username/{name}`
    GetUserByUsername,
    /// `POST /api/v4/users/usernames`
    GetUsersByUsernames,
    /// `POST /api/v4/users/ids`
    GetUsersByIds,
    /// `POST /api/v4/channels/direct`
    CreateDirectChannel,
    /// `POST /api/v4/posts`
    CreatePost,
    /// `POST /api/v4/users/status/ids`
    GetStatusesByIds,
    /// `GET /api/v4/channels/{id}/posts`
    GetPostsForChannel,
    /// `POST /api/v4/posts/{post_id}/actions/{action_id}` (a button click)
    DoPostAction,
    /// `PUT /api/v4/posts/{post_id}/patch`
    PatchPost,
    /// `GET /api/v4/users/{id}/status`
    GetStatus,
    /// `PUT /api/v4/users/{id}/status`
    UpdateStatus,
    /// `PUT /api/v4/users/{id}/status/custom`
    UpdateCustomStatus,
    /// `DELETE /api/v4/users/{id}/status/custom`
    ClearCustomStatus,
    /// `POST /hooks/commands/{id}` (a slash command's `response_url`)
    CommandWebhook,
    /// `POST /api/v4/users/login`
    Login,
    /// `POST /api/v4/users`
    CreateUser,
    /// `POST /api/v4/roles/names`
    GetRolesByNames,
    /// `GET /api/v4/teams`
    GetTeams,
    /// `GET /api/v4/teams/name/{name}`
    GetTeamByName,
    /// `POST /api/v4/teams`
    CreateTeam,
    /// `GET /api/v4/users/{id}/teams/members`
    GetTeamMembersForUser,
    /// `GET /api/v4/commands`
    ListCommands,
    /// `POST /api/v4/commands`
    CreateCommand,
    /// `PUT /api/v4/commands/{id}`
    UpdateCommand,
    /// `POST /api/v4/bots`
    CreateBot,
    /// `GET /api/v4/bots/{id}`
    GetBot,
    /// `POST /api/v4/bots/{id}/enable`
    EnableBot,
    /// `POST /api/v4/users/{id}/tokens`
    CreateUserAccessToken,
    /// `PUT /api/v4/users/{id}/roles`
    UpdateUserRoles,
    /// `GET /api/v4/teams/{team_id}/channels/name/{name}`
    GetChannelByName,
    /// `GET /api/v4/channels/{id}/members/{user_id}`
    GetChannelMember,
    /// `GET /api/v4/emoji/name/{name}`
    GetEmojiByName,
    /// `POST /api/v4/files`
    UploadFile,
    /// `GET /api/v4/system/ping`
    SystemPing,
}

/// An answer given instead of the real one, before the request is handled (nothing changes).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fault {
    /// This status with an AppError JSON body.
    Status(u16),
    /// Mattermost's rate limiter: 429, plain text `limit exceeded\n`, `Retry-After` and
    /// `X-RateLimit-*` headers.
    RateLimited { retry_after_secs: u64 },
    /// A proxy in front of Mattermost answering with an HTML page (e.g. 502).
    Html(u16),
    /// Exactly this answer (for bodies a client must survive: garbage, wrong shapes).
    Raw {
        status: u16,
        content_type: &'static str,
        body: String,
    },
}

impl Fault {
    /// 429 becomes the rate limiter's answer (Retry-After: 1); anything else an AppError.
    pub fn from_status(status: u16) -> Self {
        if status == 429 {
            Self::RateLimited {
                retry_after_secs: 1,
            }
        } else {
            Self::Status(status)
        }
    }
}

/// What happens to the answer of a request that WAS handled (the post exists, the status changed):
/// for proving that a retry after an unknown outcome does not act twice.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LostResponse {
    /// 500 with an AppError body.
    ServerError,
    /// The status line goes out, then the connection is cut before the body.
    Disconnect,
    /// No answer at all: the client's timeout fires.
    Hang,
}

#[derive(Debug, Default)]
pub(crate) struct Faults {
    next: HashMap<RouteKind, VecDeque<Fault>>,
    until: HashMap<RouteKind, (Instant, Fault)>,
    delays: HashMap<RouteKind, Duration>,
    lost: HashMap<RouteKind, VecDeque<LostResponse>>,
    /// How far the clock of the fault windows runs ahead of the real one.
    ahead: Duration,
}

impl Faults {
    pub fn fail_next(&mut self, kind: RouteKind, n: usize, fault: Fault) {
        let queue = self.next.entry(kind).or_default();
        queue.extend(std::iter::repeat_n(fault, n));
    }

    pub fn fail_for(&mut self, kind: RouteKind, duration: Duration, fault: Fault) {
        let end = self.now() + duration;
        self.until.insert(kind, (end, fault));
    }

    /// The time on the fault windows' clock.
    fn now(&self) -> Instant {
        Instant::now() + self.ahead
    }

    pub fn advance_clock(&mut self, by: Duration) {
        self.ahead += by;
    }

    pub fn delay(&mut self, kind: RouteKind, duration: Duration) {
        if duration.is_zero() {
            self.delays.remove(&kind);
        } else {
            self.delays.insert(kind, duration);
        }
    }

    pub fn lose_next(&mut self, kind: RouteKind, n: usize, how: LostResponse) {
        self.lost
            .entry(kind)
            .or_default()
            .extend(std::iter::repeat_n(how, n));
    }

    pub fn clear(&mut self) {
        *self = Self::default();
    }

    pub fn delay_for(&self, kind: RouteKind) -> Option<Duration> {
        self.delays.get(&kind).copied()
    }

    /// The fault for this request, if any: queued ones first, then a time window.
    pub fn take_fault(&mut self, kind: RouteKind) -> Option<Fault> {
        if let Some(fault) = self.next.get_mut(&kind).and_then(VecDeque::pop_front) {
            return Some(fault);
        }
        let now = self.now();
        match self.until.get(&kind) {
            Some((end, fault)) if now < *end => Some(fault.clone()),
            Some(_) => {
                self.until.remove(&kind);
                None
            }
            None => None,
        }
    }

    pub fn take_lost(&mut self, kind: RouteKind) -> Option<LostResponse> {
        self.lost.get_mut(&kind).and_then(VecDeque::pop_front)
    }
}
