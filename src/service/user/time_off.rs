//! `user unavailable`: personal time off, which the lottery respects.

use chrono::TimeDelta;

use super::{mentions, require_for_person, resolve, show};
use crate::command::{UnavailableChange, Who};
use crate::lottery::{HistoryEvent, Interval, Person};
use crate::service::context::Ctx;
use crate::service::views::{PeopleEvent, PeopleView};
use crate::service::{Result, ServiceError, format};
use crate::store;
use crate::store::unavailability::Stored;
use crate::store::users::User;

/// Longest single stretch of personal unavailability.
const MAX_UNAVAILABLE: TimeDelta = TimeDelta::days(366);

pub async fn change(ctx: &Ctx, who: &Who, change: UnavailableChange) -> Result<PeopleView> {
    let users = ctx.who(who).await?;
    let tz = ctx.tz();
    let mut tx = ctx.begin().await?;
    require_for_person(ctx, &mut tx, &users, "change time off").await?;
    let event = match change {
        UnavailableChange::Add { start, finish } => {
            let (s, f) = (resolve(&start, ctx)?, resolve(&finish, ctx)?);
            if f <= s {
                return Err(ServiceError::invalid(format!(
                    "The finish ({}) must be after the start ({}).",
                    format::time(f, tz),
                    format::time(s, tz)
                )));
            }
            if f - s > MAX_UNAVAILABLE {
                return Err(ServiceError::invalid(
                    "A stretch of time off can be at most a year; add several if you need more."
                        .to_string(),
                ));
            }
            for u in &users {
                let span = Interval::new(s, f);
                store::unavailability::add(&mut tx, &u.id, Stored::Personal, span, ctx.now).await?;
                record(ctx, &mut tx, u, &[span], true).await?;
            }
            PeopleEvent::Unavailable {
                start: s,
                finish: f,
                own: ctx.is_self(&users),
            }
        }
        UnavailableChange::Clear { range } => {
            let window = match range {
                Some((s, f)) => Some(Interval::new(resolve(&s, ctx)?, resolve(&f, ctx)?)),
                None => None,
            };
            let mut n = 0;
            for u in &users {
                let spans =
                    store::unavailability::clear(&mut tx, &u.id, Stored::Personal, window).await?;
                record(ctx, &mut tx, u, &spans, false).await?;
                n += spans.len() as u64;
            }
            if n == 0 {
                return Err(ServiceError::NotFound(format!(
                    "{} no personal time off {}, so nothing was cleared.",
                    format::people(&mentions(&users))
                        + if users.len() == 1 { " has" } else { " have" },
                    if window.is_some() {
                        "in that range"
                    } else {
                        "recorded"
                    }
                )));
            }
            PeopleEvent::Cleared(n)
        }
    };
    let people = show::people(ctx, &mut tx, &users).await?;
    ctx.commit(tx).await?;
    Ok(PeopleView { event, people })
}

/// Records time off added or taken back in the history of every rotation the person is a member of
/// (the lottery of each of them skips it), one line per stretch.
async fn record(
    ctx: &Ctx,
    conn: &mut store::Conn,
    user: &User,
    spans: &[Interval],
    added: bool,
) -> Result<()> {
    if spans.is_empty() {
        return Ok(());
    }
    for (rotation, _) in store::members::memberships(conn, &user.id).await? {
        for span in spans {
            let event = HistoryEvent::TimeOff {
                person: Person::new(user.id.clone(), &user.username),
                start: span.start,
                finish: span.finish,
                added,
                from_calendar: false,
            };
            ctx.record(conn, Some(rotation), None, event).await?;
        }
    }
    Ok(())
}
