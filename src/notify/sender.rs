use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;
use std::time::Duration;

use chrono::{TimeDelta, Utc};
use futures_util::stream::{self, StreamExt};
use rand::RngExt;
use tokio::sync::{Mutex, Notify, watch};

use super::message::{DeliveryFailed, Message, Queued};
use crate::lottery::{RotationId, UserId};
use crate::mattermost::{ChannelId, MattermostClient, MattermostError, NewPost};
use crate::store::{self, Db, StoreError, outbox};

/// The post prop that carries the outbox key, so a later attempt can find an earlier one's post.
pub const KEY_PROP: &str = "solar_lottery_key";

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
    /// How long a claimed message is left to the sender that claimed it before it counts as abandoned
    /// (that sender died mid-attempt) and becomes due again.
    pub claim: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            base: Duration::from_secs(2),
            max_delay: Duration::from_secs(15 * 60),
            max_attempts: 20,
            concurrency: 8,
            claim: Duration::from_secs(60),
        }
    }
}

impl RetryPolicy {
    /// Exponential backoff with full jitter in [d/2, d], and never sooner than the server asked.
    fn delay(&self, attempts: i64, retry_after: Option<Duration>) -> Duration {
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

#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct DeliveryReport {
    pub sent: usize,
    pub retried: usize,
    pub failed: usize,
}

/// The outbox sender. Cheap to clone; `wake()` makes a sleeping `run` loop look at the outbox at once.
#[derive(Clone)]
pub struct Sender {
    db: Db,
    mm: MattermostClient,
    bot_id: UserId,
    policy: RetryPolicy,
    wake: Arc<Notify>,
    channels: Arc<Mutex<HashMap<String, ChannelId>>>,
    /// One delivery pass at a time in this process: an explicit pass (`exec`, tests) waits for a
    /// running background pass instead of skipping the messages it has claimed.
    pass: Arc<Mutex<()>>,
}

enum Outcome {
    Sent,
    Retry(String, Option<Duration>),
    Permanent(String),
}

impl Sender {
    pub fn new(db: Db, mm: MattermostClient, bot_id: UserId, policy: RetryPolicy) -> Self {
        Sender {
            db,
            mm,
            bot_id,
            policy,
            wake: Arc::new(Notify::new()),
            channels: Arc::new(Mutex::new(HashMap::new())),
            pass: Arc::new(Mutex::new(())),
        }
    }

    /// Nudges the run loop: something was just queued.
    pub fn wake(&self) {
        self.wake.notify_one();
    }

    /// Runs until `shutdown` turns true: delivers what is due, then sleeps until the next message falls
    /// due, a wake-up, or at most a few seconds.
    pub async fn run(self, mut shutdown: watch::Receiver<bool>) {
        loop {
            if *shutdown.borrow() {
                return;
            }
            if let Err(e) = self.deliver_due().await {
                tracing::warn!(error = %e, "outbox delivery pass failed");
            }
            let sleep = match self.next_wait().await {
                Ok(d) => d,
                Err(_) => Duration::from_secs(5),
            };
            tokio::select! {
                _ = tokio::time::sleep(sleep) => {}
                _ = self.wake.notified() => {}
                _ = shutdown.changed() => {}
            }
        }
    }

    async fn next_wait(&self) -> Result<Duration, StoreError> {
        let mut conn = self.db.read().await?;
        let next = outbox::next_due_at(&mut conn).await?;
        let now = Utc::now().timestamp();
        Ok(match next {
            Some(t) if t <= now => Duration::from_millis(50),
            Some(t) => Duration::from_secs((t - now).clamp(0, 5) as u64),
            None => Duration::from_secs(5),
        })
    }

    /// One pass over every due message. Used by the run loop and by tests.
    pub async fn deliver_due(&self) -> Result<DeliveryReport, StoreError> {
        let _pass = self.pass.lock().await;
        let mut report = DeliveryReport::default();
        loop {
            let due = {
                let mut conn = self.db.read().await?;
                outbox::due(&mut conn, Utc::now(), 500).await?
            };
            if due.is_empty() {
                return Ok(report);
            }
            // Per user, in order; users concurrently.
            let mut by_user: BTreeMap<String, Vec<outbox::Pending>> = BTreeMap::new();
            for m in due {
                by_user.entry(m.user_id.clone()).or_default().push(m);
            }
            let results: Vec<Result<DeliveryReport, StoreError>> =
                stream::iter(by_user.into_values())
                    .map(|msgs| self.deliver_user(msgs))
                    .buffer_unordered(self.policy.concurrency.max(1))
                    .collect()
                    .await;
            let mut progressed = false;
            for r in results {
                let r = r?;
                progressed |= r.sent + r.failed > 0;
                report.sent += r.sent;
                report.retried += r.retried;
                report.failed += r.failed;
            }
            if !progressed {
                return Ok(report);
            }
        }
    }

    async fn deliver_user(&self, msgs: Vec<outbox::Pending>) -> Result<DeliveryReport, StoreError> {
        let mut report = DeliveryReport::default();
        for m in msgs {
            {
                let mut conn = self.db.read().await?;
                let now = Utc::now();
                let until =
                    now + TimeDelta::from_std(self.policy.claim).unwrap_or(TimeDelta::seconds(60));
                if !outbox::claim(&mut conn, m.id, now, until).await? {
                    // Another sender has it; leave this user's later messages to it too, in order.
                    break;
                }
            }
            let outcome = self.post(&m).await;
            let mut conn = self.db.read().await?;
            match outcome {
                Outcome::Sent => {
                    outbox::mark_sent(&mut conn, m.id, Utc::now()).await?;
                    report.sent += 1;
                }
                Outcome::Retry(err, _) if m.attempts + 1 >= self.policy.max_attempts => {
                    let err = format!("gave up after {} attempts: {err}", m.attempts + 1);
                    self.fail(&mut conn, &m, &err).await?;
                    report.failed += 1;
                }
                Outcome::Retry(err, retry_after) => {
                    let delay = self.policy.delay(m.attempts, retry_after);
                    let next =
                        Utc::now() + TimeDelta::from_std(delay).unwrap_or(TimeDelta::seconds(60));
                    tracing::info!(key = %m.key, attempts = m.attempts + 1, ?delay, error = %err, "delivery failed; will retry");
                    outbox::mark_retry(&mut conn, m.id, next, &err).await?;
                    report.retried += 1;
                    // Keep this user's messages in order: the rest wait for the next pass.
                    break;
                }
                Outcome::Permanent(err) => {
                    self.fail(&mut conn, &m, &err).await?;
                    report.failed += 1;
                }
            }
        }
        Ok(report)
    }

    async fn fail(
        &self,
        conn: &mut store::Conn,
        m: &outbox::Pending,
        err: &str,
    ) -> Result<(), StoreError> {
        tracing::warn!(key = %m.key, error = %err, "delivery failed permanently");
        let mut tx = store::begin_on(conn).await?;
        outbox::mark_failed(&mut tx, m.id, Utc::now(), err).await?;
        // Tell the rotation's owners, unless this already was such a report (no loops).
        if let (Some(rotation), false) = (m.rotation_id, m.kind == DeliveryFailed::KIND) {
            let recipient = store::users::username(&mut tx, &UserId::new(m.user_id.clone()))
                .await?
                .map(|u| format!("@{u}"))
                .unwrap_or_else(|| format!("user `{}`", m.user_id));
            let owners = store::rotations::owner_ids(&mut tx, RotationId(rotation)).await?;
            for owner in owners {
                if owner.as_str() == m.user_id {
                    continue;
                }
                let report = Queued {
                    to: owner,
                    rotation_id: Some(RotationId(rotation)),
                    message: Message::DeliveryFailed(DeliveryFailed::new(
                        &m.key, &recipient, &m.kind, err,
                    )),
                };
                super::queue(&mut tx, &report, Utc::now()).await?;
            }
        }
        tx.commit().await?;
        Ok(())
    }

    async fn post(&self, m: &outbox::Pending) -> Outcome {
        let channel = match self.channel_for(&m.user_id).await {
            Ok(c) => c,
            Err(e) => return classify(e),
        };
        // An earlier attempt may have reached Mattermost (a timeout, a lost response, a crash before
        // `mark_sent`). `pending_post_id` de-duplicates only for 30 s, so look for our key in the DM.
        if m.attempts > 0 {
            match self.already_posted(&channel, m).await {
                Ok(true) => return Outcome::Sent,
                Ok(false) => {}
                Err(e) => return classify(e),
            }
        }
        let post = NewPost {
            channel_id: channel,
            message: m.message.clone(),
            root_id: None,
            props: Some(serde_json::json!({ KEY_PROP: m.key })),
            pending_post_id: Some(m.key.clone()),
        };
        match self.mm.create_post(&post).await {
            Ok(_) => Outcome::Sent,
            Err(e) => classify(e),
        }
    }

    async fn already_posted(
        &self,
        channel: &ChannelId,
        m: &outbox::Pending,
    ) -> Result<bool, MattermostError> {
        // Queued at `created_at`; allow for clock differences between us and the server.
        let since_ms = (m.created_at - 300).max(0) * 1000;
        let posts = self.mm.get_posts_since(channel, since_ms).await?;
        Ok(posts.iter().any(|p| {
            p.user_id == self.bot_id
                && p.props.get(KEY_PROP).and_then(|v| v.as_str()) == Some(m.key.as_str())
        }))
    }

    async fn channel_for(&self, user_id: &str) -> Result<ChannelId, MattermostError> {
        if let Some(c) = self.channels.lock().await.get(user_id) {
            return Ok(c.clone());
        }
        let ch = self
            .mm
            .create_direct_channel(&self.bot_id, &UserId::new(user_id))
            .await?;
        self.channels
            .lock()
            .await
            .insert(user_id.to_string(), ch.id.clone());
        Ok(ch.id)
    }
}

fn classify(e: MattermostError) -> Outcome {
    if e.is_retryable() {
        Outcome::Retry(e.to_string(), e.retry_after())
    } else {
        Outcome::Permanent(e.to_string())
    }
}
