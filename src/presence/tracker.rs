//! What the presence job remembers between polls, in memory: since when each person has been
//! offline without a break, and whether this process has a baseline yet. Pure: the job hands it each
//! poll's outcome and the time.
//!
//! The rules (docs/seed-systems.md §B.5): `offline` counts as absent; `away`, `dnd` and anything
//! else as present (busy is still reachable); a failed poll is "unknown", which breaks every streak
//! rather than extending it, so an outage never turns into an alarm; the first good poll after a
//! start (or a failure) is a baseline, from which streaks count.

use std::collections::HashMap;

use chrono::{DateTime, Utc};

use crate::lottery::UserId;

#[derive(Debug, Default)]
pub struct Tracker {
    /// When the current run of good polls began; `None` before the first one and after a failure.
    baseline_at: Option<DateTime<Utc>>,
    /// Since when each person has been seen offline at every poll (absent from the map: present,
    /// or not seen since the baseline).
    offline: HashMap<UserId, DateTime<Utc>>,
    /// How many good polls in a row; announcements wait for the second.
    good_polls: u32,
}

/// Whether a Mattermost status counts as absent.
pub fn is_absent(status: &str) -> bool {
    status == "offline"
}

impl Tracker {
    /// A poll failed: nothing is known now, so no streak goes on and the next good poll is a new
    /// baseline.
    pub fn unknown(&mut self) {
        self.baseline_at = None;
        self.offline.clear();
        self.good_polls = 0;
    }

    /// A good poll at `now`: `statuses` of everyone polled.
    pub fn observe<'a>(
        &mut self,
        now: DateTime<Utc>,
        statuses: impl IntoIterator<Item = (&'a UserId, &'a str)>,
    ) {
        self.baseline_at.get_or_insert(now);
        self.good_polls = self.good_polls.saturating_add(1);
        let mut offline = HashMap::new();
        for (user, status) in statuses {
            if is_absent(status) {
                let since = self.offline.get(user).copied().unwrap_or(now);
                offline.insert(user.clone(), since);
            }
        }
        self.offline = offline;
    }

    /// True once a baseline poll has been followed by another: before that nothing is announced.
    pub fn may_announce(&self) -> bool {
        self.good_polls >= 2
    }

    /// Since when `user` has been offline at every poll, if they are.
    pub fn offline_since(&self, user: &UserId) -> Option<DateTime<Utc>> {
        self.offline.get(user).copied()
    }

    /// Whether `user` was seen present at the last good poll (false when unknown).
    pub fn seen_present(&self, user: &UserId, polled: bool) -> bool {
        self.baseline_at.is_some() && polled && !self.offline.contains_key(user)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{TimeDelta, TimeZone};

    fn t(min: i64) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2030, 3, 4, 9, 0, 0).unwrap() + TimeDelta::minutes(min)
    }

    #[test]
    fn a_streak_counts_from_the_first_offline_poll_and_breaks_on_presence() {
        let ann = UserId::new("ann");
        let mut tr = Tracker::default();
        tr.observe(t(0), [(&ann, "offline")]);
        assert!(!tr.may_announce(), "a baseline announces nothing");
        tr.observe(t(1), [(&ann, "offline")]);
        assert!(tr.may_announce());
        assert_eq!(tr.offline_since(&ann), Some(t(0)));
        tr.observe(t(2), [(&ann, "away")]);
        assert_eq!(tr.offline_since(&ann), None);
        assert!(tr.seen_present(&ann, true));
        tr.observe(t(3), [(&ann, "offline")]);
        assert_eq!(tr.offline_since(&ann), Some(t(3)));
    }

    #[test]
    fn a_failed_poll_breaks_every_streak_and_needs_a_new_baseline() {
        let ann = UserId::new("ann");
        let mut tr = Tracker::default();
        tr.observe(t(0), [(&ann, "offline")]);
        tr.observe(t(1), [(&ann, "offline")]);
        tr.unknown();
        assert_eq!(tr.offline_since(&ann), None);
        assert!(!tr.seen_present(&ann, true), "unknown is not present");
        tr.observe(t(20), [(&ann, "offline")]);
        assert_eq!(tr.offline_since(&ann), Some(t(20)));
        assert!(!tr.may_announce());
    }

    #[test]
    fn away_and_dnd_are_present_but_busy() {
        assert!(!is_absent("away"));
        assert!(!is_absent("dnd"));
        assert!(!is_absent("ooo"));
        assert!(is_absent("offline"));
    }
}
