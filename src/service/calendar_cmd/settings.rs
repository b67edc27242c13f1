//! `calendar set busy|notices|custom-status`, `calendar pause|resume`.

use super::{connection_of, target};
use crate::command::UserRef;
use crate::service::Result;
use crate::service::context::Ctx;
use crate::service::views::{SettingsChange, SettingsChangedView};
use crate::store;

pub async fn change(
    ctx: &Ctx,
    user: Option<UserRef>,
    what: &str,
    change: SettingsChange,
) -> Result<SettingsChangedView> {
    let person = target(ctx, user, what).await?;
    let connection = connection_of(ctx, &person).await?;
    let mut settings = connection.settings.clone();
    match change {
        SettingsChange::Busy(busy) => settings.busy_status = busy,
        SettingsChange::Notices(on) => settings.notices = on,
        SettingsChange::CustomStatus(on) => settings.custom_status = on,
        SettingsChange::Paused(until) => settings.paused_until = Some(until),
        SettingsChange::Resumed => settings.paused_until = None,
    }
    let mut tx = ctx.begin().await?;
    store::calendar::set_settings(&mut tx, &person.id, &settings).await?;
    ctx.commit(tx).await?;
    Ok(SettingsChangedView {
        other: (person.id != ctx.actor.user.id).then(|| format!("@{}", person.username)),
        user: person.username,
        settings,
        change,
    })
}
