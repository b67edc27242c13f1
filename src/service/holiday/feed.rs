//! `holiday feed <url>|off [--rotation <rot>]`, and the refresh the `holiday-feeds` job runs: a
//! published calendar (public holidays) whose whole-day entries become holidays. Setting one reads
//! it at once, so a link that does not work is refused with nothing stored.

use chrono::{DateTime, Days, NaiveDate, Utc};
use chrono_tz::Tz;

use super::scope;
use crate::calendar::holidays::{FeedDay, holiday_days};
use crate::calendar::ics::redact;
use crate::calendar::{IcsClient, SourceError};
use crate::command::{IcsUrl, RotationName};
use crate::lottery::local_time::to_local;
use crate::lottery::{HistoryActor, HistoryEntry, HistoryEvent};
use crate::notify::message::{HolidayFeedProblem, Queued};
use crate::notify::{self, Message};
use crate::service::context::Ctx;
use crate::service::views::holiday::{HolidayFeedView, HolidayView};
use crate::service::{Output, Result, Service, ServiceError};
use crate::store::holiday_feeds::{self, HolidayFeed, Imported};
use crate::store::{self, Conn};

/// How far ahead a feed's holidays are taken (a year, and the rest of the next month).
const AHEAD: Days = Days::new(400);
/// How many of the coming holidays the reply shows.
const SHOWN: usize = 5;

/// `holiday feed <url>`: reads the calendar, then makes its days the scope's feed holidays.
pub async fn set(ctx: &Ctx, url: &IcsUrl, rotation: Option<&RotationName>) -> Result<Output> {
    let mut conn = ctx.read().await?;
    let r = scope(ctx, &mut conn, rotation, "take holidays from a calendar").await?;
    drop(conn);
    let tz = r.as_ref().map_or(chrono_tz::UTC, |r| r.tz);
    let from = first_day(ctx.now, tz);
    let source = redact(url.as_str());
    let days = read(ics(&ctx.svc), url.as_str(), from, tz)
        .await
        .map_err(|e| {
            ServiceError::invalid(format!(
                "Couldn't take holidays from {source}. {}. Nothing changed.",
                gist(&e)
            ))
        })?;
    let mut tx = ctx.begin().await?;
    // Again inside the change: the rotation may have gone while the calendar was read.
    let r = scope(ctx, &mut tx, rotation, "take holidays from a calendar").await?;
    let scope_id = r.as_ref().map(|r| r.id);
    let feed = holiday_feeds::replace(&mut tx, scope_id, url.as_str(), &ctx.actor.user.id, ctx.now)
        .await?;
    let imported = holiday_feeds::import(&mut tx, &feed, from, &pairs(&days), ctx.now).await?;
    holiday_feeds::mark_read(&mut tx, feed.id, ctx.now).await?;
    let event = HistoryEvent::HolidayFeedSet {
        source: source.clone(),
    };
    ctx.record(&mut tx, scope_id, None, event).await?;
    ctx.commit(tx).await?;
    let today = to_local(ctx.now, tz).date();
    Ok(HolidayFeedView {
        rotation: r.map(|r| r.name),
        source,
        on: true,
        days: days.len(),
        added: imported.added,
        already: imported.already,
        removed: 0,
        coming: days
            .iter()
            .filter(|d| d.day >= today)
            .take(SHOWN)
            .map(|d| HolidayView {
                day: d.day,
                name: d.name.clone(),
                rotation: None,
                from_feed: true,
            })
            .collect(),
    }
    .into())
}

/// `holiday feed off`: stops the scope's feed and removes the holidays it made.
pub async fn off(ctx: &Ctx, rotation: Option<&RotationName>) -> Result<Output> {
    let mut tx = ctx.begin().await?;
    let r = scope(ctx, &mut tx, rotation, "stop a holiday feed").await?;
    let scope_id = r.as_ref().map(|r| r.id);
    let Some((feed, removed)) = holiday_feeds::remove(&mut tx, scope_id).await? else {
        return Err(ServiceError::NotFound(format!(
            "{} no holiday feed. Set one with `/lotto holiday feed <url>{}`.",
            r.as_ref()
                .map_or("There is".to_string(), |r| format!("{} has", r.name)),
            r.as_ref()
                .map(|r| format!(" --rotation {}", r.name))
                .unwrap_or_default()
        )));
    };
    let source = redact(&feed.url);
    let event = HistoryEvent::HolidayFeedRemoved {
        source: source.clone(),
        removed,
    };
    ctx.record(&mut tx, scope_id, None, event).await?;
    ctx.commit(tx).await?;
    Ok(HolidayFeedView {
        rotation: r.map(|r| r.name),
        source,
        on: false,
        days: 0,
        added: 0,
        already: 0,
        removed: usize::try_from(removed).unwrap_or(usize::MAX),
        coming: Vec::new(),
    }
    .into())
}

/// What one refresh of every feed did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct FeedRefresh {
    pub feeds: usize,
    pub changed: usize,
    pub failed: usize,
}

impl Service {
    /// Reads every holiday feed again (the `holiday-feeds` job): each feed's holidays follow what
    /// its calendar says now. A feed that cannot be read keeps its holidays, and whoever set it
    /// hears once until it works again.
    pub async fn refresh_holiday_feeds(&self, now: DateTime<Utc>) -> Result<FeedRefresh> {
        let mut conn = self.db().read().await?;
        let feeds = holiday_feeds::all_active(&mut conn).await?;
        let mut zones = Vec::with_capacity(feeds.len());
        for f in &feeds {
            zones.push(zone_name(&mut conn, f).await?);
        }
        drop(conn);
        let mut report = FeedRefresh {
            feeds: feeds.len(),
            ..FeedRefresh::default()
        };
        for (feed, (tz, name)) in feeds.iter().zip(zones) {
            let from = first_day(now, tz);
            let read = read(ics(self), &feed.url, from, tz).await;
            let mut tx = self.db().begin_write().await?;
            // Only if it is still the same feed (it may have been replaced or turned off).
            if holiday_feeds::get(&mut tx, feed.rotation_id)
                .await?
                .is_none_or(|f| f.id != feed.id)
            {
                continue;
            }
            match read {
                Ok(days) => {
                    let imported =
                        holiday_feeds::import(&mut tx, feed, from, &pairs(&days), now).await?;
                    holiday_feeds::mark_read(&mut tx, feed.id, now).await?;
                    if imported.changed() {
                        report.changed += 1;
                        record(&mut tx, feed, imported, now).await?;
                    }
                }
                Err(e) => {
                    report.failed += 1;
                    let error = gist(&e);
                    if holiday_feeds::mark_failed(&mut tx, feed.id, &error, now).await? {
                        tell(&mut tx, feed, name, error, now).await?;
                    }
                }
            }
            store::commit(tx).await?;
        }
        if report.failed > 0 {
            self.wake_sender();
        }
        Ok(report)
    }
}

fn ics(svc: &Service) -> &IcsClient {
    svc.deps.calendar.fetcher().ics()
}

/// Reads a calendar's holidays from `from` on; the parsing runs off the async workers.
async fn read(
    ics: &IcsClient,
    url: &str,
    from: NaiveDate,
    tz: Tz,
) -> std::result::Result<Vec<FeedDay>, SourceError> {
    let text = ics.fetch(url).await?;
    let to = from.checked_add_days(AHEAD).unwrap_or(from);
    tokio::task::spawn_blocking(move || holiday_days(&text, from, to, tz))
        .await
        .map_err(|_| SourceError::InvalidIcs("reading it failed unexpectedly".into()))?
}

/// The first day a feed's holidays are kept up to date from: yesterday, so a holiday still under
/// way somewhere stays; earlier ones stay as they were, as history.
fn first_day(now: DateTime<Utc>, tz: Tz) -> NaiveDate {
    let today = to_local(now, tz).date();
    today.pred_opt().unwrap_or(today)
}

fn pairs(days: &[FeedDay]) -> Vec<(NaiveDate, Option<String>)> {
    days.iter().map(|d| (d.day, d.name.clone())).collect()
}

/// The source's words without the sync job's "will try again" tail, which the caller says itself.
fn gist(e: &SourceError) -> String {
    let text = e.to_string();
    text.trim_end_matches(" The bot will try again on its next run.")
        .trim_end_matches('.')
        .to_string()
}

/// The zone a feed's dates are read in, and its rotation's name (`None`: everyone's, read in UTC).
async fn zone_name(conn: &mut Conn, feed: &HolidayFeed) -> Result<(Tz, Option<String>)> {
    match feed.rotation_id {
        Some(id) => {
            let r = store::rotations::get(conn, id).await?;
            Ok((r.tz, Some(r.name)))
        }
        None => Ok((chrono_tz::UTC, None)),
    }
}

async fn record(
    conn: &mut Conn,
    feed: &HolidayFeed,
    imported: Imported,
    now: DateTime<Utc>,
) -> Result<()> {
    let entry = HistoryEntry {
        rotation: feed.rotation_id,
        task: None,
        at: now,
        actor: HistoryActor::Autopilot,
        event: HistoryEvent::HolidaysFromFeed {
            added: imported.added,
            removed: imported.removed,
            renamed: imported.renamed,
        },
    };
    store::history::record(conn, &entry).await?;
    Ok(())
}

/// Tells whoever set the feed that it cannot be read (once per failure streak).
async fn tell(
    conn: &mut Conn,
    feed: &HolidayFeed,
    rotation: Option<String>,
    error: String,
    now: DateTime<Utc>,
) -> Result<()> {
    let message = Message::HolidayFeedFailed(HolidayFeedProblem {
        at: now,
        feed_id: feed.id,
        rotation,
        source: redact(&feed.url),
        error,
    });
    let queued = Queued {
        to: feed.created_by.clone(),
        rotation_id: feed.rotation_id,
        message,
    };
    notify::message::queue(conn, &queued, now).await?;
    Ok(())
}
