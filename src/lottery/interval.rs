//! Half-open time intervals `[start, finish)`: a shift ending at 09:00 and the next starting at
//! 09:00 do not overlap, so back-to-back shifts never block each other.

use chrono::{DateTime, TimeDelta, Utc};
use serde::{Deserialize, Serialize};
use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Interval {
    pub start: DateTime<Utc>,
    pub finish: DateTime<Utc>,
}

impl Interval {
    pub fn new(start: DateTime<Utc>, finish: DateTime<Utc>) -> Self {
        Self { start, finish }
    }

    /// `[start, start + duration)`; saturates at the far end of chrono's range instead of failing.
    pub fn starting_at(start: DateTime<Utc>, duration: TimeDelta) -> Self {
        let finish = start
            .checked_add_signed(duration)
            .unwrap_or(DateTime::<Utc>::MAX_UTC);
        Self { start, finish }
    }

    /// True when the interval holds no instant (finish ≤ start).
    pub fn is_empty(&self) -> bool {
        self.finish <= self.start
    }

    /// Length; zero for an empty or inverted interval.
    pub fn duration(&self) -> TimeDelta {
        if self.is_empty() {
            TimeDelta::zero()
        } else {
            self.finish - self.start
        }
    }

    /// Whether both share at least one instant. Touching intervals don't; empty ones never do.
    pub fn overlaps(&self, other: &Interval) -> bool {
        let start = self.start.max(other.start);
        let finish = self.finish.min(other.finish);
        finish > start
    }

    pub fn contains(&self, t: DateTime<Utc>) -> bool {
        self.start <= t && t < self.finish
    }
}

impl fmt::Display for Interval {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} to {}",
            self.start.format("%Y-%m-%d %H:%M UTC"),
            self.finish.format("%Y-%m-%d %H:%M UTC")
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn t(h: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 1, 1, h, 0, 0).unwrap()
    }

    #[test]
    fn overlap_is_half_open() {
        let a = Interval::new(t(1), t(3));
        assert!(a.overlaps(&Interval::new(t(2), t(4))));
        assert!(a.overlaps(&Interval::new(t(0), t(5))));
        assert!(!a.overlaps(&Interval::new(t(3), t(4))), "touching after");
        assert!(!a.overlaps(&Interval::new(t(0), t(1))), "touching before");
    }

    #[test]
    fn empty_and_inverted_intervals_never_overlap() {
        let a = Interval::new(t(1), t(5));
        assert!(!a.overlaps(&Interval::new(t(2), t(2))));
        assert!(!a.overlaps(&Interval::new(t(4), t(2))));
        assert!(!Interval::new(t(4), t(2)).overlaps(&a));
        assert!(Interval::new(t(4), t(2)).is_empty());
        assert_eq!(Interval::new(t(4), t(2)).duration(), TimeDelta::zero());
    }

    #[test]
    fn contains_start_but_not_finish() {
        let a = Interval::starting_at(t(1), TimeDelta::hours(2));
        assert!(a.contains(t(1)));
        assert!(!a.contains(t(3)));
    }
}
