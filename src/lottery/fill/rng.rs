//! Randomness for fills: reproducible per (seed, task), and stable across library upgrades.

use rand::rngs::ChaCha8Rng;
use rand::{Rng, SeedableRng};

use crate::lottery::ids::TaskId;

/// Separates fill streams from any other use of the same seed; bump it only to reshuffle history.
const DOMAIN: &[u8; 16] = b"solar-lottery/f1";

/// The random stream of one task's fill.
///
/// The ChaCha8 key is the rotation's seed (8 bytes, little-endian), then the task id (8 bytes,
/// little-endian, two's complement), then the 16-byte domain tag `solar-lottery/f1`. ChaCha8 is
/// portable and specified, so the same seed, task and state replay the same picks on any machine
/// and any future `rand`, while two tasks of one rotation never replay one stream (upstream did).
pub fn fill_rng(seed: u64, task: TaskId) -> ChaCha8Rng {
    let mut key = [0u8; 32];
    key[..8].copy_from_slice(&seed.to_le_bytes());
    key[8..16].copy_from_slice(&task.0.to_le_bytes());
    key[16..].copy_from_slice(DOMAIN);
    ChaCha8Rng::from_seed(key)
}

/// A uniform draw in `[0, 1)` from the top 53 bits of one `u64`, spelled out here rather than taken
/// from `rand`'s distributions so the mapping can never change under us.
pub(crate) fn unit(rng: &mut impl Rng) -> f64 {
    const SCALE: f64 = 1.0 / (1u64 << 53) as f64;
    (rng.next_u64() >> 11) as f64 * SCALE
}

/// Picks an index with probability proportional to its weight, given a uniform draw
/// `u ∈ [0, 1)`: the first index where the running sum of weights exceeds `u × total`.
///
/// `weights` is called twice and must yield the same sequence. Zero, negative and NaN weights are
/// never picked; `None` when no weight is positive or the total is not finite.
pub(crate) fn pick_at<I>(u: f64, weights: impl Fn() -> I) -> Option<usize>
where
    I: Iterator<Item = f64>,
{
    let total: f64 = weights().filter(|w| *w > 0.0).sum();
    if !(total > 0.0 && total.is_finite()) {
        return None;
    }
    let r = u * total;
    let mut acc = 0.0;
    let mut last_positive = None;
    for (i, w) in weights().enumerate() {
        if w > 0.0 {
            acc += w;
            last_positive = Some(i);
            if acc > r {
                return Some(i);
            }
        }
    }
    // Rounding can leave the running sum a hair below `r`; the last candidate absorbs it.
    last_positive
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_and_task_replay_and_different_tasks_diverge() {
        let a: Vec<u64> = (0..4).map(|_| fill_rng(7, TaskId(1)).next_u64()).collect();
        assert!(a.windows(2).all(|w| w[0] == w[1]));
        let mut x = fill_rng(7, TaskId(1));
        let mut y = fill_rng(7, TaskId(2));
        let mut z = fill_rng(8, TaskId(1));
        let (x, y, z) = (x.next_u64(), y.next_u64(), z.next_u64());
        assert_ne!(x, y);
        assert_ne!(x, z);
    }

    #[test]
    fn weighted_pick_skips_zero_weights_and_handles_empty_input() {
        let mut rng = fill_rng(1, TaskId(1));
        for _ in 0..200 {
            let i = pick_at(unit(&mut rng), || [0.0, 2.0, 0.0, 1.0].into_iter()).unwrap();
            assert!(i == 1 || i == 3);
        }
        assert_eq!(pick_at(0.0, || [0.0, 3.0].into_iter()), Some(1));
        assert_eq!(pick_at(0.5, || [1.0, 1.0, 1.0, 1.0].into_iter()), Some(2));
        assert_eq!(pick_at(0.0, || [0.0, 0.0].into_iter()), None);
        assert_eq!(pick_at(0.5, std::iter::empty), None);
        assert_eq!(pick_at(0.5, || [f64::INFINITY, 1.0].into_iter()), None);
        assert_eq!(pick_at(0.5, || [f64::NAN, 1.0].into_iter()), Some(1));
    }

    #[test]
    fn unit_draws_stay_in_range() {
        let mut rng = fill_rng(3, TaskId(9));
        for _ in 0..1000 {
            let u = unit(&mut rng);
            assert!((0.0..1.0).contains(&u));
        }
    }
}
