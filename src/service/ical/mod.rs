//! iCalendar feeds: `rotation ical <rot>` and `user ical` hand out a secret link (`--reset` replaces
//! it, revoking the old one); `GET /ical/<token>.ics` serves the feed through [`Service::ical_feed`].
//!
//! A feed lists tasks from 30 days back to the furthest one created (the autopilot creates them up
//! to its horizon), at most a year ahead; a rotation's feed also shows its holidays. Its ETag is a
//! fingerprint of what it shows and Last-Modified when that last changed, so a calendar client
//! polling every few minutes gets 304s until something really changes.

mod cache;
pub mod render;
mod window;

pub use cache::FeedCache;

use std::collections::HashMap;

use chrono::{DateTime, TimeDelta, Utc};
use rand::RngExt;

use super::context::Ctx;
use super::views::ical::IcalLinkView;
use super::{Result, Service, ServiceError};
use crate::command::RotationName;
use crate::lottery::local_time::to_local;
use crate::lottery::{TaskId, UserId};
use crate::store::{self, ical::FeedSubject};

/// How far back a feed reaches.
const BACK: TimeDelta = TimeDelta::days(30);
/// How far ahead a feed reaches at most.
const AHEAD: TimeDelta = TimeDelta::days(366);
/// A token is this many lowercase hex digits (160 random bits).
const TOKEN_LEN: usize = 40;

/// A feed ready to serve.
#[derive(Debug, Clone)]
pub struct Feed {
    pub body: std::sync::Arc<str>,
    /// Quoted, as the header carries it.
    pub etag: String,
    pub last_modified: DateTime<Utc>,
}

/// Whether `s` has the form of a token (anything else is not looked up at all).
pub fn is_token(s: &str) -> bool {
    s.len() == TOKEN_LEN && s.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

fn new_token() -> String {
    let bytes: [u8; TOKEN_LEN / 2] = rand::rng().random();
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

impl Service {
    /// The feed a token opens at `now`, or `None` for an unknown, revoked or malformed token.
    pub async fn ical_feed(&self, token: &str, now: DateTime<Utc>) -> Result<Option<Feed>> {
        if !is_token(token) {
            return Ok(None);
        }
        let mut conn = self.db().read().await?;
        let Some(feed) = store::ical::lookup(&mut conn, token).await? else {
            return Ok(None);
        };
        let fingerprint = feed.fingerprint.as_deref();
        if let Some(kept) = self.feeds.served(token, feed.generation, fingerprint, now) {
            return Ok(Some(kept));
        }
        let mut holidays_zone = None;
        let (name, holidays, viewer) = match &feed.subject {
            FeedSubject::Rotation(id) => {
                let r = store::rotations::get(&mut conn, *id).await?;
                if r.archived_at.is_some() {
                    return Ok(None);
                }
                let from = to_local(now - BACK, r.tz).date();
                let holidays = store::holidays::list(&mut conn, Some(r.id), from, 1000).await?;
                holidays_zone = Some(r.tz);
                (format!("{} shifts (Solar Lottery)", r.name), holidays, None)
            }
            FeedSubject::User(id) => {
                let who = store::users::username(&mut conn, id)
                    .await?
                    .unwrap_or_else(|| id.to_string());
                (
                    format!("@{who}'s shifts (Solar Lottery)"),
                    Vec::new(),
                    Some(who),
                )
            }
        };
        let tasks = store::ical::tasks(&mut conn, &feed.subject, now - BACK, now + AHEAD).await?;
        let covers = covers(&mut conn, &tasks).await?;
        let next_beyond =
            store::ical::next_start_from(&mut conn, &feed.subject, now + AHEAD).await?;
        drop(conn);
        let valid_until = window::valid_until(&window::Reach {
            now,
            tasks: &tasks,
            next_beyond,
            holidays_zone,
        });
        let entries = render::entries_with_covers(&tasks, &holidays, &covers, viewer.as_deref());
        let fingerprint = render::fingerprint(&name, &entries);
        let changed_at = if feed.fingerprint.as_deref() == Some(fingerprint.as_str()) {
            feed.changed_at
        } else {
            // Only when the content changed: polling an unchanged feed never writes.
            let mut tx = self.db().begin_write().await?;
            store::ical::set_fingerprint(&mut tx, token, &fingerprint, now).await?;
            store::commit(tx).await?;
            now
        };
        let body = self.feeds.get_or_render(&fingerprint, changed_at, || {
            self.feeds.render(&name, &entries, changed_at)
        });
        let served = Feed {
            body,
            etag: format!("\"{fingerprint}\""),
            last_modified: changed_at,
        };
        self.feeds
            .keep_served(token, feed.generation, (now, valid_until), &served);
        Ok(Some(served))
    }
}

/// The overrides of the feed's tasks, with usernames.
async fn covers(
    conn: &mut store::Conn,
    tasks: &[store::ical::FeedTask],
) -> Result<HashMap<TaskId, Vec<render::Cover>>> {
    let ids: Vec<TaskId> = tasks.iter().map(|t| t.task.id).collect();
    let overrides = store::overrides::of_tasks(conn, &ids).await?;
    if overrides.is_empty() {
        return Ok(HashMap::new());
    }
    let people: Vec<UserId> = overrides
        .iter()
        .flat_map(|o| [o.from.clone(), o.to.clone()])
        .collect();
    let profiles = store::users::get_many(conn, &people).await?;
    let name = |id: &UserId| {
        profiles
            .get(id)
            .map_or_else(|| id.to_string(), |u| u.username.clone())
    };
    let mut out: HashMap<TaskId, Vec<render::Cover>> = HashMap::new();
    for o in overrides {
        out.entry(o.task_id).or_default().push(render::Cover {
            id: o.id,
            from: name(&o.from),
            to: name(&o.to),
            start: o.start,
            finish: o.finish,
        });
    }
    Ok(out)
}

/// `rotation ical <rot> [--reset]`: anyone may have the link (everyone reads everything); only its
/// owners may replace it.
pub async fn rotation_link(ctx: &Ctx, name: &RotationName, reset: bool) -> Result<IcalLinkView> {
    let base = public_url(ctx)?;
    let mut tx = ctx.begin().await?;
    let r = ctx.rotation(&mut tx, name).await?;
    if reset {
        ctx.require_owner(&mut tx, &r, "replace its calendar link")
            .await?;
    }
    let token = token(ctx, &mut tx, &FeedSubject::Rotation(r.id), reset).await?;
    ctx.commit(tx).await?;
    Ok(IcalLinkView {
        url: format!("{base}/ical/{token}.ics"),
        feed: format!("the shifts of {}", r.name),
        reset,
    })
}

/// `user ical [--reset]`: your own shifts, in every rotation.
pub async fn user_link(ctx: &Ctx, reset: bool) -> Result<IcalLinkView> {
    let base = public_url(ctx)?;
    let mut tx = ctx.begin().await?;
    let subject = FeedSubject::User(ctx.actor.user.id.clone());
    let token = token(ctx, &mut tx, &subject, reset).await?;
    ctx.commit(tx).await?;
    Ok(IcalLinkView {
        url: format!("{base}/ical/{token}.ics"),
        feed: "your shifts in every rotation".to_string(),
        reset,
    })
}

async fn token(
    ctx: &Ctx,
    tx: &mut store::Tx,
    subject: &FeedSubject,
    reset: bool,
) -> Result<String> {
    if !reset && let Some(t) = store::ical::token_of(tx, subject).await? {
        return Ok(t);
    }
    let t = new_token();
    store::ical::replace(tx, subject, &t, ctx.now).await?;
    Ok(t)
}

fn public_url(ctx: &Ctx) -> Result<String> {
    match &ctx.svc.deps.public_url {
        Some(u) => Ok(u.trim_end_matches('/').to_string()),
        None => Err(ServiceError::invalid(
            "Calendar links need the address where calendar apps reach the bot, and none is set. A server admin sets `LOTTO_PUBLIC_URL` (e.g. `https://lotto.example.com`) and restarts the bot; then try again.",
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_forty_lowercase_hex_digits_and_differ() {
        let a = new_token();
        assert!(is_token(&a), "{a}");
        assert_ne!(a, new_token());
        assert!(!is_token(&a.to_uppercase()));
        assert!(!is_token(&a[1..]));
        assert!(!is_token("../../etc/passwd"));
    }
}
