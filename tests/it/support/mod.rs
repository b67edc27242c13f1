//! Test doubles that behave like the real services over HTTP (see ../shared/docs/mattermost-contract.md).

pub mod app;
pub mod db;
pub mod fake_graph;
pub mod fake_mattermost;
pub mod process;
pub mod receiver;
pub mod wait;
