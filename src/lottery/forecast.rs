//! Forecast: who is likely to serve on a rotation's next shifts, by running the real `fill` many
//! times (Monte Carlo) over the same inputs a fill would read.
//!
//! Each draw walks the shifts in order, as the autopilot would fill them: a shift's fill sees the
//! picks of the earlier shifts of the same draw (their `last_served` moves to the shift's end and
//! they get the shift and its grace as unavailability). Draws differ only in their random stream,
//! so the counts over many draws are the odds of the lottery as it stands now. Pure: the caller
//! loads the requests; nothing is written.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, TimeDelta, Utc};
use chrono_tz::Tz;

use super::fill::{FillRequest, fill};
use super::ids::UserId;
use super::interval::Interval;
use super::local_time::add_wall_clock;
use super::unavailability::{Reason, Unavailability};

/// Most draws a forecast runs (the service asks for `DEFAULT_DRAWS`).
pub const MAX_DRAWS: u32 = 10_000;
/// Draws per forecast: 1,000 puts a 50 % chance within about ±3 points.
pub const DEFAULT_DRAWS: u32 = 1_000;

/// One upcoming shift as the forecast sees it.
#[derive(Debug, Clone)]
pub enum ForecastShift {
    /// A shift still to be filled: the request its fill would get now (for a shift not created
    /// yet, a stand-in task id that keys only the forecast's stream). People already on it are in
    /// `assigned` and serve in every draw.
    Draw {
        request: FillRequest,
        grace: TimeDelta,
    },
    /// A shift whose people are settled (scheduled or started): they serve in every draw.
    Fixed {
        interval: Interval,
        users: Vec<UserId>,
        grace: TimeDelta,
    },
    /// A shift that is not held (it starts on a holiday the rotation skips): nobody serves.
    NotHeld,
}

/// The forecast's inputs.
#[derive(Debug, Clone)]
pub struct Forecast {
    pub shifts: Vec<ForecastShift>,
    /// The rotation's zone (grace is wall-clock time in it).
    pub tz: Tz,
    /// The forecast's own seed; draw `d` fills with a seed derived from it and `d`.
    pub seed: u64,
    pub draws: u32,
}

/// The odds for one shift.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ShiftOdds {
    /// Draws in which each person served on the shift (only people who did at least once).
    pub served: BTreeMap<UserId, u32>,
    /// Draws in which the fill failed (no one could be picked within the needs and limits).
    pub unfilled: u32,
}

impl ShiftOdds {
    /// People by how often they served, most often first (ties by user id, so output is stable).
    pub fn ranked(&self) -> Vec<(UserId, u32)> {
        let mut v: Vec<(UserId, u32)> = self.served.iter().map(|(u, n)| (u.clone(), *n)).collect();
        v.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        v
    }
}

/// What the draws found, one entry per shift in input order.
#[derive(Debug, Clone, PartialEq)]
pub struct ForecastReport {
    pub draws: u32,
    pub shifts: Vec<ShiftOdds>,
}

/// What earlier shifts of one draw did to a person.
#[derive(Default, Clone)]
struct Served {
    last_served: Option<DateTime<Utc>>,
    unavailable: Vec<Unavailability>,
}

/// Runs the draws; see the module doc.
pub fn forecast(f: &Forecast) -> ForecastReport {
    let draws = f.draws.min(MAX_DRAWS);
    let mut odds = vec![ShiftOdds::default(); f.shifts.len()];
    let mut state: HashMap<UserId, Served> = HashMap::new();
    for d in 0..draws {
        state.clear();
        let seed = draw_seed(f.seed, d);
        for (shift, odds) in f.shifts.iter().zip(odds.iter_mut()) {
            match shift {
                ForecastShift::NotHeld => {}
                ForecastShift::Fixed {
                    interval,
                    users,
                    grace,
                } => {
                    for u in users {
                        *odds.served.entry(u.clone()).or_default() += 1;
                        record(&mut state, u, *interval, *grace, f.tz);
                    }
                }
                ForecastShift::Draw { request, grace } => {
                    let req = with_draw_state(request, &state, seed);
                    let Ok(outcome) = fill(&req) else {
                        odds.unfilled += 1;
                        for a in &request.assigned {
                            *odds.served.entry(a.user.clone()).or_default() += 1;
                        }
                        continue;
                    };
                    let on_task = request
                        .assigned
                        .iter()
                        .map(|a| &a.user)
                        .chain(outcome.picked.iter().map(|p| &p.user));
                    for u in on_task {
                        *odds.served.entry(u.clone()).or_default() += 1;
                        record(&mut state, u, request.interval, *grace, f.tz);
                    }
                }
            }
        }
    }
    ForecastReport {
        draws,
        shifts: odds,
    }
}

/// The request with what the draw's earlier shifts changed, and the draw's seed.
fn with_draw_state(
    request: &FillRequest,
    state: &HashMap<UserId, Served>,
    seed: u64,
) -> FillRequest {
    let mut req = request.clone();
    req.seed = seed;
    for c in &mut req.candidates {
        if let Some(s) = state.get(&c.user) {
            c.last_served = c.last_served.max(s.last_served);
            c.unavailable.extend(
                s.unavailable
                    .iter()
                    .filter(|u| u.interval.finish > req.interval.start)
                    .copied(),
            );
        }
    }
    req
}

/// Serving on a shift, as the fill records it: `last_served` is its end, and the shift and the
/// grace after it (wall-clock time in the rotation's zone) keep the person out of overlapping fills.
fn record(
    state: &mut HashMap<UserId, Served>,
    user: &UserId,
    interval: Interval,
    grace: TimeDelta,
    tz: Tz,
) {
    let s = state.entry(user.clone()).or_default();
    s.last_served = s.last_served.max(Some(interval.finish));
    // The forecast's own entries: no real task, so a stand-in reason that excludes in any rotation.
    s.unavailable
        .push(Unavailability::new(interval, Reason::Personal));
    if grace > TimeDelta::zero() {
        s.unavailable.push(Unavailability::new(
            Interval::new(interval.finish, add_wall_clock(interval.finish, grace, tz)),
            Reason::Personal,
        ));
    }
}

/// Draw `d`'s seed: SplitMix64 over the forecast seed and the draw number, so neighbouring draws
/// get unrelated streams (and none is the rotation's own seed, which keys the real fills).
fn draw_seed(seed: u64, d: u32) -> u64 {
    let mut z = seed
        .wrapping_add(0x5EED_F0CA_57ED_0000)
        .wrapping_add(u64::from(d).wrapping_mul(0x9E37_79B9_7F4A_7C15));
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

#[cfg(test)]
mod tests;
