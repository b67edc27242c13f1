//! Setup's first half: read what Mattermost already has and decide what to change, without
//! changing anything. Every permission the changes need is checked here, so a session that lacks
//! one stops setup before the first write.

use secrecy::SecretString;

use crate::mattermost::{Bot, MattermostClient, MattermostError, SlashCommandDef, Team, User};

use super::config_file::ConfigFile;
use super::error::SetupError;
use super::permissions::{Needs, Permissions};
use super::{BOT_USERNAME, SetupOptions, SystemAdminChoice, TRIGGER, Ui};

#[derive(Debug)]
pub(super) struct Plan {
    pub teams: Vec<TeamPlan>,
    pub bot: BotPlan,
    pub token: TokenPlan,
    pub grant_system_admin: bool,
}

#[derive(Debug)]
pub(super) enum TeamPlan {
    /// `--create-team`: the team does not exist yet.
    Create {
        name: String,
    },
    Existing {
        team: Team,
        command: CommandPlan,
    },
}

#[derive(Debug)]
pub(super) enum CommandPlan {
    Create,
    /// The current definition, to be brought up to date.
    Update(Box<SlashCommandDef>),
    Keep(Box<SlashCommandDef>),
}

#[derive(Debug)]
pub(super) enum BotPlan {
    Create,
    /// A disabled bot account, enabled again.
    Enable(User),
    Keep(User),
}

#[derive(Debug)]
pub(super) enum TokenPlan {
    /// The token already in the config file still signs in as the bot.
    Reuse(SecretString),
    Create,
}

/// The `/lotto` definition setup wants in a team: POST to the bot, autocomplete with a hint.
pub(super) fn desired_command(team_id: &str, slash_url: &str) -> SlashCommandDef {
    SlashCommandDef {
        team_id: team_id.to_string(),
        trigger: TRIGGER.to_string(),
        method: "P".to_string(),
        url: slash_url.to_string(),
        auto_complete: true,
        auto_complete_desc:
            "Rotations by solar lottery: shifts, tickets, autopilot, calendar status".to_string(),
        auto_complete_hint: "[help | rotation | task | user | skill | calendar]".to_string(),
        display_name: "Solar Lottery".to_string(),
        description: "Team rotations picked by solar lottery".to_string(),
        ..SlashCommandDef::default()
    }
}

/// `current` with setup's fields applied; equal to `current` when it is up to date.
pub(super) fn updated_command(current: &SlashCommandDef, slash_url: &str) -> SlashCommandDef {
    let want = desired_command(&current.team_id, slash_url);
    SlashCommandDef {
        method: want.method,
        url: want.url,
        auto_complete: want.auto_complete,
        auto_complete_desc: want.auto_complete_desc,
        auto_complete_hint: want.auto_complete_hint,
        display_name: want.display_name,
        description: want.description,
        ..current.clone()
    }
}

pub(super) async fn make(
    client: &MattermostClient,
    options: &SetupOptions,
    slash_url: &str,
    config: &ConfigFile,
    ui: &mut dyn Ui,
) -> Result<Plan, SetupError> {
    let me = client
        .get_me()
        .await
        .map_err(SetupError::step("read the admin's account", None))?;
    ui.say(&format!(
        "signed in to {} as @{} ({})",
        options.mattermost_url,
        me.username,
        if me.roles.is_empty() {
            "no roles"
        } else {
            me.roles.as_str()
        }
    ));
    let permissions = Permissions::read(client, &me)
        .await
        .map_err(SetupError::step(
            "read the admin's roles and permissions",
            None,
        ))?;
    let mut needs = Needs::default();

    let teams = plan_teams(client, options, slash_url, &me, &permissions, &mut needs).await?;
    let bot = plan_bot(client, &me, &permissions, &mut needs).await?;
    let token = plan_token(options, config, &bot, &permissions, &mut needs).await;

    let bot_is_admin = match &bot {
        BotPlan::Keep(user) | BotPlan::Enable(user) => user.is_system_admin(),
        BotPlan::Create => false,
    };
    let grant_system_admin = !bot_is_admin
        && match options.system_admin {
            SystemAdminChoice::Grant => true,
            SystemAdminChoice::Skip => false,
            SystemAdminChoice::Ask => ui.confirm(&format!(
                "Make @{BOT_USERNAME} a system admin? The calendar features change other people's \
                 status, which Mattermost allows only to system admins; rotations and DMs work without."
            )),
        };
    needs.require(
        !grant_system_admin || permissions.has("manage_roles"),
        "manage_roles",
        format!("make @{BOT_USERNAME} a system admin (or run setup without --system-admin)"),
    );

    let missing = needs.into_missing();
    if !missing.is_empty() {
        return Err(SetupError::MissingPermissions {
            user: me.username.clone(),
            missing,
        });
    }
    Ok(Plan {
        teams,
        bot,
        token,
        grant_system_admin,
    })
}

async fn plan_teams(
    client: &MattermostClient,
    options: &SetupOptions,
    slash_url: &str,
    me: &User,
    permissions: &Permissions,
    needs: &mut Needs,
) -> Result<Vec<TeamPlan>, SetupError> {
    let mut teams = Vec::new();
    let mut to_create = Vec::new();
    if options.teams.is_empty() {
        let all = client
            .get_all_teams()
            .await
            .map_err(SetupError::step("list the teams", None))?;
        teams.extend(all.into_iter().filter(|t| t.delete_at == 0));
        if teams.is_empty() {
            return Err(SetupError::Input(
                "This Mattermost has no team you can see, so /lotto has nowhere to live. Create a team \
                 first, or name one with --team NAME --create-team."
                    .to_string(),
            ));
        }
    } else {
        for name in &options.teams {
            match client.get_team_by_name(name).await {
                Ok(team) => teams.push(team),
                Err(MattermostError::NotFound { .. }) if options.create_teams => {
                    to_create.push(name.clone());
                }
                Err(MattermostError::NotFound { .. }) => {
                    return Err(SetupError::Input(format!(
                        "There is no team named `{name}` that @{} can see (use the team's URL name, as in \
                         https://chat.example.com/<name>; --create-team creates it).",
                        me.username
                    )));
                }
                Err(e) => return Err(SetupError::step(format!("find team `{name}`"), None)(e)),
            }
        }
    }
    let mut plans = Vec::new();
    for team in teams {
        let manage = permissions.has_in_team(&team.id, "manage_slash_commands");
        needs.require(
            manage,
            "manage_slash_commands",
            format!("register /{TRIGGER} in team `{}`", team.name),
        );
        if !manage {
            continue;
        }
        let commands = client
            .list_team_commands(&team.id)
            .await
            .map_err(SetupError::step(
                format!("list the slash commands of team `{}`", team.name),
                Some("manage_slash_commands"),
            ))?;
        let current = commands
            .into_iter()
            .find(|c| c.trigger.eq_ignore_ascii_case(TRIGGER) && c.delete_at == 0);
        let command = match current {
            None => CommandPlan::Create,
            Some(c) if updated_command(&c, slash_url) == c => CommandPlan::Keep(Box::new(c)),
            Some(c) => {
                needs.require(
                    c.creator_id == me.id.as_str()
                        || permissions.has_in_team(&team.id, "manage_others_slash_commands"),
                    "manage_others_slash_commands",
                    format!(
                        "update the /{TRIGGER} command someone else made in team `{}`",
                        team.name
                    ),
                );
                CommandPlan::Update(Box::new(c))
            }
        };
        plans.push(TeamPlan::Existing { team, command });
    }
    for name in to_create {
        needs.require(
            permissions.has("create_team"),
            "create_team",
            format!("create team `{name}`"),
        );
        plans.push(TeamPlan::Create { name });
    }
    Ok(plans)
}

async fn plan_bot(
    client: &MattermostClient,
    me: &User,
    permissions: &Permissions,
    needs: &mut Needs,
) -> Result<BotPlan, SetupError> {
    let user = match client.get_user_by_username(BOT_USERNAME).await {
        Ok(user) => user,
        Err(MattermostError::NotFound { .. }) => {
            needs.require(
                permissions.has("create_bot"),
                "create_bot",
                format!("create the bot account @{BOT_USERNAME}"),
            );
            return Ok(BotPlan::Create);
        }
        Err(e) => {
            return Err(SetupError::step(format!("look up @{BOT_USERNAME}"), None)(
                e,
            ));
        }
    };
    if !user.is_bot {
        return Err(SetupError::Input(format!(
            "@{BOT_USERNAME} is a person's account, not a bot account. Rename or convert it (System \
             Console → User Management → Users), then run setup again."
        )));
    }
    let bot: Bot = client
        .get_bot(user.id.as_str())
        .await
        .map_err(SetupError::step(
            format!("read the bot account @{BOT_USERNAME}"),
            Some("read_others_bots"),
        ))?;
    let (permission, purpose) = manage_bot_permission(&bot, me);
    needs.require(permissions.has(permission), permission, purpose);
    Ok(if bot.delete_at > 0 || user.is_deactivated() {
        BotPlan::Enable(user)
    } else {
        BotPlan::Keep(user)
    })
}

/// Managing a bot (enabling it, making its tokens) needs `manage_bots` for one's own bots and
/// `manage_others_bots` for anyone else's.
fn manage_bot_permission(bot: &Bot, me: &User) -> (&'static str, String) {
    if bot.owner_id == me.id.as_str() {
        (
            "manage_bots",
            format!("manage your bot account @{BOT_USERNAME}"),
        )
    } else {
        (
            "manage_others_bots",
            format!("manage the bot account @{BOT_USERNAME} (made by someone else)"),
        )
    }
}

async fn plan_token(
    options: &SetupOptions,
    config: &ConfigFile,
    bot: &BotPlan,
    permissions: &Permissions,
    needs: &mut Needs,
) -> TokenPlan {
    if let (BotPlan::Keep(user), Some(token)) = (bot, config.get("bot_token"))
        && config
            .get("mattermost_url")
            .map(|u| u.trim_end_matches('/'))
            == Some(options.mattermost_url.as_str())
        && token_signs_in_as(options, token, user).await
    {
        return TokenPlan::Reuse(SecretString::from(token.to_string()));
    }
    needs.require(
        permissions.has("create_user_access_token"),
        "create_user_access_token",
        format!("create an access token for @{BOT_USERNAME}"),
    );
    if matches!(bot, BotPlan::Create) {
        // The admin will own the new bot.
        needs.require(
            permissions.has("manage_bots"),
            "manage_bots",
            format!("create an access token for the new bot account @{BOT_USERNAME}"),
        );
    }
    TokenPlan::Create
}

/// Whether `token` is a working session of the bot account (so a re-run keeps it).
async fn token_signs_in_as(options: &SetupOptions, token: &str, bot: &User) -> bool {
    let secret = SecretString::from(token.to_string());
    let Ok(client) = MattermostClient::new(&options.mattermost_url, secret, options.timeout) else {
        return false;
    };
    matches!(client.get_me().await, Ok(me) if me.id == bot.id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_up_to_date_command_needs_no_update_and_an_update_keeps_what_setup_does_not_own() {
        let mut current = desired_command("team", "http://bot:8088/slash");
        current.id = "c".into();
        current.token = "t".into();
        current.username = "lotto-bot".into();
        current
            .other
            .insert("create_at".into(), serde_json::json!(5));
        assert_eq!(updated_command(&current, "http://bot:8088/slash"), current);
        let moved = updated_command(&current, "https://new/slash");
        assert_eq!(moved.url, "https://new/slash");
        assert_eq!((moved.id.as_str(), moved.token.as_str()), ("c", "t"));
        assert_eq!(moved.username, "lotto-bot");
        assert_eq!(moved.other["create_at"], 5);
    }
}
