//! A single-runner lease for long-running work that is not a ticking job (the WebSocket listener):
//! the same lease rows and rules as the job runner's (`lease`), driven by the holder itself.

use chrono::Utc;

use super::LeaseTiming;
use crate::store::{self, Db, StoreError};

#[derive(Clone)]
pub struct NamedLease {
    db: Db,
    name: &'static str,
    holder: String,
    timing: LeaseTiming,
}

impl NamedLease {
    pub fn new(db: Db, name: &'static str, holder: String, timing: LeaseTiming) -> Self {
        NamedLease {
            db,
            name,
            holder,
            timing,
        }
    }

    pub fn name(&self) -> &'static str {
        self.name
    }

    pub fn holder(&self) -> &str {
        &self.holder
    }

    pub fn timing(&self) -> LeaseTiming {
        self.timing
    }

    /// Takes or renews the lease for one more `ttl`; true when this process holds it afterwards.
    pub async fn acquire(&self) -> Result<bool, StoreError> {
        let mut conn = self.db.read().await?;
        store::leases::acquire(
            &mut conn,
            self.name,
            &self.holder,
            Utc::now(),
            self.timing.ttl_delta(),
        )
        .await
    }

    /// Gives it up at once, so another process need not wait for it to expire.
    pub async fn release(&self) -> Result<(), StoreError> {
        let mut conn = self.db.read().await?;
        store::leases::release(&mut conn, self.name, &self.holder).await
    }
}
