//! `/lotto admin support-packet`: the support packet, delivered to the admin as a DM attachment
//! (`POST /files` into the DM, then a post naming the file). Not through the outbox: the zip is
//! made for this one request and is of no use later, so a failure is reported at once instead.

use reqwest::StatusCode;

use super::context::Ctx;
use super::views::SupportPacketView;
use super::{Output, Result, ServiceError};
use crate::command::AdminCommand;
use crate::mattermost::{MattermostError, NewPost};
use crate::support;

pub async fn handle(ctx: &Ctx, cmd: AdminCommand) -> Result<Output> {
    match cmd {
        AdminCommand::SupportPacket { logs } => support_packet(ctx, logs).await.map(Into::into),
    }
}

async fn support_packet(ctx: &Ctx, logs: bool) -> Result<SupportPacketView> {
    ctx.require_admin("get the support packet")?;
    // The real time, not `--now`: the packet describes the bot as it is.
    let now = chrono::Utc::now();
    let packet = support::generate(ctx.svc.packet_sources(), support::Options { logs }, now).await;
    let view = SupportPacketView {
        filename: packet.filename.clone(),
        bytes: packet.bytes.len(),
        logs,
        warnings: packet.warnings.clone(),
    };
    let mm = ctx.svc.mattermost();
    let channel = mm
        .create_direct_channel(ctx.svc.bot_id(), &ctx.actor.user.id)
        .await?;
    let channel_id = channel.id;
    let file = mm
        .upload_file(
            &channel_id,
            &packet.filename,
            support::CONTENT_TYPE,
            packet.bytes,
        )
        .await
        .map_err(upload_error)?;
    let post = NewPost::new(channel_id, view.dm_text()).with_file_ids(vec![file.id]);
    mm.create_post(&post).await?;
    tracing::info!(filename = %view.filename, by = %ctx.actor.user.username, logs, warnings = view.warnings.len(), "support packet sent");
    Ok(view)
}

/// Refusals an admin can fix get a sentence saying how; anything else is Mattermost trouble.
fn upload_error(e: MattermostError) -> ServiceError {
    match e.status() {
        Some(StatusCode::NOT_IMPLEMENTED) => ServiceError::invalid(
            "Mattermost has file attachments turned off, so the packet can't be sent as a DM. Turn on \
             System Console → Site Configuration → File Sharing and Downloads → Allow file sharing, or \
             download it from the bot with `GET /admin/support-packet` (needs LOTTO_ADMIN_TOKEN).",
        ),
        Some(StatusCode::PAYLOAD_TOO_LARGE) => ServiceError::invalid(
            "Mattermost refused the packet as too large (System Console → Environment → File \
             Storage → Maximum File Size). Try `/lotto admin support-packet --no-logs`, or download \
             it with `GET /admin/support-packet`.",
        ),
        Some(StatusCode::FORBIDDEN) => ServiceError::invalid(
            "Mattermost does not let the bot upload files (the `upload_file` permission), so the \
             packet can't be sent as a DM. Download it with `GET /admin/support-packet` instead.",
        ),
        _ => ServiceError::Mattermost(e),
    }
}
