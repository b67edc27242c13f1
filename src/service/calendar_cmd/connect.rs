//! `calendar connect` (checked by reading the calendar once) and `calendar disconnect` (which hands
//! back what the bot set).

use chrono::TimeDelta;

use super::{connection_of, target, them, whose};
use crate::calendar::rules::CustomStatusChange;
use crate::calendar::sync::{self as job, Part};
use crate::calendar::{CalendarView, Source, SourceError};
use crate::command::{CalendarSource, UserRef};
use crate::lottery::Interval;
use crate::service::context::Ctx;
use crate::service::views::{CalendarNow, ConnectedView, DisconnectedView, SourceView};
use crate::service::{Result, ServiceError};
use crate::store;
use crate::store::unavailability::Stored;
use crate::store::users::User;

/// Errors about what the person typed (or their address), which a connection would keep hitting;
/// anything else (Graph down, throttled, consent not given yet) may pass and is retried by the job.
fn refuses_connection(e: &SourceError) -> bool {
    match e {
        SourceError::UnknownAddress { .. }
        | SourceError::BadUrl { .. }
        | SourceError::InvalidIcs(_)
        | SourceError::TooLarge { .. }
        | SourceError::GraphNotConfigured => true,
        SourceError::Http { status } => (400..500).contains(status) && *status != 429,
        _ => false,
    }
}

pub async fn connect(
    ctx: &Ctx,
    source: CalendarSource,
    user: Option<UserRef>,
) -> Result<ConnectedView> {
    let person = target(ctx, user, "connect a calendar").await?;
    let source = match source {
        CalendarSource::Graph { email } => {
            if ctx.svc.deps.calendar.graph().is_none() {
                return Err(ServiceError::invalid(format!(
                    "{} Nothing was connected.",
                    SourceError::GraphNotConfigured
                )));
            }
            let email = match email {
                Some(e) => e.as_str().to_string(),
                None => default_email(ctx, &person).await?,
            };
            Source::Graph { email }
        }
        CalendarSource::Ics { url } => Source::Ics {
            url: url.as_str().to_string(),
        },
    };
    let check = job::fetch_one(ctx.svc.calendar(), &source, person.zone(), ctx.now).await;
    if let Err(e) = &check
        && refuses_connection(e)
    {
        return Err(ServiceError::invalid(format!(
            "{e}\n\nNothing was connected."
        )));
    }
    let mut tx = ctx.begin().await?;
    let replaced =
        store::calendar::connect(&mut tx, &person.id, &source, &ctx.actor.user.id, ctx.now).await?;
    ctx.commit(tx).await?;
    Ok(ConnectedView {
        source: SourceView::new(&source),
        replaced: replaced.as_ref().map(SourceView::new),
        readable: check.is_ok(),
        error: check.as_ref().err().map(ToString::to_string),
        now: check
            .as_ref()
            .ok()
            .map(|blocks| CalendarNow::new(&CalendarView::at(blocks, ctx.now))),
        whose: whose(ctx, &person),
        them: them(ctx, &person),
        user: person.username,
    })
}

async fn default_email(ctx: &Ctx, person: &User) -> Result<String> {
    if let Some(email) = person.email.clone().filter(|e| !e.is_empty()) {
        return Ok(email);
    }
    let profile = ctx.svc.mattermost().get_user(&person.id).await?;
    if profile.email.trim().is_empty() {
        return Err(ServiceError::invalid(format!(
            "Mattermost shows the bot no e-mail address for @{} (the server may hide addresses: System Console → Site Configuration → Users and Teams → Show Email Address). Type it instead: `/lotto calendar connect graph name@example.com`.",
            person.username
        )));
    }
    Ok(profile.email.trim().to_string())
}

pub async fn disconnect(ctx: &Ctx, user: Option<UserRef>) -> Result<DisconnectedView> {
    let person = target(ctx, user, "disconnect a calendar").await?;
    let connection = connection_of(ctx, &person).await?;
    // Hand back what the bot set and is still in place; if Mattermost can't be reached, disconnect
    // anyway and say so.
    let released = job::release(ctx.svc.calendar(), &connection, person.zone(), ctx.now).await;
    let mut tx = ctx.begin().await?;
    store::calendar::disconnect(&mut tx, &person.id).await?;
    let removed = store::unavailability::clear(
        &mut tx,
        &person.id,
        Stored::Calendar,
        Some(Interval {
            start: ctx.now,
            finish: ctx.now + TimeDelta::days(36_500),
        }),
    )
    .await?
    .len() as u64;
    ctx.commit(tx).await?;

    let mut view = DisconnectedView {
        user: person.username.clone(),
        source: SourceView::new(&connection.source),
        status_restored: None,
        unavailability_removed: removed,
        whose: whose(ctx, &person),
        custom_status_cleared: false,
        undo_failures: Vec::new(),
        status_unreadable: None,
    };
    match &released {
        Ok(r) => {
            if let (Some(write), Part::Written) = (r.decision.status, &r.applied.status) {
                view.status_restored = Some(write.kind());
            }
            view.custom_status_cleared = matches!(
                (&r.decision.custom_status, &r.applied.custom_status),
                (Some(CustomStatusChange::Clear), Part::Written)
            );
            for part in [&r.applied.status, &r.applied.custom_status] {
                if let Part::Failed(f) = part {
                    view.undo_failures.push(f.describe());
                }
            }
        }
        Err(e) => view.status_unreadable = Some(e.to_string()),
    }
    Ok(view)
}
