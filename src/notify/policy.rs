//! How failed deliveries are retried, and how long a sender's claim on a message lasts.

use std::time::Duration;

use rand::RngExt;

/// The least a claim outlasts one Mattermost request. Stored times are whole seconds, so a claim can
/// read as lapsed up to a second early; the other second covers the moment between renewing a claim
/// and the request going out, and small clock differences between processes on one database.
pub const MIN_CLAIM_MARGIN: Duration = Duration::from_secs(2);

/// How failed deliveries are retried.
#[derive(Debug, Clone)]
pub struct RetryPolicy {
    /// Delay after the first failure; doubles with each attempt.
    pub base: Duration,
    /// Longest delay between attempts.
    pub max_delay: Duration,
    /// After this many attempts a retryable failure becomes permanent.
    pub max_attempts: i64,
    /// How many users are served at once.
    pub concurrency: usize,
    /// How much longer than one Mattermost request a claim lasts (never less than
    /// `MIN_CLAIM_MARGIN`); see `claim_ttl`.
    pub claim_margin: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            base: Duration::from_secs(2),
            max_delay: Duration::from_secs(15 * 60),
            max_attempts: 20,
            concurrency: 8,
            claim_margin: Duration::from_secs(5),
        }
    }
}

impl RetryPolicy {
    /// How long a claim on a message lasts when each request to Mattermost ends (answered or
    /// abandoned) within `request_timeout`.
    ///
    /// A sender renews its claim just before each request of an attempt. So while the claim holds,
    /// its sender may be mid-request and nobody else may touch the message: a second sender could
    /// post it again, and Mattermost's `pending_post_id` memory is no guarantee. Once the claim has
    /// lapsed, its sender has certainly given that request up, so taking the message over is safe
    /// (the next attempt looks for a post Mattermost may still have made before posting again); if
    /// the sender is still alive, it finds its claim gone before its next request and stops.
    /// Hence the claim is the request timeout plus a margin and no more: a DM whose sender was killed
    /// mid-post waits that long (15 s with the defaults), not a fixed minute.
    pub fn claim_ttl(&self, request_timeout: Duration) -> Duration {
        request_timeout.saturating_add(self.claim_margin.max(MIN_CLAIM_MARGIN))
    }

    /// Exponential backoff with full jitter in [d/2, d], and never sooner than the server asked.
    pub(super) fn delay(&self, attempts: i64, retry_after: Option<Duration>) -> Duration {
        let exp = self
            .base
            .saturating_mul(1u32 << attempts.clamp(0, 20) as u32)
            .min(self.max_delay);
        let half = exp / 2;
        let jitter = rand::rng().random_range(0..=half.as_millis() as u64);
        let d = half + Duration::from_millis(jitter);
        d.max(retry_after.unwrap_or_default())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_claim_outlasts_a_request_and_not_by_much() {
        let policy = RetryPolicy::default();
        let timeout = Duration::from_secs(10);
        let ttl = policy.claim_ttl(timeout);
        assert!(ttl >= timeout + MIN_CLAIM_MARGIN, "{ttl:?}");
        assert!(ttl <= timeout * 2, "{ttl:?}");
        let careless = RetryPolicy {
            claim_margin: Duration::ZERO,
            ..policy
        };
        assert_eq!(careless.claim_ttl(timeout), timeout + MIN_CLAIM_MARGIN);
    }
}
