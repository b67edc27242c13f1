//! The solar-lottery fill: who serves on a task.
//!
//! Upstream's algorithm (docs/upstream-solar-lottery.md §3) with DESIGN.md's decisions:
//! - **Pure and reproducible.** The random stream comes from `fill_rng(seed, task)`, so the same
//!   seed, task and state give the same picks, and two tasks never replay one stream.
//! - **Who is left out** (`unavailability`): personal or calendar time off overlapping the task, an
//!   overlapping task of any rotation (entries of this same task are ignored), grace after a task
//!   of this rotation, and anyone whose pick would break a limit.
//! - **Never a partial fill.** Either every requirement is met (counting users already on the task)
//!   and no limit is exceeded by a picked user, or nothing is picked and `FillError` says which need
//!   failed and why each left-out member was left out.
//! - **Fewer dead ends than upstream.** Greedy picks can strand a need when a limit runs out (pick
//!   the lead for `webapp` and the only `server` person, also a lead, is over the lead limit). Such
//!   a fill is retried with the continuing stream, up to `MAX_ATTEMPTS` times; a fill that fails
//!   without any limit being used up fails at once, since no draw could have helped.

mod attempt;
mod error;
mod prepare;
mod request;
mod rng;
mod tree;

pub use error::{Absence, Excluded, Exclusion, FillError, Namer, Shortfall};
pub use request::{Assigned, Candidate, FillOutcome, FillRequest, Pick};
pub use rng::fill_rng;

use attempt::{Failed, attempt};
use prepare::Prepared;
pub(crate) use prepare::unavailable_reasons;

/// How many times a fill that ran into a used-up limit is retried before giving up.
pub const MAX_ATTEMPTS: u32 = 8;

/// Picks who serves on the task; see the module doc for the rules.
pub fn fill(req: &FillRequest) -> Result<FillOutcome, FillError> {
    if req.interval.is_empty() {
        return Err(FillError::EmptyInterval(req.interval));
    }
    let mut rng = fill_rng(req.seed, req.task);
    let prepared = Prepared::new(req);
    let mut first: Option<Shortfall> = None;
    let mut attempts = 0;
    loop {
        attempts += 1;
        let (shortfall, retry) = match attempt(&prepared, &mut rng) {
            Ok(picked) => return Ok(FillOutcome { picked, attempts }),
            Err(Failed::Final(s)) => (s, false),
            Err(Failed::Retryable(s)) => (s, true),
        };
        // Report the first attempt's shortfall: it is the one a reader can follow.
        let shortfall = first.take().unwrap_or(shortfall);
        if !retry || attempts >= MAX_ATTEMPTS {
            return Err(FillError::Insufficient(Box::new(shortfall)));
        }
        first = Some(shortfall);
    }
}
