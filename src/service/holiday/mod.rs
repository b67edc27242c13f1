//! `/lotto holiday …`: everyone's holidays (bot admins) and a rotation's own (its owners), typed
//! or taken from a published calendar ([`feed`]).

mod feed;

pub use feed::FeedRefresh;

use std::collections::HashMap;

use super::context::Ctx;
use super::views::holiday::{FeedStatusView, HolidayChangedView, HolidayListView, HolidayView};
use super::{Output, Result, ServiceError};
use crate::command::{HolidayCommand, RotationName};
use crate::lottery::HistoryEvent;
use crate::lottery::local_time::to_local;
use crate::store::rotations::Rotation;
use crate::store::{self, Conn, StoreError};

/// Most holidays one `holiday list` shows.
const MAX_LISTED: i64 = 200;

pub async fn handle(ctx: &Ctx, cmd: HolidayCommand) -> Result<Output> {
    match cmd {
        HolidayCommand::Add {
            day,
            name,
            rotation,
        } => {
            let mut tx = ctx.begin().await?;
            let r = scope(ctx, &mut tx, rotation.as_ref(), "add holidays").await?;
            let name = name.map(|n| n.as_str().to_string());
            let added = store::holidays::insert(
                &mut tx,
                day,
                name.as_deref(),
                r.as_ref().map(|r| r.id),
                &ctx.actor.user.id,
                ctx.now,
            )
            .await;
            match added {
                Ok(_) => {
                    let event = HistoryEvent::HolidayAdded {
                        day,
                        name: name.clone(),
                    };
                    ctx.record(&mut tx, r.as_ref().map(|r| r.id), None, event)
                        .await?;
                }
                Err(StoreError::Conflict) => {
                    return Err(ServiceError::Conflict(format!(
                        "{day} is already a holiday {}.",
                        for_whom(r.as_ref())
                    )));
                }
                Err(e) => return Err(e.into()),
            }
            ctx.commit(tx).await?;
            Ok(HolidayChangedView {
                holiday: HolidayView {
                    day,
                    name,
                    rotation: r.map(|r| r.name),
                    from_feed: false,
                },
                added: true,
            }
            .into())
        }
        HolidayCommand::Remove { day, rotation } => {
            let mut tx = ctx.begin().await?;
            let r = scope(ctx, &mut tx, rotation.as_ref(), "remove holidays").await?;
            let Some(feed) =
                store::holidays::remove(&mut tx, day, r.as_ref().map(|r| r.id)).await?
            else {
                return Err(ServiceError::NotFound(format!(
                    "{day} is not a holiday {}. See them with `/lotto holiday list`.",
                    for_whom(r.as_ref())
                )));
            };
            // A feed's day removed by hand stays removed: its next read leaves it out.
            if let Some(feed_id) = feed {
                store::holiday_feeds::skip(&mut tx, feed_id, day).await?;
            }
            let event = HistoryEvent::HolidayRemoved { day };
            ctx.record(&mut tx, r.as_ref().map(|r| r.id), None, event)
                .await?;
            ctx.commit(tx).await?;
            Ok(HolidayChangedView {
                holiday: HolidayView {
                    day,
                    name: None,
                    rotation: r.map(|r| r.name),
                    from_feed: feed.is_some(),
                },
                added: false,
            }
            .into())
        }
        HolidayCommand::Feed { url, rotation } => match url {
            Some(url) => feed::set(ctx, &url, rotation.as_ref()).await,
            None => feed::off(ctx, rotation.as_ref()).await,
        },
        HolidayCommand::List { rotation } => {
            let mut conn = ctx.read().await?;
            let r = match &rotation {
                Some(name) => Some(ctx.rotation(&mut conn, name).await?),
                None => None,
            };
            // From yesterday in the reader's zone, so a holiday still under way somewhere shows.
            let today = to_local(ctx.now, ctx.tz()).date();
            let from = today.pred_opt().unwrap_or(today);
            let list = store::holidays::list(&mut conn, r.as_ref().map(|r| r.id), from, MAX_LISTED)
                .await?;
            let names: HashMap<_, _> = store::rotations::active_names(&mut conn)
                .await?
                .into_iter()
                .collect();
            let mut feeds = Vec::new();
            // Everyone's feed, and the rotation's own when listing for one.
            let scopes = std::iter::once(None).chain(r.as_ref().map(|r| Some(r.id)));
            for scope in scopes {
                if let Some(f) = store::holiday_feeds::get(&mut conn, scope).await? {
                    let name = scope.and_then(|id| names.get(&id).cloned());
                    feeds.push((f, name));
                }
            }
            Ok(HolidayListView {
                feeds: feeds
                    .into_iter()
                    .map(|(f, rotation)| FeedStatusView {
                        rotation,
                        source: crate::calendar::ics::redact(&f.url),
                        read_at: f.read_at,
                        failing_since: f.failed_at,
                        error: f.error,
                    })
                    .collect(),
                rotation: r.as_ref().map(|r| r.name.clone()),
                policy: r.as_ref().map(|r| r.holidays),
                holidays: list
                    .into_iter()
                    .map(|h| HolidayView {
                        day: h.day,
                        name: h.name,
                        rotation: h
                            .rotation_id
                            .map(|id| names.get(&id).cloned().unwrap_or_else(|| id.to_string())),
                        from_feed: h.from_feed,
                    })
                    .collect(),
            }
            .into())
        }
    }
}

/// The rotation a holiday change is for (its owners may change it), or everyone's (bot admins).
async fn scope(
    ctx: &Ctx,
    conn: &mut Conn,
    rotation: Option<&RotationName>,
    what: &str,
) -> Result<Option<Rotation>> {
    match rotation {
        Some(name) => {
            let r = ctx.rotation(conn, name).await?;
            ctx.require_owner(conn, &r, &format!("{what} for it"))
                .await?;
            Ok(Some(r))
        }
        None => {
            ctx.require_admin(&format!(
                "{what} for every rotation (owners can with `--rotation <rotation>`)"
            ))?;
            Ok(None)
        }
    }
}

fn for_whom(r: Option<&Rotation>) -> String {
    match r {
        Some(r) => format!("for {}", r.name),
        None => "for every rotation".to_string(),
    }
}
