//! Wire models: hand-written serde types for the JSON Mattermost sends and accepts.
//!
//! Tolerant on input (missing fields, `null`, unknown enum values, `i64` for every time), strict on
//! output (only documented fields, in the documented shapes).

mod admin;
mod channel;
mod command_response;
mod custom_status;
mod ids;
pub(crate) mod lenient;
pub mod long_text;
mod post;
mod status;
mod user;

pub use admin::{Bot, NewBot, Role, SlashCommandDef, Team, TeamMember, UserAccessToken};
pub use channel::{Channel, ChannelType, direct_channel_name};
pub use command_response::{CommandResponse, ResponseType};
pub use custom_status::{CustomStatus, CustomStatusDuration};
pub use ids::{ChannelId, PostId};
pub(crate) use post::PostList;
pub use post::{MAX_POST_MESSAGE_CHARS, NewPost, Post};
pub use status::{Status, StatusKind, StatusValue};
pub use user::{Timezone, User};
