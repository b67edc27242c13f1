//! Who is in a rotation (members, in join order, with when they last served) and who owns it.

use chrono::{DateTime, Utc};

use super::dialect::portable;
use super::{Conn, Result, from_ts, ts};
use crate::lottery::{RotationId, UserId};

#[derive(Debug, Clone, PartialEq)]
pub struct Member {
    pub user_id: UserId,
    pub position: i64,
    pub joined_at: DateTime<Utc>,
    pub last_served: Option<DateTime<Utc>>,
}

/// Members in join order. "Last served" is derived: the latest finish of a task of this rotation the
/// member is on (actual finish, or expected end), so it follows every assign, unassign and transition.
pub async fn members(conn: &mut Conn, id: RotationId) -> Result<Vec<Member>> {
    let (json,): (String,) = sqlx::query_as(
        portable!(
            conn,
            "SELECT json_group_array(json_array(m.user_id, m.position, m.joined_at,
           (SELECT MAX(COALESCE(t.actual_finish, COALESCE(t.actual_start, t.expected_start) + t.expected_duration))
            FROM task_users tu JOIN tasks t ON t.id = tu.task_id
            WHERE tu.user_id = m.user_id AND t.rotation_id = m.rotation_id)))
         FROM rotation_members m WHERE m.rotation_id = $1"
        ),
    )
    .bind(id.0)
    .fetch_one(&mut *conn)
    .await?;
    members_from_rows(super::json_rows(&json)?)
}

/// `(user_id, position, joined_at, last_served)` rows into members in join order.
pub(crate) fn members_from_rows(
    mut rows: Vec<(String, i64, i64, Option<i64>)>,
) -> Result<Vec<Member>> {
    rows.sort_by_key(|r| r.1);
    rows.into_iter()
        .map(|(u, p, j, l)| {
            Ok(Member {
                user_id: UserId(u),
                position: p,
                joined_at: from_ts(j)?,
                last_served: l.map(from_ts).transpose()?,
            })
        })
        .collect()
}

/// Adds a member at the end of the join order; returns false when already a member.
pub async fn add_member(
    conn: &mut Conn,
    id: RotationId,
    user: &UserId,
    joined_at: DateTime<Utc>,
) -> Result<bool> {
    let r = sqlx::query(
        "INSERT INTO rotation_members (rotation_id, user_id, position, joined_at)
         VALUES ($1, $2, (SELECT COALESCE(MAX(position), 0) + 1 FROM rotation_members WHERE rotation_id = $1), $3)
         ON CONFLICT(rotation_id, user_id) DO NOTHING",
    )
    .bind(id.0)
    .bind(user.as_str())
    .bind(ts(joined_at))
    .execute(&mut *conn)
    .await?;
    Ok(r.rows_affected() == 1)
}

/// Removes a member; returns false when they weren't one.
pub async fn remove_member(conn: &mut Conn, id: RotationId, user: &UserId) -> Result<bool> {
    let r = sqlx::query("DELETE FROM rotation_members WHERE rotation_id = $1 AND user_id = $2")
        .bind(id.0)
        .bind(user.as_str())
        .execute(&mut *conn)
        .await?;
    Ok(r.rows_affected() == 1)
}

/// Rotations a user is a member of (active only).
pub async fn memberships(conn: &mut Conn, user: &UserId) -> Result<Vec<(RotationId, String)>> {
    let rows: Vec<(i64, String)> = sqlx::query_as(
        "SELECT r.id, r.name FROM rotation_members m JOIN rotations r ON r.id = m.rotation_id
         WHERE m.user_id = $1 AND r.archived_at IS NULL ORDER BY r.name",
    )
    .bind(user.as_str())
    .fetch_all(&mut *conn)
    .await?;
    Ok(rows.into_iter().map(|(i, n)| (RotationId(i), n)).collect())
}

pub async fn owner_ids(conn: &mut Conn, id: RotationId) -> Result<Vec<UserId>> {
    let rows: Vec<(String,)> =
        sqlx::query_as("SELECT user_id FROM rotation_owners WHERE rotation_id = $1 ORDER BY rowid")
            .bind(id.0)
            .fetch_all(&mut *conn)
            .await?;
    Ok(rows.into_iter().map(|r| UserId(r.0)).collect())
}

/// Usernames of the owners the bot knows, in the order they became owners, in one query.
pub async fn owner_usernames(conn: &mut Conn, id: RotationId) -> Result<Vec<String>> {
    let rows: Vec<(String,)> = sqlx::query_as(
        "SELECT u.username FROM rotation_owners o JOIN users u ON u.id = o.user_id
         WHERE o.rotation_id = $1 ORDER BY o.rowid",
    )
    .bind(id.0)
    .fetch_all(&mut *conn)
    .await?;
    Ok(rows.into_iter().map(|r| r.0).collect())
}

pub async fn add_owner(conn: &mut Conn, id: RotationId, user: &UserId) -> Result<bool> {
    let r = sqlx::query(
        "INSERT INTO rotation_owners (rotation_id, user_id) VALUES ($1, $2) ON CONFLICT DO NOTHING",
    )
    .bind(id.0)
    .bind(user.as_str())
    .execute(&mut *conn)
    .await?;
    Ok(r.rows_affected() == 1)
}

pub async fn remove_owner(conn: &mut Conn, id: RotationId, user: &UserId) -> Result<bool> {
    let r = sqlx::query("DELETE FROM rotation_owners WHERE rotation_id = $1 AND user_id = $2")
        .bind(id.0)
        .bind(user.as_str())
        .execute(&mut *conn)
        .await?;
    Ok(r.rows_affected() == 1)
}
