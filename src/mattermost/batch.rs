//! List lookups split into bounded, concurrent requests.
//!
//! Mattermost answers a list endpoint in one response, so a team of thousands would mean one huge
//! body and one slow query; chunks keep each request small and a few run at once.

use std::collections::HashSet;
use std::future::Future;

use futures_util::{StreamExt, TryStreamExt, stream};

use super::error::MattermostError;

/// How many chunk requests may be in flight at once.
const CONCURRENT_CHUNKS: usize = 4;

/// The distinct values, first occurrence first.
pub(super) fn unique<'a>(values: impl Iterator<Item = &'a str>) -> Vec<&'a str> {
    let mut seen = HashSet::new();
    values.filter(|v| seen.insert(*v)).collect()
}

/// Runs `call` on each chunk of `items` (at most `size` each, a few concurrently) and concatenates
/// the results. No items, no request: the server would answer 400 to an empty list.
pub(super) async fn for_each_chunk<T, F, Fut>(
    items: &[&str],
    size: usize,
    call: F,
) -> Result<Vec<T>, MattermostError>
where
    F: Fn(Vec<String>) -> Fut,
    Fut: Future<Output = Result<Vec<T>, MattermostError>>,
{
    // Owned chunks, mapped by `call` itself: chunks that borrow (`&[&str]`) make the stream's futures
    // lifetime-generic, and rustc then can't prove every caller's future `Send` (it couldn't be spawned).
    let chunks: Vec<Vec<String>> = items
        .chunks(size.max(1))
        .map(|c| c.iter().map(|s| s.to_string()).collect())
        .collect();
    let parts: Vec<Vec<T>> = stream::iter(chunks)
        .map(call)
        .buffer_unordered(CONCURRENT_CHUNKS)
        .try_collect()
        .await?;
    Ok(parts.into_iter().flatten().collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unique_keeps_first_occurrences_in_order() {
        assert_eq!(
            unique(["b", "a", "b", "c", "a"].into_iter()),
            ["b", "a", "c"]
        );
    }

    #[tokio::test]
    async fn chunks_cover_every_item_once_and_empty_input_sends_nothing() {
        let items: Vec<String> = (0..25).map(|i| i.to_string()).collect();
        let refs: Vec<&str> = items.iter().map(String::as_str).collect();
        let calls = std::sync::atomic::AtomicUsize::new(0);
        let mut out = for_each_chunk(&refs, 10, |chunk| {
            calls.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            async move {
                assert!(chunk.len() <= 10);
                Ok::<_, MattermostError>(chunk)
            }
        })
        .await
        .unwrap();
        out.sort_by_key(|s| s.parse::<u32>().unwrap());
        assert_eq!(out, items);
        assert_eq!(calls.load(std::sync::atomic::Ordering::SeqCst), 3);

        let none: Vec<String> = for_each_chunk(&[], 10, |_| async {
            panic!("no request for an empty list")
        })
        .await
        .unwrap();
        assert!(none.is_empty());
    }
}
