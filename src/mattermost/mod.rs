//! Our own thin, typed client for the Mattermost REST API v4 (see DESIGN.md for why not a crate).
//!
//! About fifteen calls — users, DMs, posts, statuses, custom status, `response_url` — on one shared
//! `reqwest` client with a timeout on every request and the bot token as `Authorization: Bearer`.
//! Every answer is untrusted: bodies are size-capped, models tolerate missing and unknown fields, and
//! errors keep Mattermost's AppError (or the plain-text 429 body) so callers can decide whether to
//! retry (`MattermostError::is_retryable`). The wire facts are in docs/mattermost-contract.md §2.
//! The WebSocket client (`websocket`) shares the client's address and token.

mod admin;
mod batch;
mod channels;
mod client;
mod error;
mod files;
pub mod model;
mod post_edit;
mod posts;
mod profile;
mod statuses;
mod users;
pub mod websocket;

pub use client::{DEFAULT_REQUEST_TIMEOUT, MattermostClient};
pub use error::{AppError, MattermostError};
pub use files::FileInfo;
pub use model::{
    Bot, Channel, ChannelId, ChannelType, CommandResponse, CustomStatus, CustomStatusDuration,
    NewBot, NewPost, Post, PostId, ResponseType, Role, SlashCommandDef, Status, StatusKind,
    StatusValue, Team, TeamMember, Timezone, User, UserAccessToken,
};
