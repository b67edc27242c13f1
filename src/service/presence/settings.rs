//! `rotation set presence` and `rotation set oncall-status`: owners only; the channel and the emoji
//! are checked with Mattermost before anything is stored, so a bad one changes nothing.

use crate::command::presence::MAX_STATUS_TEXT;
use crate::command::{OncallChange, PresenceChange, RotationName};
use crate::lottery::HistoryEvent;
use crate::mattermost::ChannelType;
use crate::service::context::Ctx;
use crate::service::views::presence::{OncallStatusView, PresenceSettingsView};
use crate::service::{Result, ServiceError, format};
use crate::store;
use crate::store::presence::{OncallStatus, PresenceSettings};

pub async fn set_presence(
    ctx: &Ctx,
    name: &RotationName,
    change: PresenceChange,
) -> Result<PresenceSettingsView> {
    // Permission first, then Mattermost (outside the write transaction), then the write.
    let r = {
        let mut conn = ctx.read().await?;
        let r = ctx.rotation(&mut conn, name).await?;
        ctx.require_owner(&mut conn, &r, "change its presence alerts")
            .await?;
        r
    };
    let settings = match change {
        PresenceChange::Off => None,
        PresenceChange::On {
            absent_after,
            channel,
        } => {
            let channel = match channel {
                Some(name) => Some((postable_channel(ctx, &name).await?, format!("~{name}"))),
                None => None,
            };
            Some(PresenceSettings {
                absent_after,
                channel,
            })
        }
    };
    let mut tx = ctx.begin().await?;
    match &settings {
        Some(s) => {
            store::presence::set_presence(&mut tx, r.id, s, &ctx.actor.user.id, ctx.now).await?
        }
        None => {
            store::presence::clear_presence(&mut tx, r.id).await?;
        }
    }
    let value = match &settings {
        Some(s) => format!(
            "absent after {}{}",
            format::duration(s.absent_after),
            s.channel
                .as_ref()
                .map(|(_, name)| format!(", alerts in {name}"))
                .unwrap_or_default()
        ),
        None => "off".to_string(),
    };
    let event = HistoryEvent::SettingChanged {
        setting: "presence".into(),
        value,
    };
    ctx.record(&mut tx, Some(r.id), None, event).await?;
    ctx.commit(tx).await?;
    Ok(PresenceSettingsView {
        rotation: r.name,
        absent_after: settings.as_ref().map(|s| s.absent_after),
        channel: settings.and_then(|s| s.channel.map(|(_, name)| name)),
    })
}

/// The id of channel `name` of the command's team, if it exists and the bot is in it.
async fn postable_channel(ctx: &Ctx, name: &str) -> Result<String> {
    let Some(team) = &ctx.team_id else {
        return Err(ServiceError::invalid(
            "`--channel` names a channel of your team: type the command in Mattermost.",
        ));
    };
    let mm = ctx.svc.mattermost();
    let channel = mm.get_channel_by_name(team, name).await?;
    let Some(channel) = channel else {
        return Err(ServiceError::invalid(format!(
            "There is no channel ~{name} in this team that the bot can see. Check the name in the channel's link; for a private channel, add the bot first."
        )));
    };
    if channel.delete_at > 0 {
        return Err(ServiceError::invalid(format!(
            "~{name} is archived: nobody can post in it. Pick another channel."
        )));
    }
    // Public channels take posts from every team member; private ones only from their members.
    if channel.channel_type != ChannelType::Open
        && !mm
            .is_channel_member(&channel.id.0, ctx.svc.bot_id())
            .await?
    {
        return Err(ServiceError::invalid(format!(
            "The bot can't post in ~{name}: it is not a member. Add it with `/invite @solar-lottery ~{name}`, then try again."
        )));
    }
    Ok(channel.id.0)
}

pub async fn set_oncall_status(
    ctx: &Ctx,
    name: &RotationName,
    change: OncallChange,
) -> Result<OncallStatusView> {
    let r = {
        let mut conn = ctx.read().await?;
        let r = ctx.rotation(&mut conn, name).await?;
        ctx.require_owner(&mut conn, &r, "change its on-call status")
            .await?;
        r
    };
    let status = match change {
        OncallChange::Off => None,
        OncallChange::On { emoji, text } => {
            check_emoji(ctx, &emoji).await?;
            let shown = status_text(&text, &r.name);
            if shown.chars().count() > MAX_STATUS_TEXT {
                return Err(ServiceError::invalid(format!(
                    "With the rotation's name filled in, the text is {} characters long; Mattermost allows {MAX_STATUS_TEXT}. Shorten it.",
                    shown.chars().count()
                )));
            }
            Some(OncallStatus { emoji, text })
        }
    };
    let mut tx = ctx.begin().await?;
    match &status {
        Some(s) => {
            store::presence::set_oncall_status(&mut tx, r.id, s, &ctx.actor.user.id, ctx.now)
                .await?
        }
        None => {
            store::presence::clear_oncall_status(&mut tx, r.id).await?;
        }
    }
    let value = match &status {
        Some(s) => format!(":{}: {}", s.emoji, s.text),
        None => "off".to_string(),
    };
    let event = HistoryEvent::SettingChanged {
        setting: "oncall-status".into(),
        value,
    };
    ctx.record(&mut tx, Some(r.id), None, event).await?;
    ctx.commit(tx).await?;
    Ok(OncallStatusView {
        rotation: r.name.clone(),
        emoji: status.as_ref().map(|s| s.emoji.clone()),
        text: status.map(|s| status_text(&s.text, &r.name)),
    })
}

/// The text people see: `{rotation}` filled in.
pub fn status_text(template: &str, rotation: &str) -> String {
    template.replace("{rotation}", rotation)
}

/// A system emoji (Mattermost ships the same short names), else a custom one Mattermost has.
async fn check_emoji(ctx: &Ctx, name: &str) -> Result<()> {
    if emojis::get_by_shortcode(name).is_some() {
        return Ok(());
    }
    let custom = if name
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-'))
    {
        ctx.svc.mattermost().custom_emoji_exists(name).await?
    } else {
        false
    };
    if custom {
        Ok(())
    } else {
        Err(ServiceError::invalid(format!(
            "Mattermost doesn't know the emoji `:{name}:`. Use a name from the emoji picker, e.g. `pager`."
        )))
    }
}
