//! Waiting for what happens in the background (a DM posted by the sender, a tick of another
//! process): poll until it has happened, and fail only after a deadline generous enough that a slow,
//! busy machine never trips it. A test never sleeps and then asserts that something did not happen;
//! it waits for a positive witness instead.

use std::time::Duration;

use tokio::time::Instant;

/// How long `eventually` waits before it gives up.
pub const DEADLINE: Duration = Duration::from_secs(30);

/// Polls `check` until it returns `Some`, and returns that; panics naming `what` after [`DEADLINE`].
pub async fn eventually<T>(what: &str, mut check: impl AsyncFnMut() -> Option<T>) -> T {
    let deadline = Instant::now() + DEADLINE;
    loop {
        if let Some(found) = check().await {
            return found;
        }
        assert!(
            Instant::now() < deadline,
            "gave up after {DEADLINE:?} waiting for {what}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}
