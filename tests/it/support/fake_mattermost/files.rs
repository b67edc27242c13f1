//! File uploads (`api4/file.go` `uploadFileStream`: multipart with `channel_id` then `files`, or
//! the simple form with the file as the body and `channel_id`/`filename` in the query) and
//! `GET /system/ping`, whose `X-Version-ID` header names the server's version.
//!
//! Faithful details: file attachments can be turned off (501); the caller needs `upload_file` in
//! the channel (403); a file over `FileSettings.MaxFileSize` is 413; an unknown text field is 400;
//! `client_ids`, when given, must match the files one to one. A file part before `channel_id`
//! switches the server to its buffered legacy mode, where only `files` parts count.

use axum::body::{Body, Bytes};
use axum::extract::{FromRequest, Multipart, Request, State as AxumState};
use axum::http::StatusCode;
use axum::http::header::CONTENT_TYPE;
use axum::response::Response;
use serde_json::{Value, json};

use super::faults::RouteKind;
use super::http::{ApiError, Ctx, Reply, run_api, run_open};
use super::state::{Shared, State, new_id, now_ms};

/// An uploaded file as the fake stored it.
#[derive(Debug, Clone, PartialEq)]
pub struct FakeFile {
    pub id: String,
    pub channel_id: String,
    pub user_id: String,
    pub name: String,
    pub mime_type: String,
    pub bytes: Vec<u8>,
    /// The post it was attached to (empty until then).
    pub post_id: String,
    pub create_at: i64,
}

impl FakeFile {
    /// `model.FileInfo` as the server sends it.
    pub(crate) fn to_json(&self) -> Value {
        let extension = self
            .name
            .rsplit_once('.')
            .map(|(_, e)| e.to_lowercase())
            .unwrap_or_default();
        json!({
            "id": self.id,
            "user_id": self.user_id,
            "post_id": self.post_id,
            "channel_id": self.channel_id,
            "create_at": self.create_at,
            "update_at": self.create_at,
            "delete_at": 0,
            "name": self.name,
            "extension": extension,
            "size": self.bytes.len(),
            "mime_type": self.mime_type,
            "width": 0,
            "height": 0,
            "has_preview_image": false,
            "mini_preview": null,
            "remote_id": "",
            "archived": false,
        })
    }
}

impl super::FakeMattermost {
    /// `FileSettings.EnableFileAttachments` (on by default); off gives 501 on uploads.
    pub fn set_file_attachments_enabled(&self, enabled: bool) {
        super::lock(&self.shared).file_attachments_enabled = enabled;
    }

    /// Every file uploaded, oldest first.
    pub fn files(&self) -> Vec<FakeFile> {
        super::lock(&self.shared).files.clone()
    }

    /// The files attached to the bot's posts in its DM with this user, oldest first.
    pub fn dm_files_to(&self, username: &str) -> Vec<FakeFile> {
        let posts = self.dm_posts_to(username);
        let state = super::lock(&self.shared);
        posts
            .iter()
            .flat_map(|p| p.file_ids.iter())
            .filter_map(|id| state.files.iter().find(|f| &f.id == id).cloned())
            .collect()
    }
}

/// What the request carried, before the server's checks.
struct Upload {
    channel_id: String,
    client_ids: Vec<String>,
    files: Vec<(String, String, Vec<u8>)>,
}

pub(crate) async fn upload_file(
    AxumState(shared): AxumState<Shared>,
    ctx: Ctx,
    body: Bytes,
) -> Response {
    let upload = read_upload(&ctx, body).await;
    run_api(&shared, RouteKind::UploadFile, &ctx, |state, caller| {
        if !state.file_attachments_enabled {
            return Err(ApiError::new(
                StatusCode::NOT_IMPLEMENTED,
                "api.file.attachments.disabled.app_error",
                "File attachments have been disabled on this server.",
            ));
        }
        let upload = upload?;
        if upload.channel_id.is_empty() {
            return Err(ApiError::invalid_url_param("channel_id"));
        }
        if !can_upload(state, caller, &upload.channel_id) {
            return Err(ApiError::permissions("upload_file"));
        }
        if !upload.client_ids.is_empty() && upload.client_ids.len() != upload.files.len() {
            return Err(ApiError::new(
                StatusCode::BAD_REQUEST,
                "api.file.upload_file.incorrect_number_of_client_ids.app_error",
                "Unable to upload files. Have different number of client ids and files.",
            ));
        }
        if upload
            .files
            .iter()
            .any(|(_, _, bytes)| bytes.len() > state.max_file_size)
        {
            return Err(ApiError::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                "api.file.upload_file.too_large_detailed.app_error",
                "Unable to upload file. File is too large.",
            ));
        }
        let now = now_ms();
        let mut infos = Vec::new();
        for (name, mime_type, bytes) in upload.files {
            let file = FakeFile {
                id: new_id(),
                channel_id: upload.channel_id.clone(),
                user_id: caller.to_string(),
                name,
                mime_type,
                bytes,
                post_id: String::new(),
                create_at: now,
            };
            infos.push(file.to_json());
            state.files.push(file);
        }
        Ok(Reply::Json(
            StatusCode::CREATED,
            json!({"file_infos": infos, "client_ids": upload.client_ids}),
        ))
    })
    .await
}

/// Reads the request as the server does: multipart, or the simple form (body = the file).
async fn read_upload(ctx: &Ctx, body: Bytes) -> Result<Upload, ApiError> {
    let read_error = || {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            "api.file.upload_file.read_request.app_error",
            "Unable to upload file(s). Error reading or parsing request data.",
        )
    };
    let content_type = ctx
        .headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    if !content_type.starts_with("multipart/form-data") {
        let filename = ctx.query_param("filename").unwrap_or_default();
        if filename.is_empty() {
            return Err(ApiError::invalid_url_param("filename"));
        }
        return Ok(Upload {
            channel_id: ctx.query_param("channel_id").unwrap_or_default(),
            client_ids: ctx.query_param("client_id").into_iter().collect(),
            files: vec![(filename, "application/octet-stream".into(), body.to_vec())],
        });
    }
    let request = Request::builder()
        .header(CONTENT_TYPE, content_type)
        .body(Body::from(body))
        .map_err(|_| read_error())?;
    let mut multipart = Multipart::from_request(request, &())
        .await
        .map_err(|_| read_error())?;
    let mut upload = Upload {
        channel_id: ctx.query_param("channel_id").unwrap_or_default(),
        client_ids: Vec::new(),
        files: Vec::new(),
    };
    // Legacy (buffered) mode once a file comes before `channel_id`: only `files` parts count.
    let mut legacy = false;
    while let Some(field) = multipart.next_field().await.map_err(|_| read_error())? {
        let name = field.name().unwrap_or("").to_string();
        if name.is_empty() {
            continue;
        }
        match field.file_name().map(str::to_string) {
            None => {
                let value = field.text().await.map_err(|_| read_error())?;
                match name.as_str() {
                    "channel_id" => {
                        if !upload.channel_id.is_empty() && upload.channel_id != value {
                            return Err(ApiError::new(
                                StatusCode::BAD_REQUEST,
                                "api.file.upload_file.multiple_channel_ids.app_error",
                                "Unable to upload file(s). Multiple conflicting channel_ids.",
                            ));
                        }
                        upload.channel_id = value;
                    }
                    "client_ids" => upload.client_ids.push(value),
                    _ if legacy => {}
                    other => return Err(ApiError::invalid_body_param(other)),
                }
            }
            Some(file_name) => {
                if upload.channel_id.is_empty() {
                    legacy = true;
                }
                if legacy && name != "files" {
                    continue;
                }
                let mime_type = field
                    .content_type()
                    .unwrap_or("application/octet-stream")
                    .to_string();
                let bytes = field.bytes().await.map_err(|_| read_error())?;
                upload.files.push((file_name, mime_type, bytes.to_vec()));
            }
        }
    }
    Ok(upload)
}

/// `upload_file` in the channel: a member of a DM, or anyone on the team in a public channel.
fn can_upload(state: &State, caller: &str, channel_id: &str) -> bool {
    state
        .channels
        .get(channel_id)
        .is_some_and(|c| c.channel_type == "O" || c.members.iter().any(|m| m == caller))
}

/// `GET /system/ping`: no session needed; the version is in `X-Version-ID` (set for every answer).
pub(crate) async fn ping(AxumState(shared): AxumState<Shared>, ctx: Ctx) -> Response {
    run_open(&shared, RouteKind::SystemPing, &ctx, |_| {
        Ok(Reply::ok(json!({
            "ActiveSearchBackend": "database",
            "AndroidLatestVersion": "",
            "status": "OK",
        })))
    })
    .await
}

/// Attaches the post's `file_ids` as `attachFilesToPost` does: a file that is unknown, someone
/// else's, from another channel or already attached is silently dropped. Returns the ids kept.
pub(crate) fn attach(
    state: &mut State,
    caller: &str,
    channel_id: &str,
    post_id: &str,
    ids: &[String],
) -> Vec<String> {
    let mut kept = Vec::new();
    for id in ids {
        if let Some(file) = state.files.iter_mut().find(|f| {
            &f.id == id && f.user_id == caller && f.channel_id == channel_id && f.post_id.is_empty()
        }) {
            file.post_id = post_id.to_string();
            kept.push(id.clone());
        }
    }
    kept
}
