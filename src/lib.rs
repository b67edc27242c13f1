//! Solar Lottery: a Mattermost bot that schedules team rotations by weighted lottery.
//!
//! Data flows one way: transport (`http`) → `command` (grammar) → `service` → `lottery` (pure domain)
//! → `store` → `notify` (outbox) → `mattermost`. `autopilot` and `calendar` are background jobs that
//! drive the same service and store.

pub mod app;
pub mod autopilot;
pub mod calendar;
pub mod command;
pub mod config;
pub mod http;
pub mod lottery;
pub mod mattermost;
pub mod notify;
pub mod service;
pub mod store;
