//! The preset engine: consumes [`ProfileSignal`]s, queues one change per person (see [`queue`]),
//! and applies them one at a time (see [`apply`]). It also
//! - restores a profile when its status expires (Mattermost emits nothing then), with a timer;
//! - re-reads the people marked for reconciliation (overflow, failed writes, commands that changed
//!   presets) every `poll`, and everyone with presets once at start-up, so restarts catch up;
//! - honours 429 `Retry-After` by pausing before the same person is tried again.
//!
//! [`queue`]: super::queue
//! [`apply`]: super::apply

use std::collections::{BTreeSet, HashMap, VecDeque};
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use tokio::sync::watch;
use tokio::task::JoinHandle;
use tokio::time::Instant;

use super::apply::{self, Applied, ApplyError};
use super::holding::{Change, Holding};
pub use super::options::{EngineOptions, EngineStats};
use super::queue::{Pushed, Queue};
use super::signal::{ProfileSignal, SignalReceiver};
use crate::jobs::NamedLease;
use crate::lottery::UserId;
use crate::mattermost::User;
use crate::shared::Shared;
use crate::store::{self, profile as presets};

/// How many marked people one reconciliation pass reads.
const RECONCILE_BATCH: i64 = 100;
/// How long to wait after a 429 without `Retry-After`.
const DEFAULT_RETRY_AFTER: Duration = Duration::from_secs(1);

pub struct ProfileEngine {
    shared: Arc<Shared>,
    options: EngineOptions,
    queue: Queue,
    /// People read back during reconciliation, applied when the queue is empty.
    backlog: VecDeque<Box<User>>,
    /// Applied presets whose status expires, soonest first.
    expiries: BTreeSet<(DateTime<Utc>, UserId)>,
    expiry_of: HashMap<UserId, DateTime<Utc>>,
    /// Marks may be waiting in the database (read them as soon as there is room).
    marks_waiting: bool,
    /// People that could not be queued, to mark in the database.
    overflowed: Vec<UserId>,
    paused_until: Option<Instant>,
    next_poll: Instant,
    stats: watch::Sender<EngineStats>,
    /// Whether this process runs the background work (see [`super::holding`]).
    holding: Holding,
}

impl ProfileEngine {
    pub fn new(shared: Arc<Shared>, options: EngineOptions) -> Self {
        let queue = Queue::new(options.main_capacity, options.overflow_capacity);
        ProfileEngine {
            shared,
            options,
            queue,
            backlog: VecDeque::new(),
            expiries: BTreeSet::new(),
            expiry_of: HashMap::new(),
            marks_waiting: true,
            overflowed: Vec::new(),
            paused_until: None,
            next_poll: Instant::now(),
            stats: watch::channel(EngineStats::default()).0,
            holding: Holding::always(),
        }
    }

    /// Runs the background work only while holding `lease` (several processes on one database).
    pub fn with_lease(mut self, lease: NamedLease) -> Self {
        self.holding = Holding::leased(lease);
        self
    }

    /// The engine's counters as they change.
    pub fn stats(&self) -> watch::Receiver<EngineStats> {
        self.stats.subscribe()
    }

    pub fn spawn(self, inbox: SignalReceiver, shutdown: watch::Receiver<bool>) -> JoinHandle<()> {
        tokio::spawn(self.run(inbox, shutdown))
    }

    /// Runs until `shutdown` turns true (or its sender is dropped).
    pub async fn run(mut self, mut inbox: SignalReceiver, mut shutdown: watch::Receiver<bool>) {
        if self.holding.held() {
            self.take_over().await;
        }
        let mut inbox_open = true;
        loop {
            if *shutdown.borrow() {
                break;
            }
            match self.holding.check().await {
                Change::Same => {}
                Change::Gained => self.take_over().await,
                Change::Lost => self.hand_over().await,
            }
            let wake = self.next_wake();
            tokio::select! {
                biased;
                changed = shutdown.changed() => {
                    if changed.is_err() {
                        break;
                    }
                }
                signal = inbox.recv(), if inbox_open => match signal {
                    Some(signal) => {
                        self.on_signal(signal).await;
                        // Take what else is waiting at once, so overflow marks are written together.
                        while let Ok(signal) = inbox.try_recv() {
                            self.on_signal(signal).await;
                        }
                    }
                    None => inbox_open = false,
                },
                _ = tokio::time::sleep_until(wake) => {}
            }
            self.flush_overflow().await;
            if self.holding.held() {
                self.step().await;
            }
        }
        self.holding.release().await;
    }

    /// Start-up or a takeover: everyone with presets is re-read, so changes made while no engine
    /// ran (or expiries that passed meanwhile) apply.
    async fn take_over(&mut self) {
        if let Err(e) = self.mark_everyone().await {
            tracing::warn!(error = %e, "profile presets: could not mark people for the start-up check");
        }
        self.next_poll = Instant::now();
    }

    /// Another process runs the engine now: what was pending here is marked for it.
    async fn hand_over(&mut self) {
        let mut people = self.queue.drain();
        people.extend(self.backlog.drain(..).map(|u| u.id));
        people.extend(std::mem::take(&mut self.overflowed));
        self.expiries.clear();
        self.expiry_of.clear();
        self.paused_until = None;
        if let Err(e) = self.mark(&people).await {
            tracing::warn!(error = %e, "profile presets: could not hand pending people over");
        }
    }

    /// When something is due: the head of the queue, an expiry, the next poll.
    fn next_wake(&self) -> Instant {
        let lease_check = self.holding.next_check();
        if !self.holding.held() {
            return lease_check.unwrap_or(self.next_poll);
        }
        let mut wake = self.next_poll.min(lease_check.unwrap_or(self.next_poll));
        let paused = self.paused_until.filter(|p| *p > Instant::now());
        if let Some(p) = paused {
            return p.min(wake);
        }
        if !self.queue.is_empty() || !self.backlog.is_empty() {
            // `step` knows the exact time; a short nap bounds the wait.
            wake = wake.min(Instant::now() + self.options.settle.min(Duration::from_millis(50)));
        }
        if let Some((at, _)) = self.expiries.first() {
            let in_ = (*at - Utc::now()).to_std().unwrap_or_default();
            wake = wake.min(Instant::now() + in_);
        }
        wake
    }

    async fn on_signal(&mut self, signal: ProfileSignal) {
        match signal {
            ProfileSignal::UserUpdated(user) => {
                // Most of Mattermost's users have no presets: ask before queueing anything.
                match self.has_presets_or_applied(&user.id).await {
                    // Another process runs the engine: it reads the person back from the mark.
                    Ok(true) if !self.holding.held() => {
                        if let Err(e) = self.mark(std::slice::from_ref(&user.id)).await {
                            tracing::warn!(error = %e, "profile presets: could not mark for the engine");
                        }
                    }
                    Ok(true) => self.push(user.id.clone(), Some(user)),
                    Ok(false) => {}
                    Err(e) => tracing::warn!(error = %e, "profile presets: could not read presets"),
                }
            }
            ProfileSignal::Reconcile { .. } if !self.holding.held() => {
                if let Err(e) = self.mark_everyone().await {
                    tracing::warn!(error = %e, "profile presets: could not mark people for the engine");
                }
            }
            ProfileSignal::Reconcile { since } => {
                if let Err(e) = self.reconcile_since(since).await {
                    tracing::warn!(error = %e, "profile presets: reconciliation failed; marking everyone");
                    let _ = self.mark_everyone().await;
                }
            }
        }
    }

    fn push(&mut self, user: UserId, snapshot: Option<Box<User>>) {
        // A newer snapshot supersedes one read back earlier.
        if snapshot.is_some() {
            self.backlog.retain(|u| u.id != user);
        }
        if self.queue.push(user.clone(), snapshot, Instant::now()) == Pushed::Full {
            self.overflowed.push(user);
        }
    }

    async fn has_presets_or_applied(&self, id: &UserId) -> store::Result<bool> {
        let mut conn = self.shared.db.read().await?;
        if presets::has_presets(&mut conn, id).await? {
            return Ok(true);
        }
        Ok(presets::state(&mut conn, id).await?.applied_emoji.is_some())
    }

    /// Both queues were full: the people are marked in the database, and read back later.
    async fn flush_overflow(&mut self) {
        if self.overflowed.is_empty() {
            return;
        }
        let people = std::mem::take(&mut self.overflowed);
        tracing::debug!(
            count = people.len(),
            "profile presets: queue full; marked for reconciliation"
        );
        self.bump(|s| s.overflowed += people.len() as u64);
        if let Err(e) = self.mark(&people).await {
            tracing::warn!(error = %e, "profile presets: could not mark people for reconciliation");
        }
        self.marks_waiting = true;
    }

    async fn mark(&self, people: &[UserId]) -> store::Result<()> {
        if people.is_empty() {
            return Ok(());
        }
        let mut tx = self.shared.db.begin_write().await?;
        presets::mark_reconcile(&mut tx, people, Utc::now()).await?;
        store::commit(tx).await
    }

    async fn mark_everyone(&mut self) -> store::Result<()> {
        let mut conn = self.shared.db.read().await?;
        let people = presets::people_with_presets(&mut conn).await?;
        drop(conn);
        self.mark(&people).await?;
        self.marks_waiting = true;
        Ok(())
    }

    /// After a gap in the event stream: the people with presets changed since `since`.
    async fn reconcile_since(&mut self, since: DateTime<Utc>) -> Result<(), ApplyError> {
        let mut conn = self.shared.db.read().await?;
        let people = presets::people_with_presets(&mut conn).await?;
        drop(conn);
        if people.is_empty() {
            return Ok(());
        }
        let changed = self.shared.mm.users_changed_since(&people, since).await?;
        for user in changed {
            self.push(user.id.clone(), Some(Box::new(user)));
        }
        Ok(())
    }

    /// Does whatever is due now: expiries, one queued change, or one read-back person.
    async fn step(&mut self) {
        let now = Instant::now();
        if self.paused_until.is_some_and(|p| p > now) {
            return;
        }
        self.paused_until = None;
        self.due_expiries();
        match self
            .queue
            .pop_ready(now, self.options.settle, self.options.max_wait)
        {
            Ok(request) => {
                let user = match request.snapshot.clone() {
                    Some(u) => Ok(u),
                    None => self.shared.mm.get_user(&request.user).await.map(Box::new),
                };
                match user {
                    Ok(user) => {
                        if let Some(retry) = self.apply_one(&user).await {
                            self.queue.push_front(request);
                            self.paused_until = Some(Instant::now() + retry);
                        }
                    }
                    Err(e) => self.failed(&request.user, &ApplyError::from(e)).await,
                }
                return;
            }
            Err(Some(_)) => return,
            Err(None) => {}
        }
        // The queue is empty: people read back by reconciliation.
        if let Some(user) = self.backlog.pop_front() {
            if let Some(retry) = self.apply_one(&user).await {
                self.backlog.push_front(user);
                self.paused_until = Some(Instant::now() + retry);
            }
            return;
        }
        if self.marks_waiting || now >= self.next_poll {
            self.next_poll = Instant::now() + self.options.poll;
            if let Err(e) = self.read_marks().await {
                tracing::warn!(error = %e, "profile presets: reading the reconciliation marks failed");
            }
        }
    }

    /// Reads a batch of marked people from Mattermost into the backlog.
    async fn read_marks(&mut self) -> Result<(), ApplyError> {
        // Polled every few seconds in every process: a plain read first, the write lock only when
        // there is something to take.
        let mut conn = self.shared.db.read().await?;
        let marked = presets::any_marked(&mut conn).await?;
        drop(conn);
        if !marked {
            self.marks_waiting = false;
            return Ok(());
        }
        let mut tx = self.shared.db.begin_write().await?;
        let people = presets::take_reconcile(&mut tx, RECONCILE_BATCH).await?;
        store::commit(tx).await?;
        self.marks_waiting = people.len() as i64 == RECONCILE_BATCH;
        if people.is_empty() {
            return Ok(());
        }
        match self.shared.mm.get_users_by_ids(&people).await {
            Ok(users) => {
                for user in users {
                    if !self.queue.contains(&user.id) {
                        self.backlog.push_back(Box::new(user));
                    }
                }
                Ok(())
            }
            Err(e) => {
                // Put the marks back for the next poll.
                self.mark(&people).await?;
                Err(e.into())
            }
        }
    }

    fn due_expiries(&mut self) {
        let now = Utc::now();
        while let Some((at, user)) = self.expiries.first().cloned() {
            if at > now {
                break;
            }
            self.expiries.remove(&(at, user.clone()));
            self.expiry_of.remove(&user);
            // Read the person again: their status may have changed since.
            self.push(user, None);
        }
        let overflowed = !self.overflowed.is_empty();
        if overflowed {
            self.marks_waiting = true;
        }
    }

    /// Applies one person; `Some(delay)` when Mattermost asked to slow down (try again then).
    async fn apply_one(&mut self, user: &User) -> Option<Duration> {
        let result = apply::apply(&self.shared, user, Utc::now()).await;
        match result {
            Ok(applied) => {
                self.track_expiry(&user.id, &applied);
                let writes = match &applied {
                    Applied::Preset { writes, .. } | Applied::Restored { writes } => *writes,
                    _ => 0,
                };
                if writes > 0 {
                    tracing::info!(user = %user.id, ?applied, "profile preset applied");
                }
                self.bump(|s| {
                    s.applied += 1;
                    s.writes += writes as u64;
                });
                None
            }
            Err(ApplyError::RateLimited(after)) => {
                self.bump(|s| s.rate_limited += 1);
                Some(after.unwrap_or(DEFAULT_RETRY_AFTER))
            }
            Err(e) => {
                self.failed(&user.id, &e).await;
                None
            }
        }
    }

    fn track_expiry(&mut self, user: &UserId, applied: &Applied) {
        if let Some(old) = self.expiry_of.remove(user) {
            self.expiries.remove(&(old, user.clone()));
        }
        if let Applied::Preset {
            expires_at: Some(at),
            ..
        } = applied
        {
            self.expiries.insert((*at, user.clone()));
            self.expiry_of.insert(user.clone(), *at);
        }
    }

    /// A change that failed for another reason than 429/403/409: retried at the next poll unless
    /// Mattermost says the person is gone.
    async fn failed(&mut self, user: &UserId, error: &ApplyError) {
        if let ApplyError::Mattermost(e) = error
            && e.status() == Some(reqwest::StatusCode::NOT_FOUND)
        {
            tracing::info!(%user, "profile presets: the person is gone from Mattermost");
            return;
        }
        tracing::warn!(%user, error = %error, "profile presets: applying failed; retrying later");
        if let Err(e) = self.mark(std::slice::from_ref(user)).await {
            tracing::warn!(error = %e, "profile presets: could not mark for reconciliation");
        }
    }

    fn bump(&self, change: impl FnOnce(&mut EngineStats)) {
        self.stats.send_modify(|stats| {
            let before = stats.clone();
            change(stats);
            crate::metrics::profile_engine(&before, stats);
        });
    }
}
