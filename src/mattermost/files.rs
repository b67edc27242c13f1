//! File attachments (`POST /api/v4/files`, multipart) and the server's version
//! (`GET /api/v4/system/ping`, whose `X-Version-ID` header names it).

use reqwest::multipart::{Form, Part};
use reqwest::{Method, StatusCode};
use serde::Deserialize;

use super::client::{MattermostClient, check_segment};
use super::error::{MattermostError, cap_text};
use super::model::ChannelId;
use super::model::lenient::null_as_default;

/// What the server says about an uploaded file (`model.FileInfo`, the fields the bot reads).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct FileInfo {
    pub id: String,
    #[serde(default, deserialize_with = "null_as_default")]
    pub name: String,
    #[serde(default, deserialize_with = "null_as_default")]
    pub size: i64,
    #[serde(default, deserialize_with = "null_as_default")]
    pub mime_type: String,
}

/// `model.FileUploadResponse`.
#[derive(Debug, Deserialize)]
struct UploadResponse {
    #[serde(default, deserialize_with = "null_as_default")]
    file_infos: Vec<FileInfo>,
}

impl MattermostClient {
    /// Uploads one file into a channel the bot may post in, to attach to a post with `file_ids`.
    /// `channel_id` goes first in the form, so the server streams the file instead of buffering the
    /// whole request.
    pub async fn upload_file(
        &self,
        channel_id: &ChannelId,
        filename: &str,
        mime_type: &str,
        bytes: Vec<u8>,
    ) -> Result<FileInfo, MattermostError> {
        check_segment(channel_id.as_str(), "channel id")?;
        let part = Part::bytes(bytes)
            .file_name(filename.to_string())
            .mime_str(mime_type)
            .map_err(|e| MattermostError::InvalidRequest(cap_text(&e.to_string())))?;
        let form = Form::new()
            .text("channel_id", channel_id.as_str().to_string())
            .part("files", part);
        let url = self.api_url(&["files"]);
        let response: UploadResponse = self
            .call_json(
                "POST /files",
                self.api(Method::POST, url).multipart(form),
                StatusCode::CREATED,
            )
            .await?;
        response
            .file_infos
            .into_iter()
            .next()
            .ok_or_else(|| MattermostError::Decode("the upload answer lists no file".to_string()))
    }

    /// Whether the server answers, and its version (`X-Version-ID`, e.g. `10.11.0.…`; the first
    /// three parts are the release).
    pub async fn server_version(&self) -> Result<String, MattermostError> {
        let url = self.api_url(&["system", "ping"]);
        let response = self
            .call(
                "GET /system/ping",
                self.api(Method::GET, url),
                StatusCode::OK,
            )
            .await?;
        let version = response
            .headers()
            .get("x-version-id")
            .and_then(|v| v.to_str().ok())
            .map(|v| cap_text(v.trim()))
            .unwrap_or_default();
        Ok(if version.is_empty() {
            "unknown".to_string()
        } else {
            version
        })
    }
}
