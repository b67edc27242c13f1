//! A weighted-draw tree over one need's candidates: draws by weight and removes a candidate in
//! O(log n), and always knows the heaviest remaining candidate.
//!
//! Each inner node holds the sum of its children's weights and the larger of their log-weights,
//! recomputed from the children on every change (never by subtraction), so removals cannot leave
//! rounding residue behind. Weights are relative to the need's own heaviest candidate at build
//! time, which keeps them in (0, 1] for everyone who matters.

pub(super) struct WeightTree {
    /// Number of leaves (a power of two ≥ the candidate count).
    size: usize,
    sum: Vec<f64>,
    max: Vec<f64>,
    alive: usize,
}

impl WeightTree {
    /// `items` yields each candidate's (relative weight, log2 weight), in the need's order.
    pub fn new(items: impl ExactSizeIterator<Item = (f64, f64)>) -> Self {
        let size = items.len().next_power_of_two().max(1);
        let mut sum = vec![0.0; 2 * size];
        let mut max = vec![f64::NEG_INFINITY; 2 * size];
        let mut alive = 0;
        for (i, (w, lw)) in items.enumerate() {
            sum[size + i] = w;
            // −∞ marks a removed leaf, so a live one is at least the lowest finite value.
            max[size + i] = lw.max(f64::MIN);
            alive += 1;
        }
        for node in (1..size).rev() {
            sum[node] = sum[2 * node] + sum[2 * node + 1];
            max[node] = f64::max(max[2 * node], max[2 * node + 1]);
        }
        WeightTree {
            size,
            sum,
            max,
            alive,
        }
    }

    /// Takes the candidate at `pos` out of future draws.
    pub fn remove(&mut self, pos: usize) {
        let mut node = self.size + pos;
        if self.max[node] == f64::NEG_INFINITY {
            return;
        }
        self.alive -= 1;
        self.sum[node] = 0.0;
        self.max[node] = f64::NEG_INFINITY;
        while node > 1 {
            node /= 2;
            self.sum[node] = self.sum[2 * node] + self.sum[2 * node + 1];
            self.max[node] = f64::max(self.max[2 * node], self.max[2 * node + 1]);
        }
    }

    /// Takes several candidates out at once, `positions` ascending: each ancestor is recomputed
    /// once, which matters when a used-up limit sets aside a large share of a big pool.
    pub fn remove_many(&mut self, positions: &[usize]) {
        let mut nodes: Vec<usize> = Vec::with_capacity(positions.len());
        for &pos in positions {
            let node = self.size + pos;
            if self.max[node] > f64::NEG_INFINITY {
                self.alive -= 1;
                self.sum[node] = 0.0;
                self.max[node] = f64::NEG_INFINITY;
                nodes.push(node);
            }
        }
        while nodes.first().is_some_and(|&n| n > 1) {
            for n in &mut nodes {
                *n /= 2;
            }
            nodes.dedup();
            for &node in &nodes {
                self.sum[node] = self.sum[2 * node] + self.sum[2 * node + 1];
                self.max[node] = f64::max(self.max[2 * node], self.max[2 * node + 1]);
            }
        }
    }

    pub fn alive(&self) -> usize {
        self.alive
    }

    /// Sum of the remaining relative weights.
    pub fn total(&self) -> f64 {
        self.sum[1]
    }

    /// The heaviest remaining log2 weight (−∞ when empty).
    pub fn max_log2(&self) -> f64 {
        self.max[1]
    }

    /// The position whose weight interval contains `r ∈ [0, total)`: the same answer as walking
    /// the candidates in order and stopping where the running sum first exceeds `r`. Never lands
    /// on a removed or zero-weight candidate while the total is positive.
    pub fn find(&self, mut r: f64) -> Option<usize> {
        if self.total().is_nan() || self.total() <= 0.0 {
            return None;
        }
        let mut node = 1;
        while node < self.size {
            let (left, right) = (2 * node, 2 * node + 1);
            let go_right = (r >= self.sum[left] && self.sum[right] > 0.0) || self.sum[left] <= 0.0;
            if go_right {
                r -= self.sum[left];
                node = right;
            } else {
                node = left;
            }
        }
        Some(node - self.size)
    }

    /// Remaining positions with their log2 weights, for the rare rescaling path.
    pub fn remaining(&self) -> impl Iterator<Item = (usize, f64)> + '_ {
        self.max[self.size..]
            .iter()
            .enumerate()
            .filter(|(_, lw)| **lw > f64::NEG_INFINITY)
            .map(|(i, lw)| (i, *lw))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn find_matches_a_running_sum_walk_and_skips_removed_entries() {
        let w: [f64; 6] = [0.5, 0.25, 1.0, 0.125, 0.0, 0.75];
        let mut t = WeightTree::new(w.iter().map(|&x| (x, x.log2())));
        assert_eq!(t.total(), 2.625);
        assert_eq!(t.find(0.0), Some(0));
        assert_eq!(t.find(0.6), Some(1));
        assert_eq!(t.find(0.75), Some(2));
        assert_eq!(t.find(1.8), Some(3));
        assert_eq!(t.find(1.9), Some(5));
        assert_eq!(t.max_log2(), 0.0);
        t.remove(2);
        t.remove(2);
        assert_eq!(t.alive(), 5);
        assert_eq!(t.total(), 1.625);
        assert_eq!(t.find(0.75), Some(3));
        assert_eq!(t.max_log2(), 0.75f64.log2());
        // r at or past the total still lands on a real candidate.
        assert_eq!(t.find(10.0), Some(5));
        for i in 0..6 {
            t.remove(i);
        }
        assert_eq!(t.find(0.0), None);
        assert_eq!(t.max_log2(), f64::NEG_INFINITY);
        assert_eq!(t.alive(), 0);
        assert_eq!(t.remaining().count(), 0);
    }

    #[test]
    fn removing_many_at_once_equals_removing_one_by_one() {
        let w: Vec<f64> = (0..37).map(|i| f64::from(i % 7 + 1) / 8.0).collect();
        let items = || w.iter().map(|&x| (x, x.log2()));
        let (mut one, mut many) = (WeightTree::new(items()), WeightTree::new(items()));
        let gone = [0, 3, 4, 5, 17, 18, 36];
        for &p in &gone {
            one.remove(p);
        }
        many.remove_many(&gone);
        many.remove_many(&[3, 4]);
        assert_eq!(one.sum, many.sum);
        assert_eq!(one.max, many.max);
        assert_eq!(one.alive(), many.alive());
        assert_eq!(many.alive(), 30);
    }

    #[test]
    fn an_empty_tree_draws_nothing() {
        let t = WeightTree::new(std::iter::empty());
        assert_eq!(t.find(0.0), None);
        assert_eq!(t.remaining().count(), 0);
    }
}
