//! One pass of the lottery over a prepared fill (upstream §3.4–3.6).
//!
//! Each round picks which requirement to fill next (weighted by its candidates' mean weight, ×10
//! when a limit has the same skill-level, `any` last), then draws a user for it by weight. Picked
//! users count towards every need and limit they qualify for. When a limit runs out, everyone left
//! who would break it is set aside at once: upstream draws and rejects them one by one, which yields
//! the same odds (rejection sampling) but costs a draw per rejection.

use rand::Rng;

use super::error::{Exclusion, Shortfall};
use super::prepare::Prepared;
use super::request::Pick;
use super::rng::{pick_at, unit};
use super::tree::WeightTree;

/// Upstream's boost for a requirement that also has a limit: fill it early, while it still can be.
const LIMITED_NEED_BOOST_LOG2: f64 = std::f64::consts::LOG2_10;

pub(super) enum Failed {
    /// No choice of draws could have worked (the need had too few candidates from the start of
    /// this attempt).
    Final(Shortfall),
    /// A limit used up during this attempt removed candidates; other draws might succeed.
    Retryable(Shortfall),
}

struct State {
    alive: Vec<bool>,
    need_left: Vec<i64>,
    limit_left: Vec<i64>,
    trees: Vec<WeightTree>,
    /// Pool members set aside because a limit ran out during this attempt, with the limit.
    limited_out: Vec<(u32, usize)>,
}

pub(super) fn attempt(p: &Prepared<'_>, rng: &mut impl Rng) -> Result<Vec<Pick>, Failed> {
    let mut st = State {
        alive: vec![true; p.pool.len()],
        need_left: p.needs.iter().map(|n| n.remaining).collect(),
        limit_left: p.limits.iter().map(|l| l.remaining).collect(),
        trees: p
            .need_pools
            .iter()
            .map(|np| {
                WeightTree::new(
                    np.weights
                        .iter()
                        .zip(&np.members)
                        .map(|(w, &i)| (*w, p.pool[i as usize].log2_weight)),
                )
            })
            .collect(),
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
            .filter(|&j| (st.trees[j].alive() as i64) < st.need_left[j])
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
        let Some(pos) = choose_user(&st.trees[need], unit(rng)) else {
            return Err(Failed::Final(shortfall(p, &st, need, &active)));
        };
        let i = p.need_pools[need].members[pos] as usize;
        let log2_weight = p.pool[i].log2_weight;
        picks.push(Pick {
            user: p.pool[i].candidate.user.clone(),
            need: p.needs[need].skill_level.clone(),
            log2_weight,
            top: log2_weight >= st.trees[need].max_log2(),
        });
        remove(p, &mut st, i);
        for j in 0..p.needs.len() {
            if p.need_applies(j, i) {
                st.need_left[j] -= 1;
            }
        }
        for l in 0..p.limits.len() {
            if !p.limit_applies(l, i) {
                continue;
            }
            st.limit_left[l] -= 1;
            if st.limit_left[l] <= 0 {
                let out: Vec<u32> = p.limit_members[l]
                    .iter()
                    .copied()
                    .filter(|&k| st.alive[k as usize])
                    .collect();
                remove_all(p, &mut st, &out);
                st.limited_out.extend(out.into_iter().map(|k| (k, l)));
            }
        }
    }
}

/// Takes pool members `out` (ascending) out of every need they count towards.
fn remove_all(p: &Prepared<'_>, st: &mut State, out: &[u32]) {
    let mut positions = Vec::new();
    for &i in out {
        st.alive[i as usize] = false;
    }
    for (j, tree) in st.trees.iter_mut().enumerate() {
        positions.clear();
        positions.extend(out.iter().filter_map(|&i| {
            if p.need_applies(j, i as usize) {
                p.need_pools[j].members.binary_search(&i).ok()
            } else {
                None
            }
        }));
        tree.remove_many(&positions);
    }
}

fn remove(p: &Prepared<'_>, st: &mut State, i: usize) {
    st.alive[i] = false;
    for (j, tree) in st.trees.iter_mut().enumerate() {
        if p.need_applies(j, i)
            && let Ok(pos) = p.need_pools[j].members.binary_search(&(i as u32))
        {
            tree.remove(pos);
        }
    }
}

/// Upstream §3.4: requirements weigh the mean weight of their candidates, ×10 with a limit on the
/// same skill-level; `any` only once nothing else is left (upstream gives it a weight of 1e-12).
fn choose_need(p: &Prepared<'_>, st: &State, active: &[usize], rng: &mut impl Rng) -> usize {
    let specific: Vec<usize> = active
        .iter()
        .copied()
        .filter(|&j| !p.needs[j].skill_level.is_any())
        .collect();
    let Some(&first) = specific.first() else {
        return active[0];
    };
    // Means in log2, since needs are scaled to their own heaviest candidate.
    let log2_mean: Vec<f64> = specific
        .iter()
        .map(|&j| {
            let tree = &st.trees[j];
            let total = tree.total();
            let log2_sum = if total > 0.0 {
                total.log2() + p.need_pools[j].scale
            } else {
                tree.max_log2()
            };
            let boost = if p.req.limit.contains(&p.needs[j].skill_level) {
                LIMITED_NEED_BOOST_LOG2
            } else {
                0.0
            };
            log2_sum - (tree.alive().max(1) as f64).log2() + boost
        })
        .collect();
    let top = log2_mean.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    pick_at(unit(rng), || log2_mean.iter().map(|l| (l - top).exp2()))
        .map(|k| specific[k])
        .unwrap_or(first)
}

/// Draws a position in the need's tree by weight, with the uniform draw `u`.
fn choose_user(tree: &WeightTree, u: f64) -> Option<usize> {
    if tree.total() > 0.0 {
        return tree.find(u * tree.total());
    }
    // Everyone left was negligible next to the need's heaviest candidate, who is gone: rescale to
    // the heaviest one left.
    let top = tree.max_log2();
    let remaining: Vec<(usize, f64)> = tree.remaining().collect();
    pick_at(u, || remaining.iter().map(|(_, lw)| (lw - top).exp2())).map(|k| remaining[k].0)
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
    let not_qualified = p
        .pool
        .len()
        .saturating_sub(p.need_pools[need].members.len());
    Shortfall {
        need: p.needs[need].skill_level.clone(),
        remaining: left(need),
        candidates_left: u32::try_from(st.trees[need].alive()).unwrap_or(u32::MAX),
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
