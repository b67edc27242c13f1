//! Served feeds, kept two ways, both bounded (the oldest entry goes when full):
//! - by token, with the feed counter it was read at and until when its window holds the same
//!   tasks: while nothing changed, a poll costs one read of the token and the counter;
//! - by content: a feed whose data changed elsewhere (another rotation's task) reads and
//!   fingerprints the same, so its text (same fingerprint, same DTSTAMP) is not rendered again;
//! - by event: after a change to one task, the feed's other events are the ones written before,
//!   only stamped again (`render::assemble`).

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex, PoisonError};

use chrono::{DateTime, Utc};

use super::Feed;
use super::render::{self, Entry, EventText};

/// How many rendered feeds are kept (a feed of 1,000 tasks is about 400 KB of text).
const CAPACITY: usize = 32;
/// How many written events are kept (about 400 bytes each, twice with the key).
const EVENT_CAPACITY: usize = 20_000;

type Key = (String, DateTime<Utc>);

#[derive(Default)]
pub struct FeedCache {
    bodies: Mutex<Bounded<Key, Arc<str>>>,
    served: Mutex<Bounded<String, Served>>,
    events: Mutex<Bounded<Entry, Arc<EventText>>>,
}

/// A feed as served for a token, and what must still hold for it to be served again.
#[derive(Clone)]
struct Served {
    feed: Feed,
    generation: i64,
    /// It lists the same things from when it was read until `valid_until`.
    read_at: DateTime<Utc>,
    valid_until: DateTime<Utc>,
}

/// A map that forgets its oldest entry when full.
struct Bounded<K, V> {
    map: HashMap<K, V>,
    order: VecDeque<K>,
}

impl<K, V> Default for Bounded<K, V> {
    fn default() -> Self {
        Bounded {
            map: HashMap::new(),
            order: VecDeque::new(),
        }
    }
}

impl<K: std::hash::Hash + Eq + Clone, V> Bounded<K, V> {
    fn insert(&mut self, key: K, value: V) {
        self.insert_within(key, value, CAPACITY);
    }

    fn insert_within(&mut self, key: K, value: V, capacity: usize) {
        if self.map.insert(key.clone(), value).is_some() {
            return;
        }
        if self.order.len() >= capacity
            && let Some(oldest) = self.order.pop_front()
        {
            self.map.remove(&oldest);
        }
        self.order.push_back(key);
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    // The maps are consistent after every statement, so a panic elsewhere leaves them usable.
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

impl FeedCache {
    /// The calendar text of `entries`, writing only the events not kept from earlier feeds.
    pub fn render(&self, name: &str, entries: &[Entry], stamp: DateTime<Utc>) -> String {
        let mut texts: Vec<Option<Arc<EventText>>> = {
            let kept = lock(&self.events);
            entries.iter().map(|e| kept.map.get(e).cloned()).collect()
        };
        // Written outside the lock: other feeds are served meanwhile.
        let mut fresh = Vec::new();
        for (slot, e) in texts.iter_mut().zip(entries) {
            if slot.is_none() {
                let text = Arc::new(render::event_text(e));
                fresh.push((e.clone(), text.clone()));
                *slot = Some(text);
            }
        }
        if !fresh.is_empty() {
            let mut kept = lock(&self.events);
            for (e, text) in fresh {
                kept.insert_within(e, text, EVENT_CAPACITY);
            }
        }
        render::assemble(name, texts.iter().flatten().map(|t| &**t), stamp)
    }

    /// The feed served for `token` before, if nothing it shows has changed since: the counter is
    /// the same, its window still holds the same tasks at `now`, and the stored fingerprint (which
    /// another replica may have moved) is still its ETag.
    pub fn served(
        &self,
        token: &str,
        generation: i64,
        fingerprint: Option<&str>,
        now: DateTime<Utc>,
    ) -> Option<Feed> {
        let served = lock(&self.served);
        let kept = served.map.get(token)?;
        let current = kept.generation == generation
            && kept.read_at <= now
            && now < kept.valid_until
            && fingerprint.is_some_and(|f| kept.feed.etag.trim_matches('"') == f);
        current.then(|| kept.feed.clone())
    }

    /// Keeps what was served for `token`, read at `generation` and `read_at`, and current until
    /// `valid_until`.
    pub fn keep_served(
        &self,
        token: &str,
        generation: i64,
        (read_at, valid_until): (DateTime<Utc>, DateTime<Utc>),
        feed: &Feed,
    ) {
        lock(&self.served).insert(
            token.to_string(),
            Served {
                feed: feed.clone(),
                generation,
                read_at,
                valid_until,
            },
        );
    }

    /// The text for `fingerprint` stamped `stamp`, rendering it with `render` if it is not kept.
    pub fn get_or_render(
        &self,
        fingerprint: &str,
        stamp: DateTime<Utc>,
        render: impl FnOnce() -> String,
    ) -> Arc<str> {
        let key = (fingerprint.to_string(), stamp);
        if let Some(body) = lock(&self.bodies).map.get(&key) {
            return body.clone();
        }
        // Rendered outside the lock: other feeds are served meanwhile.
        let body: Arc<str> = render().into();
        let mut bodies = lock(&self.bodies);
        match bodies.map.get(&key) {
            Some(kept) => kept.clone(),
            None => {
                bodies.insert(key, body.clone());
                body
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_kept_feed_is_not_rendered_again_and_the_oldest_goes_when_full() {
        let cache = FeedCache::default();
        let t = Utc::now();
        let mut renders = 0;
        for _ in 0..3 {
            let body = cache.get_or_render("a", t, || {
                renders += 1;
                "A".into()
            });
            assert_eq!(&*body, "A");
        }
        assert_eq!(renders, 1);
        for i in 0..CAPACITY {
            cache.get_or_render(&format!("k{i}"), t, || "x".into());
        }
        let mut again = false;
        cache.get_or_render("a", t, || {
            again = true;
            "A".into()
        });
        assert!(again, "the oldest entry was dropped");
    }

    #[test]
    fn a_feed_assembled_from_kept_events_reads_as_one_written_at_once() {
        let day = |d| chrono::NaiveDate::from_ymd_opt(2030, 3, d).unwrap();
        let holiday = |d: u32, name: &str| Entry::Holiday {
            uid: format!("holiday-{d}@solar-lottery"),
            day: day(d),
            summary: name.to_string(),
        };
        let cache = FeedCache::default();
        let t = Utc::now();
        let first = vec![holiday(1, "One"), holiday(2, "Two")];
        assert_eq!(cache.render("F", &first, t), render::render("F", &first, t));
        // One event changed, one kept, and a later stamp for all.
        let later = t + chrono::TimeDelta::minutes(5);
        let second = vec![holiday(1, "One"), holiday(2, "Two, moved")];
        assert_eq!(
            cache.render("F", &second, later),
            render::render("F", &second, later)
        );
    }
}
