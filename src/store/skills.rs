//! The list of known skills (what `skill list` shows and what `user disqualify` checks against).

use chrono::{DateTime, Utc};

use super::{Conn, Result, ts};
use crate::lottery::SkillName;

/// Adds a skill; returns false when it was already known.
pub async fn add(conn: &mut Conn, skill: &SkillName, now: DateTime<Utc>) -> Result<bool> {
    let r = sqlx::query(
        "INSERT INTO skills (name, created_at) VALUES ($1, $2) ON CONFLICT(name) DO NOTHING",
    )
    .bind(skill.as_str())
    .bind(ts(now))
    .execute(&mut *conn)
    .await?;
    Ok(r.rows_affected() == 1)
}

/// Removes a skill from the known list; returns false when it wasn't known.
pub async fn delete(conn: &mut Conn, skill: &SkillName) -> Result<bool> {
    let r = sqlx::query("DELETE FROM skills WHERE name = $1")
        .bind(skill.as_str())
        .execute(&mut *conn)
        .await?;
    Ok(r.rows_affected() == 1)
}

pub async fn exists(conn: &mut Conn, skill: &SkillName) -> Result<bool> {
    let r: Option<(i64,)> = sqlx::query_as("SELECT 1 FROM skills WHERE name = $1")
        .bind(skill.as_str())
        .fetch_optional(&mut *conn)
        .await?;
    Ok(r.is_some())
}

/// Known skills with how many people hold each, sorted by name.
pub async fn list(conn: &mut Conn) -> Result<Vec<(SkillName, i64)>> {
    let rows: Vec<(String, i64)> = sqlx::query_as(
        "SELECT k.name, (SELECT COUNT(*) FROM user_skills s WHERE s.skill = k.name)
         FROM skills k ORDER BY k.name COLLATE NOCASE",
    )
    .fetch_all(&mut *conn)
    .await?;
    Ok(rows
        .into_iter()
        .filter_map(|(n, c)| Some((SkillName::parse(&n).ok()?, c)))
        .collect())
}
