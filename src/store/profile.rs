//! Profile presets (issue 12): each person's presets, the original profile saved before the bot's
//! first change, what is applied now, and who must be re-read (reconciliation marks).

use chrono::{DateTime, Utc};

use super::{Conn, Result, from_ts, ts};
use crate::lottery::UserId;

/// A preset as listed (without its picture's bytes).
#[derive(Debug, Clone, PartialEq)]
pub struct PresetInfo {
    pub emoji: String,
    pub nickname: Option<String>,
    pub image_sha256: Option<String>,
    pub image_url: Option<String>,
}

/// `emoji, nickname, image_sha256, image_url`.
type InfoRow = (String, Option<String>, Option<String>, Option<String>);
/// `emoji, nickname, image_png, image_sha256`.
type PresetRow = (String, Option<String>, Option<Vec<u8>>, Option<String>);

/// A preset with its picture, as the engine applies it.
#[derive(Debug, Clone, PartialEq)]
pub struct Preset {
    pub emoji: String,
    pub nickname: Option<String>,
    /// A 128×128 PNG and its SHA-256 (hex).
    pub image: Option<(Vec<u8>, String)>,
}

/// A preset's picture on its way in.
#[derive(Debug, Clone, Copy)]
pub struct NewImage<'a> {
    pub png: &'a [u8],
    pub sha256: &'a str,
    pub url: &'a str,
}

/// What the engine did to one person's profile.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ProfileState {
    /// The original nickname and picture were saved before the bot's first change.
    pub original_saved: bool,
    pub original_nickname: Option<String>,
    pub original_sha256: Option<String>,
    /// The emoji whose preset is shown now; `None`: the original is.
    pub applied_emoji: Option<String>,
    /// The picture the bot last wrote.
    pub applied_sha256: Option<String>,
    /// The two above were recorded before the writes that show them, which are not confirmed yet
    /// (in flight, or their process died, or one failed): Mattermost may show something else.
    pub applying: bool,
    /// `profile restore` while this emoji was set: its preset waits until the emoji changes.
    pub held_emoji: Option<String>,
    pub expires_at: Option<DateTime<Utc>>,
    /// Why Mattermost refuses to let the bot manage this profile.
    pub unmanageable: Option<String>,
    pub reconcile_at: Option<DateTime<Utc>>,
}

#[derive(sqlx::FromRow)]
struct StateRow {
    original_saved: i64,
    original_nickname: Option<String>,
    original_sha256: Option<String>,
    applied_emoji: Option<String>,
    applied_sha256: Option<String>,
    applying: i64,
    held_emoji: Option<String>,
    expires_at: Option<i64>,
    unmanageable: Option<String>,
    reconcile_at: Option<i64>,
}

/// Adds a preset, or replaces the one for the same emoji.
pub async fn put_preset(
    conn: &mut Conn,
    user: &UserId,
    emoji: &str,
    nickname: Option<&str>,
    image: Option<NewImage<'_>>,
    now: DateTime<Utc>,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO profile_presets
           (user_id, emoji, nickname, image_png, image_sha256, image_url, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $7)
         ON CONFLICT (user_id, emoji) DO UPDATE SET nickname = excluded.nickname,
           image_png = excluded.image_png, image_sha256 = excluded.image_sha256,
           image_url = excluded.image_url, updated_at = excluded.updated_at",
    )
    .bind(user.as_str())
    .bind(emoji)
    .bind(nickname)
    .bind(image.map(|i| i.png.to_vec()))
    .bind(image.map(|i| i.sha256))
    .bind(image.map(|i| i.url))
    .bind(ts(now))
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Removes a preset; whether there was one.
pub async fn remove_preset(conn: &mut Conn, user: &UserId, emoji: &str) -> Result<bool> {
    let done = sqlx::query("DELETE FROM profile_presets WHERE user_id = $1 AND emoji = $2")
        .bind(user.as_str())
        .bind(emoji)
        .execute(&mut *conn)
        .await?;
    Ok(done.rows_affected() > 0)
}

/// A person's presets, by emoji.
pub async fn list_presets(conn: &mut Conn, user: &UserId) -> Result<Vec<PresetInfo>> {
    let rows: Vec<InfoRow> = sqlx::query_as(
        "SELECT emoji, nickname, image_sha256, image_url FROM profile_presets
         WHERE user_id = $1 ORDER BY emoji",
    )
    .bind(user.as_str())
    .fetch_all(&mut *conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(emoji, nickname, image_sha256, image_url)| PresetInfo {
            emoji,
            nickname,
            image_sha256,
            image_url,
        })
        .collect())
}

/// One preset with its picture.
pub async fn preset(conn: &mut Conn, user: &UserId, emoji: &str) -> Result<Option<Preset>> {
    let row: Option<PresetRow> = sqlx::query_as(
        "SELECT emoji, nickname, image_png, image_sha256 FROM profile_presets
         WHERE user_id = $1 AND emoji = $2",
    )
    .bind(user.as_str())
    .bind(emoji)
    .fetch_optional(&mut *conn)
    .await?;
    Ok(row.map(|(emoji, nickname, png, sha)| Preset {
        emoji,
        nickname,
        image: png.zip(sha),
    }))
}

/// Whether the person has any preset (asked for every profile change Mattermost reports).
pub async fn has_presets(conn: &mut Conn, user: &UserId) -> Result<bool> {
    let found: Option<i64> =
        sqlx::query_scalar("SELECT 1 FROM profile_presets WHERE user_id = $1 LIMIT 1")
            .bind(user.as_str())
            .fetch_optional(&mut *conn)
            .await?;
    Ok(found.is_some())
}

/// Everyone with a preset (start-up and gap reconciliation).
pub async fn people_with_presets(conn: &mut Conn) -> Result<Vec<UserId>> {
    let ids: Vec<String> =
        sqlx::query_scalar("SELECT DISTINCT user_id FROM profile_presets ORDER BY user_id")
            .fetch_all(&mut *conn)
            .await?;
    Ok(ids.into_iter().map(UserId).collect())
}

/// What the engine did to this person's profile (the default when nothing yet).
pub async fn state(conn: &mut Conn, user: &UserId) -> Result<ProfileState> {
    let row: Option<StateRow> = sqlx::query_as(
        "SELECT original_saved, original_nickname, original_sha256, applied_emoji, applied_sha256,
                applying, held_emoji, expires_at, unmanageable, reconcile_at
         FROM profile_state WHERE user_id = $1",
    )
    .bind(user.as_str())
    .fetch_optional(&mut *conn)
    .await?;
    let Some(r) = row else {
        return Ok(ProfileState::default());
    };
    Ok(ProfileState {
        original_saved: r.original_saved != 0,
        original_nickname: r.original_nickname,
        original_sha256: r.original_sha256,
        applied_emoji: r.applied_emoji,
        applied_sha256: r.applied_sha256,
        applying: r.applying != 0,
        held_emoji: r.held_emoji,
        expires_at: r.expires_at.map(from_ts).transpose()?,
        unmanageable: r.unmanageable,
        reconcile_at: r.reconcile_at.map(from_ts).transpose()?,
    })
}

/// The saved original picture.
pub async fn original_png(conn: &mut Conn, user: &UserId) -> Result<Option<Vec<u8>>> {
    let png: Option<Option<Vec<u8>>> =
        sqlx::query_scalar("SELECT original_png FROM profile_state WHERE user_id = $1")
            .bind(user.as_str())
            .fetch_optional(&mut *conn)
            .await?;
    Ok(png.flatten())
}

/// Makes sure the person has a state row.
async fn ensure_row(conn: &mut Conn, user: &UserId, now: DateTime<Utc>) -> Result<()> {
    sqlx::query(
        "INSERT INTO profile_state (user_id, updated_at) VALUES ($1, $2)
         ON CONFLICT (user_id) DO NOTHING",
    )
    .bind(user.as_str())
    .bind(ts(now))
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Saves the person's original nickname and picture, before the bot's first change.
pub async fn save_original(
    conn: &mut Conn,
    user: &UserId,
    nickname: &str,
    png: &[u8],
    sha256: &str,
    now: DateTime<Utc>,
) -> Result<()> {
    ensure_row(conn, user, now).await?;
    sqlx::query(
        "UPDATE profile_state SET original_saved = 1, original_nickname = $2, original_png = $3,
           original_sha256 = $4, applied_sha256 = $4, updated_at = $5
         WHERE user_id = $1",
    )
    .bind(user.as_str())
    .bind(nickname)
    .bind(png.to_vec())
    .bind(sha256)
    .bind(ts(now))
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// What the bot shows (or is about to show) on a person's profile.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Shown<'a> {
    /// The preset's emoji; `None`: the original.
    pub emoji: Option<&'a str>,
    /// The picture written.
    pub sha256: Option<&'a str>,
    pub expires_at: Option<DateTime<Utc>>,
    /// Not confirmed yet: recorded before the writes (see [`ProfileState::applying`]).
    pub applying: bool,
}

/// Records what is shown: before the writes (`applying`), once they are done, or back to what it
/// was when they were refused.
pub async fn set_shown(
    conn: &mut Conn,
    user: &UserId,
    shown: Shown<'_>,
    now: DateTime<Utc>,
) -> Result<()> {
    ensure_row(conn, user, now).await?;
    sqlx::query(
        "UPDATE profile_state SET applied_emoji = $2, applied_sha256 = $3, expires_at = $4,
           applying = $5, updated_at = $6
         WHERE user_id = $1",
    )
    .bind(user.as_str())
    .bind(shown.emoji)
    .bind(shown.sha256)
    .bind(shown.expires_at.map(ts))
    .bind(i64::from(shown.applying))
    .bind(ts(now))
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// The original is shown again: it is forgotten, so the next change saves a fresh one (the person
/// may change their picture meanwhile).
pub async fn set_restored(conn: &mut Conn, user: &UserId, now: DateTime<Utc>) -> Result<()> {
    sqlx::query(
        "UPDATE profile_state SET original_saved = 0, original_nickname = NULL, original_png = NULL,
           original_sha256 = NULL, applied_emoji = NULL, applied_sha256 = NULL, expires_at = NULL,
           applying = 0, updated_at = $2
         WHERE user_id = $1",
    )
    .bind(user.as_str())
    .bind(ts(now))
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Mattermost refuses to let the bot manage this profile; true when this is news (tell them once).
pub async fn set_unmanageable(
    conn: &mut Conn,
    user: &UserId,
    reason: &str,
    now: DateTime<Utc>,
) -> Result<bool> {
    ensure_row(conn, user, now).await?;
    let done = sqlx::query(
        "UPDATE profile_state SET unmanageable = $2, updated_at = $3
         WHERE user_id = $1 AND unmanageable IS NULL",
    )
    .bind(user.as_str())
    .bind(reason)
    .bind(ts(now))
    .execute(&mut *conn)
    .await?;
    Ok(done.rows_affected() > 0)
}

/// Tries this profile again (a preset was added or changed).
pub async fn clear_unmanageable(conn: &mut Conn, user: &UserId, now: DateTime<Utc>) -> Result<()> {
    sqlx::query("UPDATE profile_state SET unmanageable = NULL, updated_at = $2 WHERE user_id = $1")
        .bind(user.as_str())
        .bind(ts(now))
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Marks people to be re-read and applied; an existing mark keeps its (earlier) time.
pub async fn mark_reconcile(conn: &mut Conn, users: &[UserId], now: DateTime<Utc>) -> Result<()> {
    for user in users {
        ensure_row(conn, user, now).await?;
        sqlx::query(
            "UPDATE profile_state SET reconcile_at = $2
             WHERE user_id = $1 AND reconcile_at IS NULL",
        )
        .bind(user.as_str())
        .bind(ts(now))
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

/// Whether anyone is marked (a cheap read before taking the write lock).
pub async fn any_marked(conn: &mut Conn) -> Result<bool> {
    let found: Option<i64> =
        sqlx::query_scalar("SELECT 1 FROM profile_state WHERE reconcile_at IS NOT NULL LIMIT 1")
            .fetch_optional(&mut *conn)
            .await?;
    Ok(found.is_some())
}

/// Takes up to `limit` marked people (the marks are cleared; the caller applies them).
pub async fn take_reconcile(conn: &mut Conn, limit: i64) -> Result<Vec<UserId>> {
    let ids: Vec<String> = sqlx::query_scalar(
        "SELECT user_id FROM profile_state WHERE reconcile_at IS NOT NULL
         ORDER BY reconcile_at, user_id LIMIT $1",
    )
    .bind(limit)
    .fetch_all(&mut *conn)
    .await?;
    for id in &ids {
        sqlx::query("UPDATE profile_state SET reconcile_at = NULL WHERE user_id = $1")
            .bind(id)
            .execute(&mut *conn)
            .await?;
    }
    Ok(ids.into_iter().map(UserId).collect())
}

/// The `profile restore` hold: the person asked for their original while this emoji is set, so its
/// preset is not applied again until the emoji changes; marked for reconciliation, so the engine
/// restores the original within seconds.
pub async fn hold(conn: &mut Conn, user: &UserId, emoji: &str, now: DateTime<Utc>) -> Result<()> {
    ensure_row(conn, user, now).await?;
    sqlx::query(
        "UPDATE profile_state SET held_emoji = $2, reconcile_at = COALESCE(reconcile_at, $3),
           updated_at = $3
         WHERE user_id = $1",
    )
    .bind(user.as_str())
    .bind(emoji)
    .bind(ts(now))
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// The emoji changed since `profile restore`: presets apply again.
pub async fn clear_hold(conn: &mut Conn, user: &UserId, now: DateTime<Utc>) -> Result<()> {
    sqlx::query("UPDATE profile_state SET held_emoji = NULL, updated_at = $2 WHERE user_id = $1")
        .bind(user.as_str())
        .bind(ts(now))
        .execute(&mut *conn)
        .await?;
    Ok(())
}
