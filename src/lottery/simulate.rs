//! Fairness simulation: run a rotation for many consecutive shifts and count who served.
//!
//! It drives the real `fill` exactly as the autopilot would: each shift is filled at its start,
//! the picked users' `last_served` becomes the shift's finish, and they get the shift itself and
//! the grace after it as unavailability. It is how the weight knobs (`weight::doubling`) were tuned,
//! and `tests/lottery_fairness.rs` keeps them honest.

use chrono::{DateTime, TimeDelta, Utc};
use chrono_tz::Tz;
use std::collections::{BTreeMap, BTreeSet};

use super::fill::{Candidate, FillRequest, fill};
use super::ids::{RotationId, TaskId, UserId};
use super::needs::Needs;
use super::period::Period;
use super::service_record::service_record;
use super::shift::ShiftSchedule;
use super::skill::Skills;
use super::unavailability::Unavailability;

/// The rotation id the simulation's unavailability entries carry.
const SIM_ROTATION: RotationId = RotationId(0);

#[derive(Debug, Clone, PartialEq)]
pub struct SimMember {
    pub user: UserId,
    pub skills: Skills,
}

/// A rotation to simulate; everyone joins at `joined` and has never served.
#[derive(Debug, Clone)]
pub struct Simulation {
    pub members: Vec<SimMember>,
    pub period: Period,
    pub beginning: DateTime<Utc>,
    /// When the members joined: normally `beginning`; later to fill shifts that lie before they
    /// joined (history entered today, a rotation that began months ago).
    pub joined: DateTime<Utc>,
    pub tz: Tz,
    /// Shift length; zero means the whole period.
    pub duration: TimeDelta,
    pub grace: TimeDelta,
    pub require: Needs,
    pub limit: Needs,
    pub seed: u64,
    pub fuzz: u32,
    /// How many consecutive shifts (0, 1, 2, …) to fill.
    pub shifts: u32,
}

/// What happened over the simulated shifts.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SimReport {
    /// Services per member (every member appears, with 0 if they never served).
    pub served: BTreeMap<UserId, u32>,
    pub filled: u32,
    /// Shifts that could not be filled (left empty; the simulation carries on).
    pub failed: u32,
    pub picks: u32,
    /// Picks that went to (one of) the heaviest candidates of the need being filled.
    pub top_picks: u32,
    /// Who served each shift, in shift order (empty for a shift that could not be filled).
    pub per_shift: Vec<BTreeSet<UserId>>,
}

impl SimReport {
    /// Adds another run's counts to this one (e.g. the same rotation under another seed).
    pub fn merge(&mut self, other: &SimReport) {
        for (u, n) in &other.served {
            *self.served.entry(u.clone()).or_default() += n;
        }
        self.filled += other.filled;
        self.failed += other.failed;
        self.picks += other.picks;
        self.top_picks += other.top_picks;
        self.per_shift.extend(other.per_shift.iter().cloned());
    }

    /// Standard deviation of the service counts over their mean (population form); 0 when the
    /// counts are equal, or there are none.
    pub fn coefficient_of_variation(&self) -> f64 {
        let n = self.served.len() as f64;
        if n == 0.0 {
            return 0.0;
        }
        let mean = self.served.values().map(|&c| f64::from(c)).sum::<f64>() / n;
        if mean == 0.0 {
            return 0.0;
        }
        let var = self
            .served
            .values()
            .map(|&c| (f64::from(c) - mean).powi(2))
            .sum::<f64>()
            / n;
        var.sqrt() / mean
    }

    /// Share of picks that did not go to a heaviest candidate: how much of a lottery it still is.
    pub fn non_top_share(&self) -> f64 {
        if self.picks == 0 {
            return 0.0;
        }
        f64::from(self.picks - self.top_picks) / f64::from(self.picks)
    }
}

struct MemberState {
    last_served: Option<DateTime<Utc>>,
    unavailable: Vec<Unavailability>,
}

/// Runs `sim.shifts` shifts and reports who served how often.
pub fn simulate(sim: &Simulation) -> SimReport {
    let schedule = ShiftSchedule {
        period: sim.period,
        beginning: sim.beginning,
        tz: sim.tz,
        duration: sim.duration,
    };
    let mut state: Vec<MemberState> = sim
        .members
        .iter()
        .map(|_| MemberState {
            last_served: None,
            unavailable: Vec::new(),
        })
        .collect();
    let mut report = SimReport {
        served: sim.members.iter().map(|m| (m.user.clone(), 0)).collect(),
        ..SimReport::default()
    };
    for n in 0..i64::from(sim.shifts) {
        let Ok(interval) = schedule.interval(n) else {
            break;
        };
        for s in &mut state {
            s.unavailable.retain(|u| u.interval.finish > interval.start);
        }
        let task = TaskId(n);
        let req = FillRequest {
            rotation: SIM_ROTATION,
            task,
            seed: sim.seed,
            fuzz: sim.fuzz,
            period: sim.period,
            beginning: sim.beginning,
            interval,
            for_time: interval.start,
            require: sim.require.clone(),
            limit: sim.limit.clone(),
            assigned: Vec::new(),
            candidates: sim
                .members
                .iter()
                .zip(&state)
                .map(|(m, s)| Candidate {
                    user: m.user.clone(),
                    skills: m.skills.clone(),
                    last_served: s.last_served,
                    joined_at: sim.joined,
                    unavailable: s.unavailable.clone(),
                })
                .collect(),
        };
        let Ok(outcome) = fill(&req) else {
            report.failed += 1;
            report.per_shift.push(BTreeSet::new());
            continue;
        };
        report.filled += 1;
        report.per_shift.push(outcome.users().into_iter().collect());
        for pick in &outcome.picked {
            report.picks += 1;
            report.top_picks += u32::from(pick.top);
            *report.served.entry(pick.user.clone()).or_default() += 1;
            let record = service_record(SIM_ROTATION, task, interval, sim.grace);
            let member = sim.members.iter().position(|m| m.user == pick.user);
            if let (Some(i), Some(record)) = (member, record) {
                state[i].last_served = Some(record.last_served);
                state[i].unavailable.extend(record.unavailable);
            }
        }
    }
    report
}
