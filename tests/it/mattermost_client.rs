//! The bot's Mattermost client against the fake server: every call's success and its main
//! failures. The fake's own behaviour is checked in `fake_mattermost_selftest`.

mod files;
mod posts;
mod response_url;
mod statuses;
mod transport;
mod users;

use solar_lottery::mattermost::MattermostError;

fn api_error_id(error: &MattermostError) -> &str {
    error.app_error_id().unwrap_or("<not an AppError>")
}
