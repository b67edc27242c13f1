//! Weighted picks through the real fill: a candidate twice as heavy is picked twice as often, and
//! fuzz flattens the odds.

use crate::lottery_support::*;
use solar_lottery::lottery::*;

const DRAWS: i64 = 10_000;

/// Five members idle for 6, 5, 5, 4 and 4 doublings (at fuzz 0): weights 64/32/32/16/16.
fn members() -> Vec<Candidate> {
    let d = doubling(&Period::Weekly, 0);
    [
        ("w64", 6),
        ("w32a", 5),
        ("w32b", 5),
        ("w16a", 4),
        ("w16b", 4),
    ]
    .into_iter()
    .map(|(id, k)| {
        let mut m = member(id, &[]);
        m.last_served = Some(t0() - d * k);
        m
    })
    .collect()
}

/// Picks one of the five for `DRAWS` different tasks and returns each one's share.
fn shares(fuzz: u32) -> Vec<(String, f64)> {
    let mut req = request(needs(&[("any", 1)]), Needs::new(), members());
    req.fuzz = fuzz;
    let mut counts = std::collections::BTreeMap::<String, u32>::new();
    for task in 0..DRAWS {
        req.task = TaskId(task);
        let out = fill(&req).unwrap();
        *counts.entry(out.picked[0].user.0.clone()).or_default() += 1;
    }
    members()
        .iter()
        .map(|m| {
            let n = counts.get(m.user.as_str()).copied().unwrap_or(0);
            (m.user.0.clone(), f64::from(n) / DRAWS as f64)
        })
        .collect()
}

fn assert_within_15_percent(got: &[(String, f64)], expected: [f64; 5]) {
    for ((id, share), want) in got.iter().zip(expected) {
        let err = (share - want).abs() / want;
        assert!(
            err <= 0.15,
            "{id}: share {share:.4}, expected {want:.4} ±15% ({got:?})"
        );
    }
}

#[test]
fn weights_64_32_32_16_16_give_shares_40_20_20_10_10() {
    assert_within_15_percent(&shares(0), [0.40, 0.20, 0.20, 0.10, 0.10]);
}

#[test]
fn fuzz_one_halves_the_growth_so_the_same_wait_gives_square_root_weights() {
    // Fuzz 1 doubles the doubling time: weights become 8, 5.66, 5.66, 4, 4.
    let w = [8.0, 32f64.sqrt(), 32f64.sqrt(), 4.0, 4.0];
    let total: f64 = w.iter().sum();
    assert_within_15_percent(&shares(1), w.map(|x| x / total));
}
