//! Status and custom status routes (`api4/status.go`, `app/platform/status.go`,
//! `model/custom_status.go`), including the permission rule of contract §3.

use axum::body::Bytes;
use axum::extract::{Path, State as AxumState};
use axum::http::StatusCode;
use axum::response::Response;
use chrono::{DateTime, Utc};
use serde_json::{Value, json};

use super::faults::RouteKind;
use super::http::{ApiError, Ctx, Reply, parse_json, path_user_id, run_api};
use super::state::{FakeStatus, Shared, State, StatusWrite, now_ms};

const CUSTOM_STATUS_DURATIONS: [&str; 6] = [
    "thirty_minutes",
    "one_hour",
    "four_hours",
    "today",
    "this_week",
    "date_and_time",
];
/// `CustomStatusTextMaxRunes`.
const CUSTOM_STATUS_TEXT_MAX_CHARS: usize = 100;

pub(crate) async fn get_statuses_by_ids(
    AxumState(shared): AxumState<Shared>,
    ctx: Ctx,
    body: Bytes,
) -> Response {
    run_api(&shared, RouteKind::GetStatusesByIds, &ctx, |state, _| {
        // `model.ArrayFromJSON` reads anything unparsable as an empty list.
        let mut ids: Vec<String> = serde_json::from_slice(&body).unwrap_or_default();
        if ids.is_empty() || ids.iter().any(|id| id.len() != 26) {
            return Err(ApiError::invalid_body_param("user_ids"));
        }
        // The server answers from a map: one entry per user, in no particular order.
        ids.sort();
        ids.dedup();
        let statuses: Vec<Value> = ids
            .iter()
            .rev()
            .map(|id| state.status(id).to_json(id))
            .collect();
        Ok(Reply::ok(Value::Array(statuses)))
    })
    .await
}

pub(crate) async fn get_status(
    AxumState(shared): AxumState<Shared>,
    Path(raw_id): Path<String>,
    ctx: Ctx,
) -> Response {
    run_api(&shared, RouteKind::GetStatus, &ctx, |state, caller| {
        let id = path_user_id(&raw_id, caller)?;
        Ok(Reply::ok(state.status(&id).to_json(&id)))
    })
    .await
}

pub(crate) async fn update_status(
    AxumState(shared): AxumState<Shared>,
    Path(raw_id): Path<String>,
    ctx: Ctx,
    body: Bytes,
) -> Response {
    run_api(&shared, RouteKind::UpdateStatus, &ctx, |state, caller| {
        let id = path_user_id(&raw_id, caller)?;
        let request: Value = parse_json(&body, || ApiError::invalid_body_param("status"))?;
        let field = |key: &str| request.get(key).and_then(Value::as_str).unwrap_or("");
        let status = field("status").to_string();
        let dnd_end_time = request
            .get("dnd_end_time")
            .and_then(Value::as_i64)
            .unwrap_or(0);
        let result = apply_status(state, caller, &id, field("user_id"), &status, dnd_end_time);
        let http_status = result
            .as_ref()
            .map_or_else(|e| e.status, |_| StatusCode::OK);
        state.status_writes.push(StatusWrite {
            username: state.username_of(&id),
            status,
            dnd_end_time,
            by: state.username_of(caller),
            http_status: http_status.as_u16(),
        });
        result
    })
    .await
}

fn apply_status(
    state: &mut State,
    caller: &str,
    id: &str,
    body_user_id: &str,
    status: &str,
    dnd_end_time: i64,
) -> Result<Reply, ApiError> {
    if body_user_id != id {
        return Err(ApiError::invalid_body_param("user_id"));
    }
    check_can_edit(state, caller, id)?;
    if !matches!(status, "online" | "away" | "offline" | "dnd") {
        return Err(ApiError::invalid_body_param("status"));
    }
    let current = state.status(id);
    let next = match status {
        // `SetStatusOnline(manual=true)` stores manual=false: online is "automatic".
        "online" => FakeStatus {
            status: "online".into(),
            manual: false,
            last_activity_at: now_ms(),
            dnd_end_time: 0,
            prev_status: current.prev_status,
        },
        // `SetStatusDoNotDisturbTimed`: remembers the previous status, end time to the whole minute.
        "dnd" => FakeStatus {
            status: "dnd".into(),
            manual: true,
            last_activity_at: current.last_activity_at,
            dnd_end_time: if dnd_end_time > 0 {
                dnd_end_time - dnd_end_time % 60
            } else {
                0
            },
            prev_status: if current.status == "dnd" {
                current.prev_status
            } else {
                current.status
            },
        },
        _ => FakeStatus {
            status: status.to_string(),
            manual: true,
            last_activity_at: current.last_activity_at,
            dnd_end_time: 0,
            prev_status: current.prev_status,
        },
    };
    state.statuses.insert(id.to_string(), next);
    Ok(Reply::ok(state.status(id).to_json(id)))
}

pub(crate) async fn update_custom_status(
    AxumState(shared): AxumState<Shared>,
    Path(raw_id): Path<String>,
    ctx: Ctx,
    body: Bytes,
) -> Response {
    run_api(
        &shared,
        RouteKind::UpdateCustomStatus,
        &ctx,
        |state, caller| {
            let id = path_user_id(&raw_id, caller)?;
            check_enabled(state)?;
            let custom = parse_custom_status(&body)?;
            check_can_edit(state, caller, &id)?;
            let stored = custom.pre_save();
            if !stored.emoji.is_empty() && !emoji_exists(state, &stored.emoji) {
                return Err(ApiError::new(
                    StatusCode::BAD_REQUEST,
                    "api.custom_status.set_custom_statuses.emoji_not_found",
                    "Failed to update the custom status. No emoji with the given name exists.",
                ));
            }
            let user = state
                .users
                .get_mut(&id)
                .ok_or_else(ApiError::missing_account)?;
            user.props
                .insert("customStatus".into(), json!(stored.to_json().to_string()));
            user.update_at = now_ms();
            state.user_changed(&id);
            Ok(Reply::status_ok())
        },
    )
    .await
}

pub(crate) async fn clear_custom_status(
    AxumState(shared): AxumState<Shared>,
    Path(raw_id): Path<String>,
    ctx: Ctx,
) -> Response {
    run_api(
        &shared,
        RouteKind::ClearCustomStatus,
        &ctx,
        |state, caller| {
            let id = path_user_id(&raw_id, caller)?;
            check_enabled(state)?;
            check_can_edit(state, caller, &id)?;
            let user = state
                .users
                .get_mut(&id)
                .ok_or_else(ApiError::missing_account)?;
            user.props.remove("customStatus");
            user.update_at = now_ms();
            state.user_changed(&id);
            Ok(Reply::status_ok())
        },
    )
    .await
}

/// `SessionHasPermissionToUser`: yourself, or anyone with `manage_system` (system_admin).
fn check_can_edit(state: &State, caller: &str, target: &str) -> Result<(), ApiError> {
    if caller == target || state.is_admin(caller) {
        Ok(())
    } else {
        let mut error = ApiError::permissions("edit_other_users");
        error.detailed_error = format!("userId={target}, permission=edit_other_users");
        Err(error)
    }
}

fn check_enabled(state: &State) -> Result<(), ApiError> {
    if state.custom_statuses_enabled {
        Ok(())
    } else {
        Err(ApiError::new(
            StatusCode::NOT_IMPLEMENTED,
            "api.custom_status.disabled",
            "Custom status feature has been disabled. Please contact your system administrator for details.",
        ))
    }
}

/// A custom status as the fake stores it (the JSON string in `props.customStatus`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FakeCustomStatus {
    pub emoji: String,
    pub text: String,
    pub duration: String,
    /// `None` for Go's zero time.
    pub expires_at: Option<DateTime<Utc>>,
}

impl FakeCustomStatus {
    /// `CustomStatus.PreSave`: an empty duration with an expiry becomes `date_and_time`, text is cut
    /// to 100 characters.
    fn pre_save(mut self) -> Self {
        if self.duration.is_empty() && self.expires_at.is_some() {
            self.duration = "date_and_time".into();
        }
        self.text = self
            .text
            .chars()
            .take(CUSTOM_STATUS_TEXT_MAX_CHARS)
            .collect();
        self
    }

    fn to_json(&self) -> Value {
        json!({
            "emoji": self.emoji,
            "text": self.text,
            "duration": self.duration,
            "expires_at": self.expires_at.map_or_else(
                || "0001-01-01T00:00:00Z".to_string(),
                |t| t.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true)
            ),
        })
    }

    /// Reads the JSON string kept in `props.customStatus`.
    pub(crate) fn from_prop(value: &Value) -> Option<Self> {
        let doc: Value = serde_json::from_str(value.as_str()?).ok()?;
        let text = |key: &str| {
            doc.get(key)
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_string()
        };
        Some(Self {
            emoji: text("emoji"),
            text: text("text"),
            duration: text("duration"),
            expires_at: parse_expiry(doc.get("expires_at")).ok().flatten(),
        })
    }
}

/// Decodes and validates like `updateUserCustomStatus`: both emoji and text empty, an unknown
/// duration, or an expiry in the past is 400 `custom_status`.
fn parse_custom_status(body: &Bytes) -> Result<FakeCustomStatus, ApiError> {
    let invalid = || ApiError::invalid_body_param("custom_status");
    let doc: Value = serde_json::from_slice(body).map_err(|_| invalid())?;
    let object = doc.as_object().ok_or_else(invalid)?;
    let text = |key: &str| -> Result<String, ApiError> {
        match object.get(key) {
            None | Some(Value::Null) => Ok(String::new()),
            Some(Value::String(s)) => Ok(s.clone()),
            Some(_) => Err(invalid()),
        }
    };
    let custom = FakeCustomStatus {
        emoji: text("emoji")?,
        text: text("text")?,
        duration: text("duration")?,
        expires_at: parse_expiry(object.get("expires_at")).map_err(|()| invalid())?,
    };
    if custom.emoji.is_empty() && custom.text.is_empty() {
        return Err(invalid());
    }
    let in_past = custom.expires_at.is_some_and(|t| t < Utc::now());
    let valid = if custom.duration.is_empty() {
        !in_past
    } else {
        CUSTOM_STATUS_DURATIONS.contains(&custom.duration.as_str())
            && custom.expires_at.is_some_and(|t| t >= Utc::now())
    };
    if valid { Ok(custom) } else { Err(invalid()) }
}

/// Go `time.Time` from JSON: RFC 3339; missing or the zero time means none.
fn parse_expiry(value: Option<&Value>) -> Result<Option<DateTime<Utc>>, ()> {
    match value {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(text)) => {
            let time = DateTime::parse_from_rfc3339(text).map_err(|_| ())?;
            let time = time.with_timezone(&Utc);
            Ok((time.timestamp() > 0).then_some(time))
        }
        Some(_) => Err(()),
    }
}

/// Mattermost's system emoji (the same short names as the `emojis` crate's gemoji shortcodes),
/// plus the custom emoji added to the fake (`FakeMattermost::add_custom_emoji`).
pub(crate) fn emoji_exists(state: &State, name: &str) -> bool {
    emojis::get_by_shortcode(name).is_some()
        || (state.custom_emoji_enabled && state.custom_emoji.contains(name))
}
