use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, TimeDelta, Utc};
use futures_util::stream::{self, StreamExt};
use tokio::sync::{Mutex, Notify, watch};

use super::message::{DeliveryFailed, Message, Queued};
use crate::lottery::{RotationId, UserId};
use crate::mattermost::{ChannelId, MattermostClient, MattermostError, NewPost};
use crate::store::{self, Db, StoreError, outbox};

use super::{RetryPolicy, rich_post, status_op};

/// Outbox entries that are not posts: post edits and custom-status changes.
mod edits;

/// The post prop that carries the outbox key, so a later attempt can find an earlier one's post.
pub const KEY_PROP: &str = "solar_lottery_key";

#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct DeliveryReport {
    pub sent: usize,
    pub retried: usize,
    pub failed: usize,
}

/// Where a sender reads the time. The wall clock in production; a test sets it to show what happens
/// when a claim lapses without waiting for it to.
pub type Clock = Arc<dyn Fn() -> DateTime<Utc> + Send + Sync>;

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
    clock: Clock,
    /// How long a claim lasts: derived from the client's request timeout (`RetryPolicy::claim_ttl`).
    claim_ttl: TimeDelta,
}

enum Outcome {
    Sent,
    Retry(String, Option<Duration>),
    Permanent(String),
    /// Another sender took the message over (this one's claim had lapsed): it is theirs now.
    Lost,
}

/// This sender's claim on one message for one attempt. It lives in the row, so every process on the
/// database sees it: `attempts` equals this attempt's number (each claim counts one, so a takeover
/// changes it) and `next_attempt_at` is when the claim lapses unless renewed.
struct Claim {
    id: i64,
    attempt: i64,
}

impl Sender {
    pub fn new(db: Db, mm: MattermostClient, bot_id: UserId, policy: RetryPolicy) -> Self {
        // Only a timeout beyond chrono's range (hundreds of millions of years) fails to convert.
        let claim_ttl =
            TimeDelta::from_std(policy.claim_ttl(mm.timeout())).unwrap_or(TimeDelta::MAX);
        Sender {
            db,
            mm,
            bot_id,
            policy,
            claim_ttl,
            wake: Arc::new(Notify::new()),
            channels: Arc::new(Mutex::new(HashMap::new())),
            pass: Arc::new(Mutex::new(())),
            clock: Arc::new(Utc::now),
        }
    }

    /// The same sender reading the time from `clock` (tests).
    pub fn with_clock(mut self, clock: impl Fn() -> DateTime<Utc> + Send + Sync + 'static) -> Self {
        self.clock = Arc::new(clock);
        self
    }

    fn now(&self) -> DateTime<Utc> {
        (self.clock)()
    }

    /// How long a claimed message is left to its sender before another may take it over.
    pub fn claim_ttl(&self) -> Duration {
        self.claim_ttl.to_std().unwrap_or(Duration::MAX)
    }

    /// When a claim taken or renewed at `now` lapses.
    fn claim_until(&self, now: DateTime<Utc>) -> DateTime<Utc> {
        now.checked_add_signed(self.claim_ttl)
            .unwrap_or(DateTime::<Utc>::MAX_UTC)
    }

    /// Renews the claim just before a request to Mattermost, so it outlasts that request. False
    /// when another sender took the message over meanwhile: this one must not send anything more.
    async fn renew(&self, claim: &Claim) -> Result<bool, StoreError> {
        let mut conn = self.db.read().await?;
        let until = self.claim_until(self.now());
        outbox::renew_claim(&mut conn, claim.id, claim.attempt, until).await
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
        let now = self.now().timestamp();
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
                outbox::due(&mut conn, self.now(), 500).await?
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
            let claim = Claim {
                id: m.id,
                attempt: m.attempts + 1,
            };
            {
                let mut conn = self.db.read().await?;
                let now = self.now();
                let until = self.claim_until(now);
                if !outbox::claim(&mut conn, m.id, m.attempts, now, until).await? {
                    // Another sender has it; leave this user's later messages to it too, in order.
                    break;
                }
            }
            let outcome = self.post(&m, &claim).await?;
            let mut conn = self.db.read().await?;
            match outcome {
                Outcome::Sent => {
                    let now = self.now();
                    outbox::mark_sent(&mut conn, m.id, now).await?;
                    report.sent += 1;
                    let waited = (now.timestamp() - m.created_at).max(0);
                    metrics::counter!(crate::metrics::OUTBOX_SENT).increment(1);
                    metrics::histogram!(crate::metrics::OUTBOX_LATENCY).record(waited as f64);
                }
                Outcome::Lost => {
                    tracing::warn!(key = %m.key, "another sender took this message over; leaving it to them");
                    break;
                }
                Outcome::Retry(err, _) if claim.attempt >= self.policy.max_attempts => {
                    let err = format!("gave up after {} attempts: {err}", claim.attempt);
                    self.fail(&mut conn, &m, &claim, &err).await?;
                    report.failed += 1;
                }
                Outcome::Retry(err, retry_after) => {
                    let delay = self.policy.delay(m.attempts, retry_after);
                    let next =
                        self.now() + TimeDelta::from_std(delay).unwrap_or(TimeDelta::seconds(60));
                    tracing::info!(key = %m.key, attempts = claim.attempt, ?delay, error = %err, "delivery failed; will retry");
                    if !outbox::mark_retry(&mut conn, m.id, claim.attempt, next, &err).await? {
                        tracing::warn!(key = %m.key, "another sender took this message over meanwhile");
                    }
                    report.retried += 1;
                    // Keep this user's messages in order: the rest wait for the next pass.
                    break;
                }
                Outcome::Permanent(err) => {
                    self.fail(&mut conn, &m, &claim, &err).await?;
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
        claim: &Claim,
        err: &str,
    ) -> Result<(), StoreError> {
        tracing::warn!(key = %m.key, error = %err, "delivery failed permanently");
        let mut tx = store::begin_on(conn).await?;
        if !outbox::mark_failed(&mut tx, m.id, claim.attempt, self.now(), err).await? {
            // Taken over meanwhile: the other sender decides, and reports, this message's fate.
            return Ok(());
        }
        metrics::counter!(crate::metrics::OUTBOX_FAILED).increment(1);
        // Tell the rotation's owners, unless this already was such a report (no loops).
        if let (Some(rotation), false) = (m.rotation_id, m.kind == DeliveryFailed::KIND) {
            let recipient = match &m.channel_id {
                Some(c) => format!("channel `{c}`"),
                None => store::users::username(&mut tx, &UserId::new(m.user_id.clone()))
                    .await?
                    .map(|u| format!("@{u}"))
                    .unwrap_or_else(|| format!("user `{}`", m.user_id)),
            };
            let owners = store::members::owner_ids(&mut tx, RotationId(rotation)).await?;
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
                super::queue(&mut tx, &report, self.now()).await?;
            }
        }
        tx.commit().await?;
        Ok(())
    }

    /// One attempt. The claim is renewed before every request to Mattermost, so it lasts out each
    /// one, and a sender whose claim was taken over stops before sending anything more.
    async fn post(&self, m: &outbox::Pending, claim: &Claim) -> Result<Outcome, StoreError> {
        if m.kind == status_op::KIND {
            return self.change_status(m, claim).await;
        }
        if m.kind == rich_post::UPDATE_KIND {
            return self.update_post(m, claim).await;
        }
        let rich = rich_post::is_rich(&m.kind);
        let (text, mut props) = if rich {
            match rich_post::parse_rich(&m.message) {
                Some(p) => (p.message, p.props),
                None => return Ok(Outcome::Permanent("not a post with props".into())),
            }
        } else {
            (m.message.clone(), serde_json::Map::new())
        };
        props.insert(KEY_PROP.into(), serde_json::Value::String(m.key.clone()));
        let cached = match &m.channel_id {
            Some(c) => Some(ChannelId(c.clone())),
            None => self.channels.lock().await.get(&m.user_id).cloned(),
        };
        let channel = match cached {
            Some(c) => c,
            None => {
                if !self.renew(claim).await? {
                    return Ok(Outcome::Lost);
                }
                match self.open_channel(&m.user_id).await {
                    Ok(c) => c,
                    Err(e) => return Ok(classify(e)),
                }
            }
        };
        // An earlier attempt may have reached Mattermost (a timeout, a lost response, a crash before
        // `mark_sent`). `pending_post_id` de-duplicates only for 30 s, so look for our key in the DM.
        if m.attempts > 0 {
            if !self.renew(claim).await? {
                return Ok(Outcome::Lost);
            }
            match self.already_posted(&channel, m).await {
                Ok(Some(post_id)) => {
                    if rich {
                        self.record_post(m, &post_id).await?;
                    }
                    return Ok(Outcome::Sent);
                }
                Ok(None) => {}
                // Whatever the look-up answered (404, 403, 5xx, a timeout), it says nothing about
                // the DM itself, and posting without knowing could double it: try the whole
                // attempt again later, like a failed post. Only Mattermost refusing the DM
                // itself is permanent.
                Err(e) => {
                    let error = format!("could not check for an earlier post: {e}");
                    return Ok(Outcome::Retry(error, e.retry_after()));
                }
            }
        }
        let post = NewPost {
            channel_id: channel,
            message: text,
            root_id: None,
            props: Some(serde_json::Value::Object(props)),
            pending_post_id: Some(m.key.clone()),
            file_ids: Vec::new(),
        };
        if !self.renew(claim).await? {
            return Ok(Outcome::Lost);
        }
        Ok(match self.mm.create_post(&post).await {
            Ok(created) => {
                if rich {
                    self.record_post(m, created.id.as_str()).await?;
                }
                Outcome::Sent
            }
            Err(e) => classify(e),
        })
    }

    /// Remembers the post a message with buttons became, for its later update.
    async fn record_post(&self, m: &outbox::Pending, post_id: &str) -> Result<(), StoreError> {
        let mut conn = self.db.read().await?;
        outbox::record_post_id(&mut conn, m.id, post_id).await
    }

    async fn already_posted(
        &self,
        channel: &ChannelId,
        m: &outbox::Pending,
    ) -> Result<Option<String>, MattermostError> {
        // Queued at `created_at`; allow for clock differences between us and the server.
        let since_ms = (m.created_at - 300).max(0) * 1000;
        let posts = self.mm.get_posts_since(channel, since_ms).await?;
        Ok(posts
            .iter()
            .find(|p| {
                p.user_id == self.bot_id
                    && p.props.get(KEY_PROP).and_then(|v| v.as_str()) == Some(m.key.as_str())
            })
            .map(|p| p.id.as_str().to_string()))
    }

    /// The DM channel with this user, remembered: Mattermost answers with the same one every time.
    async fn open_channel(&self, user_id: &str) -> Result<ChannelId, MattermostError> {
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
