//! Single-runner leases: a row per job name, held by one process until it expires. A holder renews
//! before expiry while alive; if it dies, the lease lapses and another process takes it over.
//!
//! Unlike the other tables, `expires_at` holds Unix **milliseconds**: a lease may be as short as a
//! second (tests run the autopilot every second), and whole seconds would let a lease taken at x.9 s
//! lapse 0.1 s later. A row written in seconds reads as long expired, so it is simply taken over.

use chrono::{DateTime, TimeDelta, Utc};

use super::{Conn, Result};

fn ms(t: DateTime<Utc>) -> i64 {
    t.timestamp_millis()
}

/// Takes or renews the lease `name` for `holder` until `now + ttl`. Returns true when `holder` holds it
/// afterwards: it was free, expired, or already ours. One statement, so two processes can't both win.
pub async fn acquire(
    conn: &mut Conn,
    name: &str,
    holder: &str,
    now: DateTime<Utc>,
    ttl: TimeDelta,
) -> Result<bool> {
    let res = sqlx::query(
        "INSERT INTO leases (name, holder, expires_at) VALUES ($1, $2, $3)
         ON CONFLICT(name) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at
         WHERE leases.holder = excluded.holder OR leases.expires_at <= $4",
    )
    .bind(name)
    .bind(holder)
    .bind(ms(now + ttl))
    .bind(ms(now))
    .execute(&mut *conn)
    .await?;
    Ok(res.rows_affected() == 1)
}

/// Gives the lease up at once (on shutdown), so another process doesn't wait for it to expire.
pub async fn release(conn: &mut Conn, name: &str, holder: &str) -> Result<()> {
    sqlx::query("DELETE FROM leases WHERE name = $1 AND holder = $2")
        .bind(name)
        .bind(holder)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Who holds `name` now, if anyone (for `info` and tests).
pub async fn holder(conn: &mut Conn, name: &str, now: DateTime<Utc>) -> Result<Option<String>> {
    let row: Option<(String,)> =
        sqlx::query_as("SELECT holder FROM leases WHERE name = $1 AND expires_at > $2")
            .bind(name)
            .bind(ms(now))
            .fetch_optional(&mut *conn)
            .await?;
    Ok(row.map(|r| r.0))
}
