//! `/lotto info`: what this bot is, and how it is doing.

use super::context::Ctx;
use super::views::InfoView;
use super::views::info::{MessageCounts, You};
use super::{Output, Result};
use crate::store;

pub async fn info(ctx: &Ctx) -> Result<Output> {
    let mut conn = ctx.read().await?;
    let rotations = store::rotations::list_active(&mut conn).await?;
    let (queued, sent, failed) = store::outbox::counts(&mut conn).await?;
    let runner = store::leases::holder(&mut conn, crate::autopilot::LEASE, ctx.now).await?;
    Ok(InfoView {
        version: env!("CARGO_PKG_VERSION"),
        rotations: rotations.len(),
        autopilot_rotations: rotations.iter().filter(|r| r.autopilot.is_on()).count(),
        messages: MessageCounts {
            sent,
            queued,
            failed,
        },
        you: You {
            username: ctx.actor.user.username.clone(),
            bot_admin: ctx.actor.is_bot_admin,
            time_zone: ctx.tz().name().to_string(),
        },
        runner: runner.is_some(),
    }
    .into())
}
