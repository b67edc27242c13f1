//! Setup's second half: carry out a checked plan, one step at a time, saying what each did.

use secrecy::SecretString;

use crate::mattermost::{MattermostClient, NewBot, User};

use super::error::SetupError;
use super::plan::{
    BotPlan, CommandPlan, Plan, TeamPlan, TokenPlan, desired_command, updated_command,
};
use super::{BOT_USERNAME, TRIGGER, Ui};

/// What the written config needs from the applied plan.
pub(super) struct Applied {
    pub bot_token: SecretString,
    /// The tokens of the `/lotto` commands of every team set up, in team order.
    pub slash_tokens: Vec<String>,
}

pub(super) async fn apply(
    client: &MattermostClient,
    plan: Plan,
    slash_url: &str,
    ui: &mut dyn Ui,
) -> Result<Applied, SetupError> {
    let bot = apply_bot(client, plan.bot, ui).await?;
    if plan.grant_system_admin {
        let roles = format!("{} system_admin", bot.roles.trim());
        client
            .update_user_roles(bot.id.as_str(), roles.trim())
            .await
            .map_err(SetupError::step(
                format!("make @{BOT_USERNAME} a system admin"),
                Some("manage_roles"),
            ))?;
        ui.say(&format!("bot role: @{BOT_USERNAME} is now a system admin"));
    } else if bot.is_system_admin() {
        ui.say(&format!(
            "bot role: @{BOT_USERNAME} is a system admin already"
        ));
    } else {
        ui.say(&format!(
            "bot role: @{BOT_USERNAME} stays a plain bot (rotations and DMs work; changing people's status \
             from their calendars needs system admin: run setup again with --system-admin)"
        ));
    }
    let bot_token = match plan.token {
        TokenPlan::Reuse(token) => {
            ui.say("bot access token: the one in the config file still works, kept");
            token
        }
        TokenPlan::Create => {
            let token = client
                .create_user_access_token(
                    bot.id.as_str(),
                    "solar-lottery (made by solar-lottery setup)",
                )
                .await
                .map_err(SetupError::step(
                    format!("create an access token for @{BOT_USERNAME}"),
                    Some("create_user_access_token"),
                ))?;
            ui.say(&format!(
                "bot access token: created (token id {})",
                token.id
            ));
            SecretString::from(token.token)
        }
    };
    let mut slash_tokens = Vec::new();
    for team in plan.teams {
        let (team_id, team_name, command) = match team {
            TeamPlan::Existing { team, command } => (team.id, team.name, command),
            TeamPlan::Create { name } => {
                let team = client
                    .create_team(&name, &name)
                    .await
                    .map_err(SetupError::step(
                        format!("create team `{name}`"),
                        Some("create_team"),
                    ))?;
                ui.say(&format!("team `{}`: created", team.name));
                (team.id, team.name, CommandPlan::Create)
            }
        };
        let token = apply_command(client, &team_id, &team_name, command, slash_url, ui).await?;
        slash_tokens.push(token);
    }
    Ok(Applied {
        bot_token,
        slash_tokens,
    })
}

/// The bot's user after creating or enabling it.
async fn apply_bot(
    client: &MattermostClient,
    plan: BotPlan,
    ui: &mut dyn Ui,
) -> Result<User, SetupError> {
    let user_id = match plan {
        BotPlan::Keep(user) => {
            ui.say(&format!("bot account @{BOT_USERNAME}: exists, kept"));
            return Ok(user);
        }
        BotPlan::Enable(user) => {
            client
                .enable_bot(user.id.as_str())
                .await
                .map_err(SetupError::step(
                    format!("enable the bot account @{BOT_USERNAME}"),
                    Some("manage_others_bots"),
                ))?;
            ui.say(&format!(
                "bot account @{BOT_USERNAME}: was disabled, enabled again"
            ));
            user.id
        }
        BotPlan::Create => {
            let bot = client
                .create_bot(&NewBot {
                    username: BOT_USERNAME,
                    display_name: "Solar Lottery",
                    description: "Rotations by solar lottery: /lotto help",
                })
                .await
                .map_err(SetupError::step(
                    format!("create the bot account @{BOT_USERNAME}"),
                    Some("create_bot"),
                ))?;
            ui.say(&format!("bot account @{BOT_USERNAME}: created"));
            crate::lottery::UserId::new(bot.user_id)
        }
    };
    client.get_user(&user_id).await.map_err(SetupError::step(
        format!("read the bot account @{BOT_USERNAME}"),
        None,
    ))
}

/// Registers or updates `/lotto` in one team; returns its token.
async fn apply_command(
    client: &MattermostClient,
    team_id: &str,
    team_name: &str,
    plan: CommandPlan,
    slash_url: &str,
    ui: &mut dyn Ui,
) -> Result<String, SetupError> {
    let command = match plan {
        CommandPlan::Keep(current) => {
            ui.say(&format!(
                "/{TRIGGER} in team `{team_name}`: up to date ({slash_url})"
            ));
            return Ok(current.token);
        }
        CommandPlan::Update(current) => {
            let updated = client
                .update_command(&updated_command(&current, slash_url))
                .await
                .map_err(SetupError::step(
                    format!("update /{TRIGGER} in team `{team_name}`"),
                    Some("manage_others_slash_commands"),
                ))?;
            ui.say(&format!(
                "/{TRIGGER} in team `{team_name}`: updated to call {slash_url}"
            ));
            updated
        }
        CommandPlan::Create => {
            let created = client
                .create_command(&desired_command(team_id, slash_url))
                .await
                .map_err(SetupError::step(
                    format!("register /{TRIGGER} in team `{team_name}`"),
                    Some("manage_slash_commands"),
                ))?;
            ui.say(&format!(
                "/{TRIGGER} in team `{team_name}`: registered, calling {slash_url}, with autocomplete"
            ));
            created
        }
    };
    Ok(command.token)
}
