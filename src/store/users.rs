//! Users as the bot knows them (a cache of the Mattermost profile) and their skills.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use chrono_tz::Tz;

use super::dialect::portable;
use super::{Conn, Result, ts};
use crate::lottery::{Level, SkillName, Skills, UserId};

#[derive(Debug, Clone, PartialEq)]
pub struct User {
    pub id: UserId,
    pub username: String,
    pub tz: Option<Tz>,
    pub email: Option<String>,
    pub is_admin: bool,
    pub refreshed_at: i64,
}

impl User {
    /// The zone to read and show times in: the profile's, or UTC when unknown.
    pub fn zone(&self) -> Tz {
        self.tz.unwrap_or(Tz::UTC)
    }
}

#[derive(sqlx::FromRow)]
struct Row {
    id: String,
    username: String,
    tz: Option<String>,
    email: Option<String>,
    is_admin: i64,
    refreshed_at: i64,
}

impl From<Row> for User {
    fn from(r: Row) -> Self {
        User {
            id: UserId(r.id),
            username: r.username,
            tz: r.tz.and_then(|z| z.parse().ok()),
            email: r.email,
            is_admin: r.is_admin != 0,
            refreshed_at: r.refreshed_at,
        }
    }
}

/// Inserts or refreshes a user from their Mattermost profile.
pub async fn upsert(conn: &mut Conn, u: &User, now: DateTime<Utc>) -> Result<()> {
    sqlx::query(
        "INSERT INTO users (id, username, tz, email, is_admin, refreshed_at, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7)
         ON CONFLICT(id) DO UPDATE SET username = excluded.username, tz = excluded.tz,
           email = excluded.email, is_admin = excluded.is_admin, refreshed_at = excluded.refreshed_at",
    )
    .bind(u.id.as_str())
    .bind(&u.username)
    .bind(u.tz.map(|z| z.name().to_string()))
    .bind(&u.email)
    .bind(i64::from(u.is_admin))
    .bind(u.refreshed_at)
    .bind(ts(now))
    .execute(&mut *conn)
    .await?;
    Ok(())
}

pub async fn get(conn: &mut Conn, id: &UserId) -> Result<Option<User>> {
    Ok(sqlx::query_as::<_, Row>(
        "SELECT id, username, tz, email, is_admin, refreshed_at FROM users WHERE id = $1",
    )
    .bind(id.as_str())
    .fetch_optional(&mut *conn)
    .await?
    .map(User::from))
}

/// The known profiles among `ids`, in one query (the ids travel as one JSON array parameter).
pub async fn get_many(conn: &mut Conn, ids: &[UserId]) -> Result<HashMap<UserId, User>> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let (json,): (String,) = sqlx::query_as(portable!(
        conn,
        "SELECT json_group_array(json_array(id, username, tz, email, is_admin, refreshed_at))
         FROM users WHERE id IN (SELECT value FROM json_each($1))"
    ))
    .bind(super::json_ids(ids.iter().map(UserId::as_str)))
    .fetch_one(&mut *conn)
    .await?;
    Ok(users_by_id(super::json_rows(&json)?))
}

/// A user row as a JSON tuple: id, username, tz, email, is_admin, refreshed_at.
pub(crate) type UserTuple = (String, String, Option<String>, Option<String>, i64, i64);

pub(crate) fn users_by_id(rows: Vec<UserTuple>) -> HashMap<UserId, User> {
    rows.into_iter()
        .map(|(id, username, tz, email, is_admin, refreshed_at)| {
            let u = User::from(Row {
                id,
                username,
                tz,
                email,
                is_admin,
                refreshed_at,
            });
            (u.id.clone(), u)
        })
        .collect()
}

pub async fn by_username(conn: &mut Conn, username: &str) -> Result<Option<User>> {
    Ok(sqlx::query_as::<_, Row>(
        "SELECT id, username, tz, email, is_admin, refreshed_at FROM users
         WHERE username = $1 ORDER BY refreshed_at DESC LIMIT 1",
    )
    .bind(username)
    .fetch_optional(&mut *conn)
    .await?
    .map(User::from))
}

pub async fn username(conn: &mut Conn, id: &UserId) -> Result<Option<String>> {
    let row: Option<(String,)> = sqlx::query_as("SELECT username FROM users WHERE id = $1")
        .bind(id.as_str())
        .fetch_optional(&mut *conn)
        .await?;
    Ok(row.map(|r| r.0))
}

pub async fn skills(conn: &mut Conn, id: &UserId) -> Result<Skills> {
    let rows: Vec<(String, i64)> =
        sqlx::query_as("SELECT skill, level FROM user_skills WHERE user_id = $1 ORDER BY skill")
            .bind(id.as_str())
            .fetch_all(&mut *conn)
            .await?;
    Ok(to_skills(rows))
}

/// Skills of every member of a rotation, in one query.
pub async fn skills_of_members(
    conn: &mut Conn,
    rotation_id: i64,
) -> Result<HashMap<UserId, Skills>> {
    let (json,): (String,) = sqlx::query_as(portable!(
        conn,
        "SELECT json_group_array(json_array(s.user_id, s.skill, s.level)) FROM user_skills s
         JOIN rotation_members m ON m.user_id = s.user_id WHERE m.rotation_id = $1"
    ))
    .bind(rotation_id)
    .fetch_one(&mut *conn)
    .await?;
    Ok(skills_by_user(super::json_rows(&json)?))
}

/// `(user_id, skill, level)` rows into each user's skills.
pub(crate) fn skills_by_user(rows: Vec<(String, String, i64)>) -> HashMap<UserId, Skills> {
    let mut out: HashMap<UserId, Vec<(String, i64)>> = HashMap::new();
    for (u, s, l) in rows {
        out.entry(UserId(u)).or_default().push((s, l));
    }
    out.into_iter().map(|(u, v)| (u, to_skills(v))).collect()
}

fn to_skills(rows: Vec<(String, i64)>) -> Skills {
    rows.into_iter()
        .filter_map(|(s, l)| {
            let level = u8::try_from(l).ok().and_then(Level::from_value)?;
            Some((SkillName::parse(&s).ok()?, level))
        })
        .collect()
}

pub async fn set_skill(
    conn: &mut Conn,
    id: &UserId,
    skill: &SkillName,
    level: Level,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO user_skills (user_id, skill, level) VALUES ($1, $2, $3)
         ON CONFLICT(user_id, skill) DO UPDATE SET level = excluded.level",
    )
    .bind(id.as_str())
    .bind(skill.as_str())
    .bind(i64::from(level.value()))
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Removes one skill; returns whether the user had it.
pub async fn remove_skill(conn: &mut Conn, id: &UserId, skill: &SkillName) -> Result<bool> {
    let r = sqlx::query("DELETE FROM user_skills WHERE user_id = $1 AND skill = $2")
        .bind(id.as_str())
        .bind(skill.as_str())
        .execute(&mut *conn)
        .await?;
    Ok(r.rows_affected() > 0)
}

pub async fn remove_all_skills(conn: &mut Conn, id: &UserId) -> Result<u64> {
    let r = sqlx::query("DELETE FROM user_skills WHERE user_id = $1")
        .bind(id.as_str())
        .execute(&mut *conn)
        .await?;
    Ok(r.rows_affected())
}
