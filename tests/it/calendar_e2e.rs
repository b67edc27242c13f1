//! Calendar-driven status end to end: the real bot against a fake Mattermost, a fake Microsoft Graph
//! and ICS feeds served over HTTP, driven through `/lotto calendar …` like people and admins do.

mod commands;
mod harness;
mod rules_table;
mod sync;
