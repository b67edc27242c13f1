//! The integration tests: one binary, so the shared support code and the library are compiled and
//! linked once. Each module is one area of the bot; `support`, `commands_helpers` and
//! `lottery_support` hold what they share.

mod commands_helpers;
mod lottery_support;
mod support;

mod autopilot_alerts;
mod autopilot_delivery;
mod autopilot_lease;
mod autopilot_scenario;
mod autopilot_settings;
mod calendar_e2e;
mod calendar_fetch;
mod calendar_graph;
mod calendar_ics;
mod calendar_rules;
mod cli_serve;
mod commands_grammar;
mod commands_permissions;
mod commands_rotation;
mod commands_task;
mod commands_time;
mod commands_user;
mod compose_file;
mod fake_mattermost_selftest;
mod forecast;
mod grace_dst;
mod grammar_fuzz;
mod history;
mod holiday_feeds;
mod holidays;
mod http_slash;
mod ical_feeds;
mod jobs_runner;
mod lottery_fairness;
mod lottery_fill;
mod lottery_fill_props;
mod lottery_period;
mod lottery_weights;
mod mattermost_client;
mod outbox_delivery;
mod overrides;
mod overrides_follow;
mod presence;
mod profile;
mod profile_engine_lease;
mod profile_live;
mod profile_observability;
mod profile_pictures;
mod replicas;
mod setup;
mod smoke;
mod stats;
mod support_packet;
mod swaps;
mod websocket;
