//! Calendar-driven status end to end: the real bot against a fake Mattermost, a fake Microsoft Graph
//! and ICS feeds served over HTTP, driven through `/lotto calendar …` like people and admins do.

mod support;

#[path = "calendar_e2e/commands.rs"]
mod commands;
#[path = "calendar_e2e/harness.rs"]
mod harness;
#[path = "calendar_e2e/rules_table.rs"]
mod rules_table;
#[path = "calendar_e2e/sync.rs"]
mod sync;
