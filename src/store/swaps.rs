//! Swap requests and their invitations (the DMs with Accept and Decline buttons), and the key that
//! signs the buttons. Deciding is compare-and-set on `state = 'open'`, inside the caller's write
//! transaction, so a request is decided exactly once however many clicks race.

use chrono::{DateTime, Utc};

use super::{Conn, Result, StoreError, from_ts, ts};
use crate::lottery::{TaskId, UserId};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SwapRequestId(pub i64);

impl std::fmt::Display for SwapRequestId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// Where a request stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RequestState {
    Open,
    Accepted,
    /// The task started before anyone accepted.
    Expired,
    /// Everyone invited declined.
    Cancelled,
}

impl RequestState {
    pub fn as_str(self) -> &'static str {
        match self {
            RequestState::Open => "open",
            RequestState::Accepted => "accepted",
            RequestState::Expired => "expired",
            RequestState::Cancelled => "cancelled",
        }
    }

    fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "open" => RequestState::Open,
            "accepted" => RequestState::Accepted,
            "expired" => RequestState::Expired,
            "cancelled" => RequestState::Cancelled,
            _ => return None,
        })
    }
}

/// Where one invitee's answer stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InvitationState {
    Open,
    Accepted,
    Declined,
    /// The request was decided otherwise (someone else accepted, it expired).
    Closed,
}

impl InvitationState {
    pub fn as_str(self) -> &'static str {
        match self {
            InvitationState::Open => "open",
            InvitationState::Accepted => "accepted",
            InvitationState::Declined => "declined",
            InvitationState::Closed => "closed",
        }
    }

    fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "open" => InvitationState::Open,
            "accepted" => InvitationState::Accepted,
            "declined" => InvitationState::Declined,
            "closed" => InvitationState::Closed,
            _ => return None,
        })
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct SwapRequest {
    pub id: SwapRequestId,
    pub task_id: TaskId,
    pub requester: UserId,
    pub state: RequestState,
    pub accepted_by: Option<UserId>,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Invitation {
    pub request_id: SwapRequestId,
    pub invitee: UserId,
    pub state: InvitationState,
    /// The outbox key of the DM with the buttons.
    pub outbox_key: String,
}

type RequestRow = (i64, i64, String, String, Option<String>, i64);

fn request_from(r: RequestRow) -> Result<SwapRequest> {
    Ok(SwapRequest {
        id: SwapRequestId(r.0),
        task_id: TaskId(r.1),
        requester: UserId(r.2),
        state: RequestState::parse(&r.3)
            .ok_or_else(|| StoreError::Corrupt(format!("swap request {}: bad state", r.0)))?,
        accepted_by: r.4.map(UserId),
        created_at: from_ts(r.5)?,
    })
}

const REQUEST_COLUMNS: &str = "id, task_id, requester_id, state, accepted_by, created_at";

pub async fn insert_request(
    conn: &mut Conn,
    task: TaskId,
    requester: &UserId,
    now: DateTime<Utc>,
) -> Result<SwapRequestId> {
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO swap_requests (task_id, requester_id, state, created_at)
         VALUES ($1, $2, 'open', $3) RETURNING id",
    )
    .bind(task.0)
    .bind(requester.as_str())
    .bind(ts(now))
    .fetch_one(&mut *conn)
    .await?;
    Ok(SwapRequestId(id))
}

pub async fn get_request(conn: &mut Conn, id: SwapRequestId) -> Result<Option<SwapRequest>> {
    let sql = format!("SELECT {REQUEST_COLUMNS} FROM swap_requests WHERE id = $1");
    sqlx::query_as::<_, RequestRow>(sqlx::AssertSqlSafe(sql))
        .bind(id.0)
        .fetch_optional(&mut *conn)
        .await?
        .map(request_from)
        .transpose()
}

/// The requester's open request on this task, if any.
pub async fn open_request(
    conn: &mut Conn,
    task: TaskId,
    requester: &UserId,
) -> Result<Option<SwapRequest>> {
    let sql = format!(
        "SELECT {REQUEST_COLUMNS} FROM swap_requests
         WHERE task_id = $1 AND requester_id = $2 AND state = 'open'"
    );
    sqlx::query_as::<_, RequestRow>(sqlx::AssertSqlSafe(sql))
        .bind(task.0)
        .bind(requester.as_str())
        .fetch_optional(&mut *conn)
        .await?
        .map(request_from)
        .transpose()
}

/// Open requests whose task has started, or was due to start by `now`: they expire.
pub async fn open_requests_due(conn: &mut Conn, now: DateTime<Utc>) -> Result<Vec<SwapRequest>> {
    let sql = format!(
        "SELECT {} FROM swap_requests s JOIN tasks t ON t.id = s.task_id
         WHERE s.state = 'open' AND (t.state IN ('started', 'finished') OR t.expected_start <= $1)
         ORDER BY s.id",
        REQUEST_COLUMNS
            .split(", ")
            .map(|c| format!("s.{c}"))
            .collect::<Vec<_>>()
            .join(", ")
    );
    sqlx::query_as::<_, RequestRow>(sqlx::AssertSqlSafe(sql))
        .bind(ts(now))
        .fetch_all(&mut *conn)
        .await?
        .into_iter()
        .map(request_from)
        .collect()
}

/// Decides an open request; false when it was no longer open (someone else decided it first).
pub async fn decide_request(
    conn: &mut Conn,
    id: SwapRequestId,
    state: RequestState,
    accepted_by: Option<&UserId>,
    now: DateTime<Utc>,
) -> Result<bool> {
    let r = sqlx::query(
        "UPDATE swap_requests SET state = $2, accepted_by = $3, decided_at = $4
         WHERE id = $1 AND state = 'open'",
    )
    .bind(id.0)
    .bind(state.as_str())
    .bind(accepted_by.map(|u| u.as_str().to_string()))
    .bind(ts(now))
    .execute(&mut *conn)
    .await?;
    Ok(r.rows_affected() == 1)
}

pub async fn insert_invitation(
    conn: &mut Conn,
    request: SwapRequestId,
    invitee: &UserId,
    outbox_key: &str,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO swap_invitations (request_id, invitee_id, state, outbox_key)
         VALUES ($1, $2, 'open', $3)",
    )
    .bind(request.0)
    .bind(invitee.as_str())
    .bind(outbox_key)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

type InvitationRow = (i64, String, String, String);

fn invitation_from(r: InvitationRow) -> Result<Invitation> {
    Ok(Invitation {
        request_id: SwapRequestId(r.0),
        invitee: UserId(r.1),
        state: InvitationState::parse(&r.2)
            .ok_or_else(|| StoreError::Corrupt(format!("swap invitation {}: bad state", r.0)))?,
        outbox_key: r.3,
    })
}

/// Everyone invited to a request, in invitation order.
pub async fn invitations(conn: &mut Conn, request: SwapRequestId) -> Result<Vec<Invitation>> {
    sqlx::query_as::<_, InvitationRow>(
        "SELECT request_id, invitee_id, state, outbox_key FROM swap_invitations
         WHERE request_id = $1 ORDER BY outbox_key",
    )
    .bind(request.0)
    .fetch_all(&mut *conn)
    .await?
    .into_iter()
    .map(invitation_from)
    .collect()
}

/// Answers an open invitation; false when it was no longer open.
pub async fn decide_invitation(
    conn: &mut Conn,
    request: SwapRequestId,
    invitee: &UserId,
    state: InvitationState,
    now: DateTime<Utc>,
) -> Result<bool> {
    let r = sqlx::query(
        "UPDATE swap_invitations SET state = $3, decided_at = $4
         WHERE request_id = $1 AND invitee_id = $2 AND state = 'open'",
    )
    .bind(request.0)
    .bind(invitee.as_str())
    .bind(state.as_str())
    .bind(ts(now))
    .execute(&mut *conn)
    .await?;
    Ok(r.rows_affected() == 1)
}

/// Replaces `from` by `to` on the task, in `from`'s place in the task's order. False when `from`
/// is not on it.
pub async fn replace_user(
    conn: &mut Conn,
    task: TaskId,
    from: &UserId,
    to: &UserId,
) -> Result<bool> {
    let r = sqlx::query("UPDATE task_users SET user_id = $3 WHERE task_id = $1 AND user_id = $2")
        .bind(task.0)
        .bind(from.as_str())
        .bind(to.as_str())
        .execute(&mut *conn)
        .await?;
    Ok(r.rows_affected() == 1)
}

/// The key that signs the buttons' contexts: the stored one, or `fresh()` stored now when there is
/// none yet (the first writer wins; every process reads the same key back).
pub async fn action_key(conn: &mut Conn, fresh: impl FnOnce() -> String) -> Result<String> {
    let stored: Option<Option<String>> =
        sqlx::query_scalar("SELECT action_key FROM installation LIMIT 1")
            .fetch_optional(&mut *conn)
            .await?;
    if let Some(Some(key)) = stored {
        return Ok(key);
    }
    sqlx::query("UPDATE installation SET action_key = $1 WHERE action_key IS NULL")
        .bind(fresh())
        .execute(&mut *conn)
        .await?;
    let key: Option<String> = sqlx::query_scalar("SELECT action_key FROM installation LIMIT 1")
        .fetch_optional(&mut *conn)
        .await?
        .flatten();
    key.ok_or_else(|| StoreError::Corrupt("the installation row is missing".into()))
}
