//! Profile routes for presets (`api4/user.go` `patchUser`, `getProfileImage`, `setProfileImage`).
//!
//! Faithful details: a patch changes only the fields it carries, and `props` replaces the whole map
//! (wiping `customStatus`, which is why the bot must never send it); a nickname over 64 runes is
//! 400; changing someone else needs `manage_system` (the fake's permission rule: self or a system
//! admin caller), so a plain bot gets 403; an attribute synced from LDAP/SAML (`sync_attribute`) is
//! 409. A picture must decode (400 otherwise); a byte-identical picture is a silent no-op (no
//! event), as the server's stored PNG would not change. Every real change calls `user_changed`.

use std::collections::{HashMap, HashSet};
use std::io::Cursor;

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{FromRequest, Multipart, Path, Request, State as AxumState};
use axum::http::StatusCode;
use axum::http::header::CONTENT_TYPE;
use axum::response::Response;
use axum::routing::{get, put};
use serde_json::Value;

use super::faults::RouteKind;
use super::http::{ApiError, Ctx, Reply, parse_json, path_user_id, run_api};
use super::state::{Shared, State, lock, now_ms};

/// The fake's profile-preset records.
#[derive(Debug, Default)]
pub(crate) struct ProfileRecords {
    /// User id → the stored picture (absent: the generated default).
    pub pictures: HashMap<String, Vec<u8>>,
    /// (user id, attribute) synced from LDAP/SAML: `nickname` or `picture`.
    pub synced: HashSet<(String, String)>,
    /// Every patch body that reached the handler, in order.
    pub patch_bodies: Vec<Value>,
}

impl super::FakeMattermost {
    /// The user's picture as Mattermost would serve it now.
    pub fn picture_of(&self, username: &str) -> Vec<u8> {
        let id = self.user(username).id;
        let state = lock(&self.shared);
        picture(&state, &id)
    }

    /// The user's nickname.
    pub fn nickname_of(&self, username: &str) -> String {
        let id = self.user(username).id;
        lock(&self.shared)
            .users
            .get(&id)
            .map(|u| u.nickname.clone())
            .unwrap_or_default()
    }

    /// The user sets their own nickname (no request logged).
    pub fn set_nickname_as_user(&self, username: &str, nickname: &str) {
        let id = self.user(username).id;
        let mut state = lock(&self.shared);
        if let Some(u) = state.users.get_mut(&id) {
            u.nickname = nickname.to_string();
            u.update_at = now_ms();
        }
    }

    /// The user's `nickname` or `picture` is synced from LDAP/SAML: the API answers 409 to changes.
    pub fn sync_attribute(&self, username: &str, attribute: &str) {
        let id = self.user(username).id;
        lock(&self.shared)
            .profile
            .synced
            .insert((id, attribute.to_string()));
    }

    /// Every `PUT /users/{id}/patch` body received, in order.
    pub fn patch_bodies(&self) -> Vec<Value> {
        lock(&self.shared).profile.patch_bodies.clone()
    }
}

pub(crate) fn routes() -> Router<Shared> {
    Router::new()
        .route("/api/v4/users/{user_id}/patch", put(patch_user))
        .route(
            "/api/v4/users/{user_id}/image",
            get(get_profile_image)
                .post(set_profile_image)
                .delete(reset_profile_image),
        )
}

/// The generated default picture: a 128×128 grey PNG, the same for everyone here.
pub(crate) fn default_picture() -> Vec<u8> {
    let img = image::RgbaImage::from_pixel(128, 128, image::Rgba([120, 120, 120, 255]));
    let mut out = Vec::new();
    img.write_to(&mut Cursor::new(&mut out), image::ImageFormat::Png)
        .expect("encode the default picture");
    out
}

fn picture(state: &State, id: &str) -> Vec<u8> {
    state
        .profile
        .pictures
        .get(id)
        .cloned()
        .unwrap_or_else(default_picture)
}

/// `SessionHasPermissionToUser`: yourself, or `manage_system`.
fn check_can_edit(state: &State, caller: &str, target: &str) -> Result<(), ApiError> {
    if caller == target || state.is_admin(caller) {
        Ok(())
    } else {
        let mut error = ApiError::permissions("edit_other_users");
        error.detailed_error = format!("userId={target}, permission=edit_other_users");
        Err(error)
    }
}

fn synced(state: &State, id: &str, attribute: &str) -> Result<(), ApiError> {
    if state
        .profile
        .synced
        .contains(&(id.to_string(), attribute.to_string()))
    {
        Err(ApiError::new(
            StatusCode::CONFLICT,
            "api.user.patch_user.login_provider_attribute_set.app_error",
            "User field is set by login provider and cannot be updated.",
        ))
    } else {
        Ok(())
    }
}

async fn patch_user(
    AxumState(shared): AxumState<Shared>,
    Path(raw_id): Path<String>,
    ctx: Ctx,
    body: Bytes,
) -> Response {
    run_api(&shared, RouteKind::PatchUser, &ctx, |state, caller| {
        let id = path_user_id(&raw_id, caller)?;
        let patch: Value = parse_json(&body, || ApiError::invalid_body_param("user"))?;
        let Some(fields) = patch.as_object() else {
            return Err(ApiError::invalid_body_param("user"));
        };
        state.profile.patch_bodies.push(patch.clone());
        check_can_edit(state, caller, &id)?;
        if !state.users.get(&id).is_some_and(|u| u.is_active()) {
            return Err(ApiError::missing_account());
        }
        if fields.contains_key("nickname") {
            synced(state, &id, "nickname")?;
        }
        let nickname = match fields.get("nickname") {
            Some(Value::String(n)) => {
                if n.chars().count() > 64 {
                    return Err(ApiError::new(
                        StatusCode::BAD_REQUEST,
                        "model.user.is_valid.nickname.app_error",
                        "Invalid nickname.",
                    ));
                }
                Some(n.clone())
            }
            None | Some(Value::Null) => None,
            Some(_) => return Err(ApiError::invalid_body_param("user")),
        };
        let user = state
            .users
            .get_mut(&id)
            .ok_or_else(ApiError::missing_account)?;
        if let Some(n) = nickname {
            user.nickname = n;
        }
        // `props` replaces the whole map, custom status included.
        if let Some(Value::Object(props)) = fields.get("props") {
            user.props = props.clone();
        }
        user.update_at = now_ms();
        let json = user.to_json();
        state.user_changed(&id);
        Ok(Reply::ok(json))
    })
    .await
}

async fn get_profile_image(
    AxumState(shared): AxumState<Shared>,
    Path(raw_id): Path<String>,
    ctx: Ctx,
) -> Response {
    run_api(
        &shared,
        RouteKind::GetProfileImage,
        &ctx,
        |state, caller| {
            let id = path_user_id(&raw_id, caller)?;
            if !state.users.contains_key(&id) {
                return Err(ApiError::missing_account());
            }
            Ok(Reply::Bytes(
                StatusCode::OK,
                "image/png",
                picture(state, &id),
            ))
        },
    )
    .await
}

async fn set_profile_image(
    AxumState(shared): AxumState<Shared>,
    Path(raw_id): Path<String>,
    ctx: Ctx,
    body: Bytes,
) -> Response {
    let upload = read_image(&ctx, body).await;
    run_api(
        &shared,
        RouteKind::SetProfileImage,
        &ctx,
        |state, caller| {
            let id = path_user_id(&raw_id, caller)?;
            check_can_edit(state, caller, &id)?;
            if !state.users.get(&id).is_some_and(|u| u.is_active()) {
                return Err(ApiError::missing_account());
            }
            synced(state, &id, "picture")?;
            let bytes = upload?;
            if image::load_from_memory(&bytes).is_err() {
                return Err(ApiError::new(
                    StatusCode::BAD_REQUEST,
                    "api.user.upload_profile_user.decode.app_error",
                    "Unable to decode profile image data.",
                ));
            }
            if state.profile.pictures.get(&id) == Some(&bytes) {
                // The stored PNG would be byte-identical: nothing changes, nothing is published.
                return Ok(Reply::status_ok());
            }
            state.profile.pictures.insert(id.clone(), bytes);
            if let Some(u) = state.users.get_mut(&id) {
                u.update_at = now_ms();
                u.last_picture_update = u.update_at;
            }
            state.user_changed(&id);
            Ok(Reply::status_ok())
        },
    )
    .await
}

/// `SetDefaultProfileImage`: the generated default again. The server's `ResetLastPictureUpdate`
/// stores minus the time (a negative `last_picture_update` means "the default", and busts caches).
async fn reset_profile_image(
    AxumState(shared): AxumState<Shared>,
    Path(raw_id): Path<String>,
    ctx: Ctx,
) -> Response {
    run_api(
        &shared,
        RouteKind::ResetProfileImage,
        &ctx,
        |state, caller| {
            let id = path_user_id(&raw_id, caller)?;
            check_can_edit(state, caller, &id)?;
            if !state.users.get(&id).is_some_and(|u| u.is_active()) {
                return Err(ApiError::missing_account());
            }
            synced(state, &id, "picture")?;
            state.profile.pictures.remove(&id);
            if let Some(u) = state.users.get_mut(&id) {
                u.update_at = now_ms();
                u.last_picture_update = -u.update_at;
            }
            state.user_changed(&id);
            Ok(Reply::status_ok())
        },
    )
    .await
}

/// The multipart `image` field (`api.user.upload_profile_user.no_file.app_error` without it).
async fn read_image(ctx: &Ctx, body: Bytes) -> Result<Vec<u8>, ApiError> {
    let bad = |id: &'static str| {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            id,
            "Could not parse the multipart form.",
        )
    };
    let content_type = ctx
        .headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    if !content_type.starts_with("multipart/form-data") {
        return Err(bad("api.user.upload_profile_user.parse.app_error"));
    }
    let request = Request::builder()
        .header(CONTENT_TYPE, content_type)
        .body(Body::from(body))
        .map_err(|_| bad("api.user.upload_profile_user.parse.app_error"))?;
    let mut multipart = Multipart::from_request(request, &())
        .await
        .map_err(|_| bad("api.user.upload_profile_user.parse.app_error"))?;
    while let Some(field) = multipart
        .next_field()
        .await
        .map_err(|_| bad("api.user.upload_profile_user.parse.app_error"))?
    {
        if field.name() == Some("image") {
            let bytes = field
                .bytes()
                .await
                .map_err(|_| bad("api.user.upload_profile_user.parse.app_error"))?;
            return Ok(bytes.to_vec());
        }
    }
    Err(bad("api.user.upload_profile_user.no_file.app_error"))
}

impl super::FakeMattermost {
    /// The user clears their custom status themselves (no request logged).
    pub fn clear_custom_status_as_user(&self, username: &str) {
        let id = self.user(username).id;
        let mut state = lock(&self.shared);
        if let Some(u) = state.users.get_mut(&id) {
            u.props.remove("customStatus");
            u.update_at = now_ms();
        }
        state.user_changed(&id);
    }
}
