//! Which process runs the preset engine's background work. Of several bot processes on one
//! database only the holder of the `profile-engine` lease reconciles, polls the marks, keeps the
//! expiry timers and writes profiles; the others turn what their listener hears into reconciliation
//! marks, so two processes never write one profile. A new holder re-reads everyone with presets
//! (an expiry that passed while nobody held the lease is restored then).
//!
//! The engine has a lease of its own rather than sharing the listener's: with `LOTTO_WEBSOCKET=off`
//! in some processes, sharing would let a process that never listens keep the WebSocket closed.

use tokio::time::Instant;

use crate::jobs::NamedLease;

/// The lease row's name.
pub const LEASE_NAME: &str = "profile-engine";

/// What a lease check changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Change {
    Same,
    /// This process runs the engine now: re-read everyone.
    Gained,
    /// Another process does now (or ours could not be confirmed in time): hand over.
    Lost,
}

pub struct Holding {
    lease: Option<NamedLease>,
    held: bool,
    confirmed: Instant,
    next_check: Instant,
}

impl Holding {
    /// No lease: this engine always runs (benches, a single engine by construction).
    pub fn always() -> Self {
        Holding {
            lease: None,
            held: true,
            confirmed: Instant::now(),
            next_check: Instant::now(),
        }
    }

    pub fn leased(lease: NamedLease) -> Self {
        Holding {
            lease: Some(lease),
            held: false,
            confirmed: Instant::now(),
            next_check: Instant::now(),
        }
    }

    pub fn held(&self) -> bool {
        self.held
    }

    /// When the lease is next renewed or sought; `None` without a lease.
    pub fn next_check(&self) -> Option<Instant> {
        self.lease.as_ref().map(|_| self.next_check)
    }

    /// Renews or seeks the lease if that is due.
    pub async fn check(&mut self) -> Change {
        let Some(lease) = &self.lease else {
            return Change::Same;
        };
        let now = Instant::now();
        if now < self.next_check {
            return Change::Same;
        }
        let timing = lease.timing();
        let held = match lease.acquire().await {
            Ok(true) => {
                self.confirmed = Instant::now();
                true
            }
            Ok(false) => false,
            Err(e) => {
                tracing::warn!(lease = LEASE_NAME, error = %e, "could not check the profile engine's lease");
                // Keep running only while the lease surely has not lapsed.
                self.held && self.confirmed.elapsed() + timing.renew_every < timing.ttl
            }
        };
        self.next_check = Instant::now()
            + if held {
                timing.renew_every
            } else {
                timing.poll_every
            };
        let change = match (self.held, held) {
            (false, true) => Change::Gained,
            (true, false) => Change::Lost,
            _ => Change::Same,
        };
        self.held = held;
        if change != Change::Same {
            tracing::info!(
                lease = LEASE_NAME,
                instance = lease.holder(),
                ?change,
                "profile engine lease"
            );
        }
        change
    }

    /// Gives the lease up at shutdown, so another process takes over at once.
    pub async fn release(&self) {
        if let Some(lease) = &self.lease
            && self.held
            && let Err(e) = lease.release().await
        {
            tracing::warn!(lease = LEASE_NAME, error = %e, "could not release the profile engine's lease");
        }
    }
}
