//! `solar-lottery setup`: everything an admin used to click through in the System Console, as one
//! idempotent command. With an admin's session it creates or reuses the bot account, optionally
//! makes it a system admin, creates its access token, registers or updates `/lotto` in each team,
//! and writes the settings file `serve --config` reads.
//!
//! Setup reads everything and checks every permission first (`plan`), then changes things
//! (`apply`), then writes the file: a session that lacks a permission changes nothing at all. A
//! second run finds everything in place and changes nothing (the bot token in the file is reused
//! while it still works; an unchanged file is not rewritten).

mod apply;
mod config_file;
mod error;
mod permissions;
mod plan;
pub mod terminal;

use std::path::PathBuf;
use std::time::Duration;

use secrecy::{ExposeSecret, SecretString};

use crate::mattermost::{MattermostClient, MattermostError};

pub use config_file::Written;
pub use error::{MissingPermission, SetupError};

/// The bot account's username (the rest of the bot knows itself by its token, not its name).
pub const BOT_USERNAME: &str = "solar-lottery";
/// The slash command's trigger word.
pub const TRIGGER: &str = "lotto";
/// The settings file setup writes when `--config` is not given.
pub const DEFAULT_CONFIG_FILE: &str = "solar-lottery.toml";
/// Mattermost's limit on a command's URL (`model.Command.IsValid`).
const MAX_COMMAND_URL_CHARS: usize = 1024;

/// How setup signs in to Mattermost.
pub enum AdminCredentials {
    /// A system admin's personal access token (or a session token).
    Token(SecretString),
    /// Log in with a password. With `first_admin_email`, a server that has no accounts yet gets
    /// this one as its first (Mattermost makes the first account a system admin).
    Password {
        username: String,
        password: SecretString,
        first_admin_email: Option<String>,
    },
}

/// Whether the bot becomes a system admin (needed only to change other people's status).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SystemAdminChoice {
    Grant,
    /// Ask through `Ui::confirm` (a terminal prompt), if the bot is not one already.
    Ask,
    Skip,
}

pub struct SetupOptions {
    /// The site URL, without a trailing slash.
    pub mattermost_url: String,
    pub admin: AdminCredentials,
    /// Team names (URL slugs); empty = every team the admin can see.
    pub teams: Vec<String>,
    /// Create named teams that do not exist (a fresh server has none).
    pub create_teams: bool,
    /// Where Mattermost reaches the bot; `/lotto` calls `<bot_url>/slash`.
    pub bot_url: String,
    pub config_path: PathBuf,
    pub system_admin: SystemAdminChoice,
    /// The bound on each request to Mattermost.
    pub timeout: Duration,
}

/// Where setup reports progress and asks its one question.
pub trait Ui {
    fn say(&mut self, line: &str);
    /// A yes/no question; `false` when no one can answer.
    fn confirm(&mut self, question: &str) -> bool;
}

#[derive(Debug)]
pub struct Outcome {
    pub config_path: PathBuf,
    pub written: Written,
}

/// Runs setup; see the module documentation.
pub async fn run(options: &SetupOptions, ui: &mut dyn Ui) -> Result<Outcome, SetupError> {
    let slash_url = slash_url(&options.bot_url)?;
    for name in &options.teams {
        check_team_name(name)?;
    }
    let mut config = config_file::ConfigFile::read(&options.config_path)?;
    let client = admin_client(options, ui).await?;
    let plan = plan::make(&client, options, &slash_url, &config, ui).await?;
    let applied = apply::apply(&client, plan, &slash_url, ui).await?;

    // Tokens of other teams' commands already in the file stay: a run for one team must not cut
    // off another.
    let mut slash_tokens = applied.slash_tokens;
    for old in config.get("slash_tokens").unwrap_or("").split(',') {
        let old = old.trim();
        if !old.is_empty() && !slash_tokens.iter().any(|t| t == old) {
            slash_tokens.push(old.to_string());
        }
    }
    config.set("mattermost_url", &options.mattermost_url);
    config.set("bot_token", applied.bot_token.expose_secret());
    config.set("slash_tokens", &slash_tokens.join(","));
    let written = config.save()?;
    let path = config.path().display().to_string();
    ui.say(&match written {
        Written::Created => format!("config file {path}: written (owner-only, mode 0600)"),
        Written::Updated => format!("config file {path}: updated (owner-only, mode 0600)"),
        Written::Unchanged => format!("config file {path}: already up to date"),
    });
    Ok(Outcome {
        config_path: options.config_path.clone(),
        written,
    })
}

/// `<bot_url>/slash`, refusing what Mattermost would refuse (http/https only, ≤ 1024 characters).
fn slash_url(bot_url: &str) -> Result<String, SetupError> {
    let trimmed = bot_url.trim().trim_end_matches('/');
    let url = reqwest::Url::parse(trimmed).map_err(|e| {
        SetupError::Input(format!(
            "--bot-url `{trimmed}` is not a URL ({e}): give where Mattermost reaches the bot, e.g. http://bot.internal:8088"
        ))
    })?;
    if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
        return Err(SetupError::Input(format!(
            "--bot-url `{trimmed}` must be an http:// or https:// address with a host"
        )));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(SetupError::Input(format!(
            "--bot-url `{trimmed}` must not have a query or fragment"
        )));
    }
    let slash = format!("{trimmed}/slash");
    if slash.chars().count() > MAX_COMMAND_URL_CHARS {
        return Err(SetupError::Input(format!(
            "--bot-url is too long: Mattermost accepts command URLs of at most {MAX_COMMAND_URL_CHARS} characters"
        )));
    }
    Ok(slash)
}

/// Team names are URL slugs: 2–64 lowercase letters, digits, `-` and `_` (`model.IsValidTeamName`).
fn check_team_name(name: &str) -> Result<(), SetupError> {
    let ok = (2..=64).contains(&name.len())
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '-' | '_'));
    if ok {
        Ok(())
    } else {
        Err(SetupError::Input(format!(
            "`{name}` is not a team name: use the team's URL name (2–64 lowercase letters, digits, - and _)"
        )))
    }
}

/// A client signed in as the admin: with the given token, or by logging in (after creating the
/// first account when asked to and the server has none).
async fn admin_client(
    options: &SetupOptions,
    ui: &mut dyn Ui,
) -> Result<MattermostClient, SetupError> {
    let url = &options.mattermost_url;
    let bad_url = |e: MattermostError| {
        SetupError::Input(
            e.to_string()
                .replace("LOTTO_MATTERMOST_URL", "--mattermost-url"),
        )
    };
    let token = match &options.admin {
        AdminCredentials::Token(token) => {
            if token.expose_secret().trim().is_empty() {
                return Err(SetupError::Login("The admin token is empty.".to_string()));
            }
            token.clone()
        }
        AdminCredentials::Password {
            username,
            password,
            first_admin_email,
        } => {
            let anonymous =
                MattermostClient::without_session(url, options.timeout).map_err(bad_url)?;
            let password = password.expose_secret();
            match anonymous.login(username, password).await {
                Ok(token) => token,
                Err(e)
                    if e.status() == Some(reqwest::StatusCode::UNAUTHORIZED)
                        && first_admin_email.is_some() =>
                {
                    let email = first_admin_email.as_deref().unwrap_or_default();
                    anonymous.create_user(username, email, password).await.map_err(|e| {
                        SetupError::Login(format!(
                            "Could not log in as @{username}, nor create it as the first account ({e}). \
                             On a server that already has accounts, log in as an existing system admin."
                        ))
                    })?;
                    ui.say(&format!(
                        "account @{username}: created as this server's first account (a system admin)"
                    ));
                    anonymous.login(username, password).await.map_err(|e| {
                        SetupError::Login(format!("Could not log in as @{username}: {e}"))
                    })?
                }
                Err(e) => {
                    return Err(SetupError::Login(format!(
                        "Could not log in as @{username}: {}",
                        match e.status() {
                            Some(reqwest::StatusCode::UNAUTHORIZED) =>
                                "wrong username or password".to_string(),
                            _ => e.to_string(),
                        }
                    )));
                }
            }
        }
    };
    let client = MattermostClient::new(url, token, options.timeout).map_err(bad_url)?;
    match client.get_me().await {
        Ok(_) => Ok(client),
        Err(e) if e.status() == Some(reqwest::StatusCode::UNAUTHORIZED) => Err(SetupError::Login(
            "Mattermost refused the admin token (HTTP 401): it is wrong, expired or revoked. Use a system \
             admin's personal access token, or --admin-username to log in with a password."
                .to_string(),
        )),
        Err(e) => Err(SetupError::step("read the admin's account", None)(e)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_slash_url_is_the_bot_url_plus_slash() {
        assert_eq!(
            slash_url("http://bot:8088/").unwrap(),
            "http://bot:8088/slash"
        );
        assert_eq!(
            slash_url("https://x.example/lotto").unwrap(),
            "https://x.example/lotto/slash"
        );
        for bad in ["bot:8088", "ftp://x", "http://x/?a=b", ""] {
            assert!(slash_url(bad).is_err(), "{bad}");
        }
        let long = format!("http://x/{}", "a".repeat(1100));
        assert!(slash_url(&long).is_err());
    }

    #[test]
    fn team_names_are_url_slugs() {
        assert!(check_team_name("solar").is_ok());
        assert!(check_team_name("my-team_2").is_ok());
        for bad in ["", "a", "Solar", "a b", "x/y"] {
            assert!(check_team_name(bad).is_err(), "{bad}");
        }
    }
}
