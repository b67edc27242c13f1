//! A preset's picture: downloaded once when the preset is added, decoded, and normalised to a
//! 128×128 PNG (what Mattermost stores anyway), so every later write sends identical bytes and
//! costs nothing to prepare.
//!
//! Anyone may add a preset, and the bot fetches from inside the operator's network, so the link
//! goes through the same address guard as ICS feeds (`LOTTO_ALLOW_PRIVATE_URLS`); the body, the
//! pixel count and the decoder's memory are all capped.

use std::io::Cursor;
use std::time::Duration;

use image::imageops::FilterType;
use image::{ImageFormat, ImageReader, Limits};
use sha2::{Digest, Sha256};

use crate::url_guard::{self, AddressPolicy};

/// The side of the stored square, as Mattermost stores profile pictures.
pub const SIDE: u32 = 128;
/// The largest picture file accepted.
pub const MAX_BYTES: usize = 5 * 1024 * 1024;
/// The widest and tallest picture accepted (Mattermost's default `MaxImageResolution` is 7680×4320).
pub const MAX_SIDE_PIXELS: u32 = 8192;
/// The most pixels accepted.
pub const MAX_PIXELS: u64 = 7680 * 4320;
const FETCH_TIMEOUT: Duration = Duration::from_secs(15);

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum PictureError {
    #[error("the picture link can't be used: {0}")]
    BadUrl(String),
    #[error("the picture link can't be fetched: {0}")]
    Refused(String),
    #[error("the picture could not be downloaded ({0})")]
    Download(String),
    #[error("the picture link answered HTTP {0}")]
    Http(u16),
    #[error("the picture is larger than {} MB", MAX_BYTES / (1024 * 1024))]
    TooLarge,
    #[error(
        "the picture is {width}×{height} pixels; the most accepted is {MAX_PIXELS} pixels, at most {MAX_SIDE_PIXELS} on a side"
    )]
    TooManyPixels { width: u32, height: u32 },
    #[error("the link is not a picture the bot can read (PNG, JPEG, GIF or WebP): {0}")]
    NotAnImage(String),
}

/// A normalised picture: a 128×128 PNG and its SHA-256 (hex).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Picture {
    pub png: Vec<u8>,
    pub sha256: String,
}

/// Downloads pictures from links people give.
#[derive(Debug, Clone)]
pub struct PictureFetcher {
    http: reqwest::Client,
    policy: AddressPolicy,
}

impl PictureFetcher {
    pub fn new(policy: AddressPolicy) -> Result<Self, PictureError> {
        let http = url_guard::client_builder(FETCH_TIMEOUT, policy)
            .user_agent(concat!("solar-lottery/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| PictureError::Download(e.to_string()))?;
        Ok(Self { http, policy })
    }

    /// Downloads, decodes and normalises the picture at `url`.
    pub async fn fetch(&self, url: &str) -> Result<Picture, PictureError> {
        let parsed =
            reqwest::Url::parse(url.trim()).map_err(|e| PictureError::BadUrl(e.to_string()))?;
        if !matches!(parsed.scheme(), "http" | "https") {
            return Err(PictureError::BadUrl(
                "only http:// and https:// links can be fetched".into(),
            ));
        }
        url_guard::check_resolved(&parsed, self.policy)
            .await
            .map_err(|reason| PictureError::Refused(reason.to_string()))?;
        let mut response = self
            .http
            .get(parsed)
            .header(reqwest::header::ACCEPT, "image/*")
            .send()
            .await
            .map_err(|e| PictureError::Download(describe(&e)))?;
        if !response.status().is_success() {
            return Err(PictureError::Http(response.status().as_u16()));
        }
        if response
            .content_length()
            .is_some_and(|n| n > MAX_BYTES as u64)
        {
            return Err(PictureError::TooLarge);
        }
        let mut body = Vec::new();
        while let Some(chunk) = response
            .chunk()
            .await
            .map_err(|e| PictureError::Download(describe(&e)))?
        {
            if body.len() + chunk.len() > MAX_BYTES {
                return Err(PictureError::TooLarge);
            }
            body.extend_from_slice(&chunk);
        }
        // Decoding is CPU work: off the async workers.
        tokio::task::spawn_blocking(move || normalise(&body))
            .await
            .map_err(|_| PictureError::NotAnImage("reading it failed unexpectedly".into()))?
    }
}

/// Decodes `bytes` (PNG, JPEG, GIF or WebP, within the pixel limits) and centre-fills a 128×128
/// PNG, as Mattermost does with an uploaded picture.
pub fn normalise(bytes: &[u8]) -> Result<Picture, PictureError> {
    let reader = ImageReader::new(Cursor::new(bytes))
        .with_guessed_format()
        .map_err(|e| PictureError::NotAnImage(e.to_string()))?;
    if reader.format().is_none() {
        return Err(PictureError::NotAnImage(
            "its format is not recognised".into(),
        ));
    }
    let (width, height) = reader
        .into_dimensions()
        .map_err(|e| PictureError::NotAnImage(e.to_string()))?;
    if width > MAX_SIDE_PIXELS
        || height > MAX_SIDE_PIXELS
        || u64::from(width) * u64::from(height) > MAX_PIXELS
    {
        return Err(PictureError::TooManyPixels { width, height });
    }
    let mut reader = ImageReader::new(Cursor::new(bytes))
        .with_guessed_format()
        .map_err(|e| PictureError::NotAnImage(e.to_string()))?;
    let mut limits = Limits::default();
    limits.max_image_width = Some(MAX_SIDE_PIXELS);
    limits.max_image_height = Some(MAX_SIDE_PIXELS);
    limits.max_alloc = Some(512 * 1024 * 1024);
    reader.limits(limits);
    let decoded = reader
        .decode()
        .map_err(|e| PictureError::NotAnImage(e.to_string()))?;
    let square = decoded.resize_to_fill(SIDE, SIDE, FilterType::Triangle);
    let mut png = Vec::new();
    square
        .to_rgba8()
        .write_to(&mut Cursor::new(&mut png), ImageFormat::Png)
        .map_err(|e| PictureError::NotAnImage(e.to_string()))?;
    let sha256 = sha256_hex(&png);
    Ok(Picture { png, sha256 })
}

/// The SHA-256 of `bytes`, in lowercase hex.
pub fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// reqwest's error with its causes (the guard's refusal is a cause), without the URL.
fn describe(e: &reqwest::Error) -> String {
    let mut text = if e.is_timeout() {
        "it did not answer in time"
    } else if e.is_connect() {
        "could not connect"
    } else {
        "the request failed"
    }
    .to_string();
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        text.push_str(": ");
        text.push_str(&s.to_string());
        source = s.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    fn png(width: u32, height: u32) -> Vec<u8> {
        let img = image::RgbaImage::from_pixel(width, height, image::Rgba([200, 30, 30, 255]));
        let mut out = Vec::new();
        img.write_to(&mut Cursor::new(&mut out), ImageFormat::Png)
            .unwrap();
        out
    }

    #[test]
    fn pictures_become_identical_128_pixel_pngs() {
        let a = normalise(&png(300, 200)).unwrap();
        let b = normalise(&png(300, 200)).unwrap();
        assert_eq!(a, b);
        let back = image::load_from_memory(&a.png).unwrap();
        assert_eq!((back.width(), back.height()), (SIDE, SIDE));
        assert_eq!(a.sha256.len(), 64);
    }

    #[test]
    fn what_is_not_a_picture_is_refused() {
        assert!(matches!(
            normalise(b"<html>hello</html>"),
            Err(PictureError::NotAnImage(_))
        ));
        assert!(matches!(
            normalise(&png(9000, 10)),
            Err(PictureError::TooManyPixels { .. })
        ));
    }
}
