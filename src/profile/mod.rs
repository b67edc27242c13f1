//! Profile presets (DESIGN.md job 5): a custom-status emoji switches a person's nickname and picture
//! to a preset they chose, and back. The WebSocket listener turns Mattermost's `user_updated` events
//! into [`signal::ProfileSignal`]s; the [`engine`] applies presets.

pub mod apply;
pub mod engine;
pub mod holding;
pub mod listener;
mod options;
pub mod queue;
pub mod signal;
mod writes;

pub use engine::{EngineOptions, EngineStats, ProfileEngine};
