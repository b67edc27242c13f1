//! `/lotto info`: what this bot is, and how it is doing.

use serde_json::json;

use super::context::Ctx;
use super::{Output, Result};
use crate::store;

pub async fn info(ctx: &Ctx) -> Result<Output> {
    let mut conn = ctx.read().await?;
    let rotations = store::rotations::list_active(&mut conn).await?;
    let autopilot = rotations.iter().filter(|r| r.autopilot.is_on()).count();
    let (queued, sent, failed) = store::outbox::counts(&mut conn).await?;
    let runner = store::leases::holder(&mut conn, crate::autopilot::LEASE, ctx.now).await?;
    let text = format!(
        "**Solar Lottery** {} — schedules rotations by solar lottery: whoever has waited longest is most likely next.\n\
         - {} active rotation{}, {} with the autopilot on{}\n\
         - Messages: {} sent, {} waiting, {} undeliverable\n\
         - You are @{}{}; times are shown in {}.\n\
         Type `/lotto help` for the commands.",
        env!("CARGO_PKG_VERSION"),
        rotations.len(),
        if rotations.len() == 1 { "" } else { "s" },
        autopilot,
        if runner.is_some() {
            " (a runner holds the autopilot lease)"
        } else {
            ""
        },
        sent,
        queued,
        failed,
        ctx.actor.user.username,
        if ctx.actor.is_bot_admin {
            ", a bot admin"
        } else {
            ""
        },
        ctx.tz().name(),
    );
    Ok(Output::new(
        text,
        json!({
            "version": env!("CARGO_PKG_VERSION"),
            "rotations": rotations.len(),
            "autopilot_rotations": autopilot,
            "messages": {"sent": sent, "queued": queued, "failed": failed},
            "you": {"username": ctx.actor.user.username, "bot_admin": ctx.actor.is_bot_admin, "time_zone": ctx.tz().name()},
        }),
    ))
}
