//! The engine's queue, the seed's design kept: a bounded main queue and a bounded overflow that
//! drains into the main one when it empties; one entry per person, a newer request replacing the
//! older one in place. When both are full the caller marks the person for reconciliation, so
//! overload delays a change but never loses it.
//!
//! A request is ready once it has been quiet for a moment (`settle`): a burst of changes by one
//! person becomes one write of the final state. `max_wait` bounds how long a busy person waits.

use std::collections::{HashMap, VecDeque};
use std::time::Duration;

use tokio::time::Instant;

use crate::lottery::UserId;
use crate::mattermost::User;

/// Capacities from the seed (statusinator-design.md: "Request queuing").
pub const MAIN_CAPACITY: usize = 10;
pub const OVERFLOW_CAPACITY: usize = 10;

/// One person's pending change.
#[derive(Debug, Clone)]
pub struct Request {
    pub user: UserId,
    /// The profile as Mattermost last reported it; `None`: read it before applying (expiry timer).
    pub snapshot: Option<Box<User>>,
    pub first_at: Instant,
    pub last_at: Instant,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pushed {
    Queued,
    /// The person's earlier request was replaced by this one.
    Replaced,
    /// Both queues are full: mark the person for reconciliation.
    Full,
}

#[derive(Debug)]
pub struct Queue {
    main: VecDeque<UserId>,
    overflow: VecDeque<UserId>,
    pending: HashMap<UserId, Request>,
    main_capacity: usize,
    overflow_capacity: usize,
}

impl Default for Queue {
    fn default() -> Self {
        Self::new(MAIN_CAPACITY, OVERFLOW_CAPACITY)
    }
}

impl Queue {
    pub fn new(main_capacity: usize, overflow_capacity: usize) -> Self {
        Queue {
            main: VecDeque::new(),
            overflow: VecDeque::new(),
            pending: HashMap::new(),
            main_capacity: main_capacity.max(1),
            overflow_capacity,
        }
    }

    pub fn len(&self) -> usize {
        self.pending.len()
    }

    pub fn is_empty(&self) -> bool {
        self.pending.is_empty()
    }

    pub fn contains(&self, user: &UserId) -> bool {
        self.pending.contains_key(user)
    }

    /// Empties the queue; the people who were waiting, in no particular order.
    pub fn drain(&mut self) -> Vec<UserId> {
        self.main.clear();
        self.overflow.clear();
        self.pending.drain().map(|(user, _)| user).collect()
    }

    /// Queues a change for `user`, replacing their pending one (it keeps its place in line).
    pub fn push(&mut self, user: UserId, snapshot: Option<Box<User>>, now: Instant) -> Pushed {
        if let Some(existing) = self.pending.get_mut(&user) {
            // A timer's "read it again" never replaces a snapshot the listener delivered.
            if snapshot.is_some() {
                existing.snapshot = snapshot;
            }
            existing.last_at = now;
            return Pushed::Replaced;
        }
        if self.main.len() < self.main_capacity {
            self.main.push_back(user.clone());
        } else if self.overflow.len() < self.overflow_capacity {
            self.overflow.push_back(user.clone());
        } else {
            return Pushed::Full;
        }
        self.pending.insert(
            user.clone(),
            Request {
                user,
                snapshot,
                first_at: now,
                last_at: now,
            },
        );
        Pushed::Queued
    }

    /// Puts a request back at the head of the line (after a 429), whatever the capacities.
    pub fn push_front(&mut self, request: Request) {
        if self.pending.contains_key(&request.user) {
            // A newer request arrived meanwhile; it wins.
            return;
        }
        self.main.push_front(request.user.clone());
        self.pending.insert(request.user.clone(), request);
    }

    /// The head of the line if it is ready at `now`; otherwise when it will be (`Err`), or
    /// `Err(None)` when the queue is empty.
    pub fn pop_ready(
        &mut self,
        now: Instant,
        settle: Duration,
        max_wait: Duration,
    ) -> Result<Request, Option<Instant>> {
        if self.main.is_empty() {
            // The overflow drains into the main queue once it is empty.
            while self.main.len() < self.main_capacity {
                match self.overflow.pop_front() {
                    Some(u) => self.main.push_back(u),
                    None => break,
                }
            }
        }
        let Some(head) = self.main.front() else {
            return Err(None);
        };
        let Some(request) = self.pending.get(head) else {
            // Cannot happen (every queued id is pending); drop the stray id.
            self.main.pop_front();
            return Err(Some(now));
        };
        let ready_at = (request.last_at + settle).min(request.first_at + max_wait);
        if ready_at > now {
            return Err(Some(ready_at));
        }
        let user = request.user.clone();
        self.main.pop_front();
        self.pending.remove(&user).ok_or(Some(now))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(n: usize) -> UserId {
        UserId::new(format!("u{n}"))
    }

    #[test]
    fn a_newer_request_replaces_the_older_one_in_place() {
        let mut q = Queue::default();
        let t = Instant::now();
        assert_eq!(q.push(id(1), None, t), Pushed::Queued);
        assert_eq!(q.push(id(2), None, t), Pushed::Queued);
        assert_eq!(q.push(id(1), None, t), Pushed::Replaced);
        assert_eq!(q.len(), 2);
        let zero = Duration::ZERO;
        assert_eq!(q.pop_ready(t, zero, zero).unwrap().user, id(1));
        assert_eq!(q.pop_ready(t, zero, zero).unwrap().user, id(2));
        assert!(matches!(q.pop_ready(t, zero, zero), Err(None)));
    }

    #[test]
    fn the_overflow_takes_ten_more_and_drains_when_the_main_queue_empties() {
        let mut q = Queue::default();
        let t = Instant::now();
        for n in 0..20 {
            assert_eq!(q.push(id(n), None, t), Pushed::Queued, "{n}");
        }
        assert_eq!(q.push(id(20), None, t), Pushed::Full);
        let zero = Duration::ZERO;
        let order: Vec<UserId> = (0..20)
            .map(|_| q.pop_ready(t, zero, zero).unwrap().user)
            .collect();
        assert_eq!(order, (0..20).map(id).collect::<Vec<_>>());
    }

    #[test]
    fn a_burst_waits_until_it_is_quiet_but_not_longer_than_max_wait() {
        let mut q = Queue::default();
        let t = Instant::now();
        let settle = Duration::from_millis(200);
        let max = Duration::from_secs(2);
        q.push(id(1), None, t);
        q.push(id(1), None, t + Duration::from_millis(100));
        assert_eq!(
            q.pop_ready(t + Duration::from_millis(250), settle, max)
                .unwrap_err(),
            Some(t + Duration::from_millis(300))
        );
        for ms in (0..3000).step_by(50) {
            q.push(id(1), None, t + Duration::from_millis(ms));
        }
        assert!(q.pop_ready(t + max, settle, max).is_ok());
    }
}
