//! What can stop `solar-lottery setup`, each with the sentence an admin needs to fix it.

use std::fmt::Write as _;

use reqwest::StatusCode;

use crate::mattermost::MattermostError;

/// A permission the admin's account lacks, and what setup needed it for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MissingPermission {
    pub permission: &'static str,
    /// "create the bot account @solar-lottery", "register /lotto in team `solar`".
    pub purpose: String,
}

#[derive(Debug, thiserror::Error)]
pub enum SetupError {
    /// A flag's value can never work; nothing was contacted.
    #[error("{0}")]
    Input(String),
    #[error("{0}")]
    ConfigFile(String),
    /// Logging in, or the admin token, did not work.
    #[error("{0}")]
    Login(String),
    /// Found before anything was changed: nothing was written, in Mattermost or on disk.
    #[error("{}", describe_missing(.user, .missing))]
    MissingPermissions {
        user: String,
        missing: Vec<MissingPermission>,
    },
    /// Mattermost refused or failed one step. `purpose` says what setup was doing.
    #[error("{}", describe_step(.purpose, .permission, .source))]
    Step {
        purpose: String,
        /// The permission the step needs, named when Mattermost answered 403.
        permission: Option<&'static str>,
        source: Box<MattermostError>,
    },
}

impl SetupError {
    pub fn step(
        purpose: impl Into<String>,
        permission: Option<&'static str>,
    ) -> impl FnOnce(MattermostError) -> Self {
        let purpose = purpose.into();
        move |source| Self::Step {
            purpose,
            permission,
            source: Box::new(source),
        }
    }
}

fn describe_missing(user: &str, missing: &[MissingPermission]) -> String {
    let mut text = format!(
        "@{user} lacks permissions setup needs, so nothing was changed (in Mattermost or on disk):\n"
    );
    for m in missing {
        let _ = writeln!(text, "  - {}: to {}", m.permission, m.purpose);
    }
    text.push_str(
        "Run setup with a system admin's token (a personal access token of a system admin: Profile → \
         Security → Personal Access Tokens), or give the account a role with these permissions \
         (System Console → User Management → System Roles).",
    );
    text
}

fn describe_step(
    purpose: &str,
    permission: &Option<&'static str>,
    source: &MattermostError,
) -> String {
    match source.status() {
        Some(StatusCode::UNAUTHORIZED) => format!(
            "Could not {purpose}: Mattermost refused the admin's session (HTTP 401). The token may be \
             wrong, expired or revoked: create a new personal access token, or log in with \
             --admin-username."
        ),
        Some(StatusCode::FORBIDDEN) => {
            let needed =
                permission.map_or_else(String::new, |p| format!(" It needs the permission {p}."));
            let why = match source {
                MattermostError::Api { error, .. } if !error.message.is_empty() => {
                    format!(" Mattermost said: {}", error.message)
                }
                _ => String::new(),
            };
            format!("Could not {purpose}: Mattermost refused (HTTP 403).{needed}{why}")
        }
        // The client's own texts name the bot's setting; setup's is the flag.
        _ => format!(
            "Could not {purpose}: {}",
            source
                .to_string()
                .replace("LOTTO_MATTERMOST_URL", "--mattermost-url")
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mattermost::AppError;

    #[test]
    fn a_refused_step_names_the_permission_and_not_the_bot_token() {
        let error = SetupError::Step {
            purpose: "create the bot account @solar-lottery".into(),
            permission: Some("create_bot"),
            source: Box::new(MattermostError::Api {
                status: StatusCode::FORBIDDEN,
                error: AppError {
                    id: "api.context.permissions.app_error".into(),
                    message: "You do not have the appropriate permissions.".into(),
                    ..AppError::default()
                },
            }),
        };
        let text = error.to_string();
        assert!(text.contains("create_bot"), "{text}");
        assert!(!text.contains("LOTTO_BOT_TOKEN"), "{text}");
    }

    #[test]
    fn missing_permissions_are_listed_with_their_purpose() {
        let error = SetupError::MissingPermissions {
            user: "ann".into(),
            missing: vec![MissingPermission {
                permission: "manage_slash_commands",
                purpose: "register /lotto in team `solar`".into(),
            }],
        };
        let text = error.to_string();
        assert!(text.contains("@ann lacks"), "{text}");
        assert!(
            text.contains("manage_slash_commands: to register /lotto in team `solar`"),
            "{text}"
        );
        assert!(text.contains("nothing was changed"), "{text}");
    }
}
