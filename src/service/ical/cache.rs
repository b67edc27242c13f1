//! Rendered feeds, kept by their content: a calendar client polls every few minutes, and an
//! unchanged feed (same fingerprint, same DTSTAMP) renders to the same text, so it is rendered once
//! and then only read and fingerprinted. Bounded: the oldest entry goes when it is full.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex, PoisonError};

use chrono::{DateTime, Utc};

/// How many rendered feeds are kept (a feed of 1,000 tasks is about 400 KB of text).
const CAPACITY: usize = 32;

type Key = (String, DateTime<Utc>);

#[derive(Default)]
pub struct FeedCache {
    inner: Mutex<Inner>,
}

#[derive(Default)]
struct Inner {
    bodies: HashMap<Key, Arc<str>>,
    order: VecDeque<Key>,
}

impl FeedCache {
    /// The text for `fingerprint` stamped `stamp`, rendering it with `render` if it is not kept.
    pub fn get_or_render(
        &self,
        fingerprint: &str,
        stamp: DateTime<Utc>,
        render: impl FnOnce() -> String,
    ) -> Arc<str> {
        let key = (fingerprint.to_string(), stamp);
        if let Some(body) = self.lock().bodies.get(&key) {
            return body.clone();
        }
        // Rendered outside the lock: other feeds are served meanwhile.
        let body: Arc<str> = render().into();
        let mut inner = self.lock();
        if !inner.bodies.contains_key(&key) {
            if inner.order.len() >= CAPACITY
                && let Some(oldest) = inner.order.pop_front()
            {
                inner.bodies.remove(&oldest);
            }
            inner.order.push_back(key.clone());
            inner.bodies.insert(key, body.clone());
        }
        body
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        // The map is consistent after every statement, so a panic elsewhere leaves it usable.
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
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
}
