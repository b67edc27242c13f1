//! Bot admins' calendar commands: `calendar sync` (run it now) and `calendar consent-url`.

use crate::calendar::admin_consent_url;
use crate::calendar::sync::SyncError;
use crate::service::context::Ctx;
use crate::service::views::{ConsentView, SyncView};
use crate::service::{Result, ServiceError};

/// Where Microsoft sends the admin back after consenting when `LOTTO_PUBLIC_URL` is not set: the
/// standard redirect of native apps, which every app registration can list.
const FALLBACK_CONSENT_REDIRECT: &str =
    "https://login.microsoftonline.com/common/oauth2/nativeclient";

pub async fn sync(ctx: &Ctx) -> Result<SyncView> {
    ctx.require_admin("run the calendar sync")?;
    let report = ctx.svc.calendar().run(ctx.now).await.map_err(|e| match e {
        SyncError::Store(e) => ServiceError::Store(e),
        SyncError::ReadStatuses(e) | SyncError::ReadProfiles(e) => ServiceError::Mattermost(e),
        SyncError::BadTime(_) => ServiceError::invalid(e.to_string()),
    })?;
    Ok(SyncView::new(report))
}

pub fn consent_url(ctx: &Ctx) -> Result<ConsentView> {
    ctx.require_admin("get the Microsoft Graph admin-consent link")?;
    let Some(graph) = ctx.svc.deps.calendar.graph() else {
        return Err(ServiceError::invalid(
            "Microsoft Graph is not configured. Register an app in Microsoft Entra ID (App registrations → New registration) with the application permission Calendars.ReadBasic (or Calendars.Read) for Microsoft Graph, create a client secret, then set LOTTO_GRAPH_TENANT (the directory/tenant id), LOTTO_GRAPH_CLIENT_ID (the application id) and LOTTO_GRAPH_CLIENT_SECRET, restart the bot and run this again.",
        ));
    };
    let (redirect, fallback) = match &ctx.svc.deps.public_url {
        Some(url) => (url.clone(), false),
        None => (FALLBACK_CONSENT_REDIRECT.to_string(), true),
    };
    let url = admin_consent_url(&graph.tenant, &graph.client_id, &redirect).map_err(|e| {
        ServiceError::invalid(format!("The admin-consent link could not be made: {e}."))
    })?;
    Ok(ConsentView {
        url,
        tenant: graph.tenant.clone(),
        client_id: graph.client_id.clone(),
        redirect_uri: redirect,
        fallback,
    })
}
