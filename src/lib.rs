//! Solar Lottery: a Mattermost bot that schedules team rotations by weighted lottery.
//!
//! Data flows one way: transport (`http`) → `command` (grammar) → `service` → `lottery` (pure domain)
//! → `store` → `notify` (outbox) → `mattermost`. `jobs` runs the background jobs (`autopilot`,
//! `calendar::job`) from one list; jobs call the service, never the reverse. `shared` holds what both
//! use (database, Mattermost client, bot identity, outbox waker).

pub mod app;
pub mod autopilot;
pub mod calendar;
pub mod command;
pub mod config;
pub mod history;
pub mod holidays;
pub mod http;
pub mod jobs;
pub mod lottery;
pub mod mattermost;
pub mod metrics;
pub mod notify;
pub mod presence;
pub mod profile;
pub mod service;
pub mod setup;
pub mod shared;
pub mod store;
pub mod support;
pub mod text;
pub mod url_guard;
