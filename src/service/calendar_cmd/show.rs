//! `calendar show`: what the bot sees and would do, without doing it.

use super::{connection_of, target, whose};
use crate::calendar::sync as job;
use crate::command::UserRef;
use crate::service::Result;
use crate::service::context::Ctx;
use crate::service::views::calendar_show::{
    CustomStatusView, Entry, MattermostNow, describe_decision,
};
use crate::service::views::{CalendarNow, CalendarShowView, SourceView};
use crate::store;

/// Upcoming calendar entries listed by `calendar show`.
const SHOW_BLOCKS: usize = 6;

pub async fn show(ctx: &Ctx, user: Option<UserRef>) -> Result<CalendarShowView> {
    let person = target(ctx, user, "see the calendar").await?;
    let connection = connection_of(ctx, &person).await?;
    let alerts = {
        let mut conn = ctx.read().await?;
        store::calendar::alerts(&mut conn).await?
    };
    let preview = job::preview(ctx.svc.calendar(), &connection, person.zone(), ctx.now).await?;
    let own = person.id == ctx.actor.user.id;
    let upcoming = match (&preview.blocks, &preview.view) {
        (Ok(blocks), Some(_)) => {
            let mut upcoming: Vec<_> = blocks.iter().filter(|b| b.end() > ctx.now).collect();
            upcoming.sort_by_key(|b| (b.start(), b.end()));
            upcoming.truncate(SHOW_BLOCKS);
            upcoming
                .into_iter()
                .map(|b| Entry {
                    start: b.start(),
                    end: b.end(),
                    availability: b.availability(),
                    private: b.is_private(),
                    // Subjects only to their owner, and never of private entries (sources drop those).
                    subject: b.subject().filter(|_| own).map(str::to_string),
                })
                .collect()
        }
        _ => Vec::new(),
    };
    let would = preview
        .decision
        .as_ref()
        .map(|d| describe_decision(d, if own { "you" } else { "them" }, ctx.tz()))
        .unwrap_or_default();
    Ok(CalendarShowView {
        user: person.username.clone(),
        source: SourceView::new(&connection.source),
        settings: connection.settings.clone(),
        mattermost: MattermostNow {
            status: preview.status.kind,
            manual: preview.status.manual,
            dnd_end_time: preview.status.dnd_end_time,
            custom_status: preview.custom_status.as_ref().map(|c| CustomStatusView {
                emoji: c.emoji.clone(),
                text: c.text.clone(),
                expires_at: c.expires_at,
            }),
        },
        now: preview.view.as_ref().map(CalendarNow::new),
        upcoming,
        error: preview.blocks.as_ref().err().map(ToString::to_string),
        would,
        synced_at: connection.synced_at,
        problem: connection.problem.as_ref().map(|p| p.message.clone()),
        problem_since: connection.problem.as_ref().map(|p| p.since),
        alerts: alerts.into_iter().map(|(_, message)| message).collect(),
        whose: whose(ctx, &person),
    })
}
