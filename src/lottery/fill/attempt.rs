//! One pass of the lottery over a prepared fill (upstream §3.4–3.6).
//!
//! Each round picks which requirement to fill next (weighted by its candidates' mean weight, ×10
//! when a limit has the same skill-level, `any` last), then draws a user for it by weight. Picked
//! users count towards every need and limit they qualify for. When a limit runs out, everyone left
//! who would break it is set aside at once: upstream draws and rejects them one by one, which yields
//! the same odds (rejection sampling) but costs a pass per rejection.

use rand::Rng;

use super::error::{Exclusion, Shortfall};
use super::prepare::Prepared;
use super::request::Pick;
use super::rng::pick_weighted;

/// Upstream's boost for a requirement that also has a limit: fill it early, while it still can be.
const LIMITED_NEED_BOOST: f64 = 10.0;

/// A need's running weight sum is recomputed from scratch when subtraction has eaten all but this
/// fraction of it, so rounding never leaves a phantom weight behind.
const RESUM_BELOW: f64 = 1e-9;

pub(super) enum Failed {
    /// No choice of draws could have worked (the need had too few candidates from the start of
    /// this attempt, limits aside).
    Final(Shortfall),
    /// A limit used up during this attempt removed candidates; other draws might succeed.
    Retryable(Shortfall),
}

struct State {
    alive: Vec<bool>,
    need_left: Vec<i64>,
    limit_left: Vec<i64>,
    need_count: Vec<u32>,
    need_sum: Vec<f64>,
    need_sum_full: Vec<f64>,
    /// Pool members set aside because a limit ran out during this attempt.
    limited_out: Vec<(u32, usize)>,
}

pub(super) fn attempt(p: &Prepared<'_>, rng: &mut impl Rng) -> Result<Vec<Pick>, Failed> {
    let need_sum: Vec<f64> = p
        .need_candidates
        .iter()
        .map(|c| c.iter().map(|&i| p.pool[i as usize].weight).sum())
        .collect();
    let mut st = State {
        alive: vec![true; p.pool.len()],
        need_left: p.needs.iter().map(|n| n.remaining).collect(),
        limit_left: p.limits.iter().map(|l| l.remaining).collect(),
        need_count: p
            .need_candidates
            .iter()
            .map(|c| u32::try_from(c.len()).unwrap_or(u32::MAX))
            .collect(),
        need_sum_full: need_sum.clone(),
        need_sum,
        limited_out: Vec::new(),
    };
    let mut picks = Vec::new();
    loop {
        let active: Vec<usize> = (0..p.needs.len())
            .filter(|&j| st.need_left[j] > 0)
            .collect();
        if active.is_empty() {
            return Ok(picks);
        }
        // A need with fewer candidates than it wants can never recover: every later pick that
        // qualifies for it also counts towards it, and exclusions only shrink it further.
        let short = active
            .iter()
            .copied()
            .filter(|&j| i64::from(st.need_count[j]) < st.need_left[j])
            .min_by_key(|&j| p.needs[j].skill_level.is_any());
        if let Some(j) = short {
            let s = shortfall(p, &st, j, &active);
            return Err(if st.limited_out.is_empty() {
                Failed::Final(s)
            } else {
                Failed::Retryable(s)
            });
        }
        let need = choose_need(p, &st, &active, rng);
        let Some((i, max)) = choose_user(p, &st, need, rng) else {
            // Only reachable if every weight underflowed; treat as a shortfall of this need.
            return Err(Failed::Final(shortfall(p, &st, need, &active)));
        };
        let lw = p.pool[i].log2_weight;
        let top = lw >= max;
        picks.push(Pick {
            user: p.pool[i].candidate.user.clone(),
            need: p.needs[need].skill_level.clone(),
            log2_weight: lw,
            top,
        });
        remove(p, &mut st, i);
        for &j in p.member_needs.get(i) {
            st.need_left[j as usize] -= 1;
        }
        for &l in p.member_limits.get(i) {
            let l = l as usize;
            st.limit_left[l] -= 1;
            if st.limit_left[l] <= 0 {
                for &k in &p.limit_candidates[l] {
                    if st.alive[k as usize] {
                        remove(p, &mut st, k as usize);
                        st.limited_out.push((k, l));
                    }
                }
            }
        }
    }
}

fn remove(p: &Prepared<'_>, st: &mut State, i: usize) {
    st.alive[i] = false;
    let w = p.pool[i].weight;
    for &j in p.member_needs.get(i) {
        let j = j as usize;
        st.need_count[j] = st.need_count[j].saturating_sub(1);
        st.need_sum[j] -= w;
        if st.need_sum[j] <= st.need_sum_full[j] * RESUM_BELOW {
            st.need_sum[j] = p.need_candidates[j]
                .iter()
                .filter(|&&k| st.alive[k as usize])
                .map(|&k| p.pool[k as usize].weight)
                .sum();
        }
    }
}

/// Upstream §3.4: a requirement with a limit on the same skill-level weighs ×10; `any` only once
/// nothing else is left (upstream gives it a weight of 1e-12).
fn choose_need(p: &Prepared<'_>, st: &State, active: &[usize], rng: &mut impl Rng) -> usize {
    let specific: Vec<usize> = active
        .iter()
        .copied()
        .filter(|&j| !p.needs[j].skill_level.is_any())
        .collect();
    let Some(&first) = specific.first() else {
        return active[0];
    };
    let weight = |j: usize| {
        let mean = st.need_sum[j] / f64::from(st.need_count[j].max(1));
        let limited = p.req.limit.contains(&p.needs[j].skill_level);
        if limited {
            mean * LIMITED_NEED_BOOST
        } else {
            mean
        }
    };
    pick_weighted(rng, || specific.iter().map(|&j| weight(j)))
        .map(|k| specific[k])
        .unwrap_or(first)
}

/// Draws one of the need's remaining candidates by weight; also returns the heaviest log-weight
/// among them, to tell whether the draw went to (one of) the favourites.
fn choose_user(
    p: &Prepared<'_>,
    st: &State,
    need: usize,
    rng: &mut impl Rng,
) -> Option<(usize, f64)> {
    let cands = &p.need_candidates[need];
    let alive = || cands.iter().filter(|&&k| st.alive[k as usize]);
    let (sum, max) = alive().fold((0.0, f64::NEG_INFINITY), |(s, m), &k| {
        let member = &p.pool[k as usize];
        (s + member.weight, f64::max(m, member.log2_weight))
    });
    let k = if sum > 0.0 {
        pick_weighted(rng, || alive().map(|&k| p.pool[k as usize].weight))
    } else {
        // Everyone here is negligible next to the heaviest member of the whole pool: rescale to
        // this need's own heaviest candidate.
        pick_weighted(rng, || {
            alive().map(move |&k| (p.pool[k as usize].log2_weight - max).exp2())
        })
    }?;
    alive().nth(k).map(|&k| (k as usize, max))
}

fn shortfall(p: &Prepared<'_>, st: &State, need: usize, active: &[usize]) -> Shortfall {
    let left = |j: usize| u32::try_from(st.need_left[j].max(0)).unwrap_or(u32::MAX);
    let mut excluded: Vec<(usize, Vec<Exclusion>)> = p.excluded.clone();
    for &(k, l) in &st.limited_out {
        let limit = &p.limits[l];
        let reason = Exclusion::Limit {
            skill_level: limit.skill_level.clone(),
            limit: limit.configured,
        };
        excluded.push((p.pool[k as usize].index, vec![reason]));
    }
    excluded.sort_by_key(|(index, _)| *index);
    let not_qualified = p.pool.len().saturating_sub(p.need_candidates[need].len());
    Shortfall {
        need: p.needs[need].skill_level.clone(),
        remaining: left(need),
        candidates_left: st.need_count[need],
        unmet: active
            .iter()
            .copied()
            .filter(|&j| j != need)
            .map(|j| (p.needs[j].skill_level.clone(), left(j)))
            .collect(),
        excluded: excluded
            .into_iter()
            .filter_map(|(index, reasons)| p.to_excluded(index, reasons, active))
            .collect(),
        not_qualified: u32::try_from(not_qualified).unwrap_or(u32::MAX),
    }
}
