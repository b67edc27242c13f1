//! Following a connection's sequence numbers, and deciding when something may have been missed.
//!
//! Pure: the time is a parameter. Mattermost numbers each connection's messages from 0 (the `hello`)
//! up; a resumed connection continues the numbering and says no `hello`. So:
//! - a `hello` naming another connection than ours means the resume failed (the server lost our
//!   buffer or restarted): what happened in between is unknown;
//! - a sequence number beyond the next one expected means messages were skipped;
//! - one below it is a replay of something already seen, and is dropped.
//!
//! In both gap cases the caller reconciles, from the last moment we knew we had everything. The first
//! `hello` a listener ever sees is a gap too: nobody listened before it (the bot was down, or another
//! process held the listener and died).

use chrono::{DateTime, TimeDelta, Utc};

use crate::mattermost::websocket::Resume;

/// How far before the last message seen a reconciliation starts: Mattermost's `update_at` is its own
/// clock, and ours may be behind or ahead by a little.
pub const CLOCK_MARGIN: TimeDelta = TimeDelta::seconds(60);

/// What to do with one message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// New and in order: act on it.
    Fresh,
    /// New, but something before it may have been missed: reconcile from `since`, then act on it.
    AfterGap { since: DateTime<Utc> },
    /// Seen already (a replay overlapping what we had): ignore it.
    Duplicate,
}

#[derive(Debug, Clone, Default)]
pub struct Tracker {
    connection_id: Option<String>,
    /// The sequence number of the next message expected.
    next_seq: i64,
    /// When the last in-order message arrived: up to then nothing was missed.
    in_sync_at: Option<DateTime<Utc>>,
}

impl Tracker {
    /// Where to resume, once a connection has said hello.
    pub fn resume(&self) -> Option<Resume> {
        self.connection_id.as_ref().map(|id| Resume {
            connection_id: id.clone(),
            sequence_number: self.next_seq,
        })
    }

    /// The start of a reconciliation after a gap found now.
    fn gap_since(&self) -> DateTime<Utc> {
        self.in_sync_at
            .map_or(DateTime::UNIX_EPOCH, |t| t - CLOCK_MARGIN)
    }

    /// A `hello` (with its sequence number, 0 on a real server) arrived at `now`.
    pub fn hello(&mut self, connection_id: &str, seq: Option<i64>, now: DateTime<Utc>) -> Verdict {
        let verdict = if self.connection_id.as_deref() == Some(connection_id) {
            Verdict::Fresh
        } else {
            Verdict::AfterGap {
                since: self.gap_since(),
            }
        };
        self.connection_id = Some(connection_id.to_string());
        self.next_seq = seq.map_or(0, |s| s + 1);
        self.in_sync_at = Some(now);
        verdict
    }

    /// Any other event, with its sequence number (`None`: unnumbered, taken as in order).
    pub fn event(&mut self, seq: Option<i64>, now: DateTime<Utc>) -> Verdict {
        let Some(seq) = seq else {
            self.in_sync_at = Some(now);
            return Verdict::Fresh;
        };
        if seq < self.next_seq {
            return Verdict::Duplicate;
        }
        let verdict = if seq == self.next_seq {
            Verdict::Fresh
        } else {
            Verdict::AfterGap {
                since: self.gap_since(),
            }
        };
        self.next_seq = seq + 1;
        self.in_sync_at = Some(now);
        verdict
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(secs: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(1_800_000_000 + secs, 0).unwrap()
    }

    #[test]
    fn the_first_hello_is_a_gap_from_the_beginning_of_time() {
        let mut t = Tracker::default();
        assert_eq!(t.resume(), None);
        assert_eq!(
            t.hello("c1", Some(0), at(0)),
            Verdict::AfterGap {
                since: DateTime::UNIX_EPOCH
            }
        );
        assert_eq!(
            t.resume(),
            Some(Resume {
                connection_id: "c1".into(),
                sequence_number: 1
            })
        );
    }

    #[test]
    fn events_in_order_are_fresh_and_move_the_resume_point() {
        let mut t = Tracker::default();
        t.hello("c1", Some(0), at(0));
        assert_eq!(t.event(Some(1), at(1)), Verdict::Fresh);
        assert_eq!(t.event(Some(2), at(2)), Verdict::Fresh);
        assert_eq!(t.resume().unwrap().sequence_number, 3);
    }

    #[test]
    fn a_replayed_event_is_a_duplicate() {
        let mut t = Tracker::default();
        t.hello("c1", Some(0), at(0));
        t.event(Some(1), at(1));
        assert_eq!(t.event(Some(1), at(2)), Verdict::Duplicate);
        assert_eq!(t.resume().unwrap().sequence_number, 2);
    }

    #[test]
    fn a_skipped_sequence_number_reconciles_from_the_last_message_in_order() {
        let mut t = Tracker::default();
        t.hello("c1", Some(0), at(0));
        t.event(Some(1), at(10));
        assert_eq!(
            t.event(Some(5), at(20)),
            Verdict::AfterGap {
                since: at(10) - CLOCK_MARGIN
            }
        );
        assert_eq!(t.event(Some(6), at(21)), Verdict::Fresh);
    }

    #[test]
    fn a_hello_of_another_connection_means_the_resume_failed() {
        let mut t = Tracker::default();
        t.hello("c1", Some(0), at(0));
        t.event(Some(1), at(30));
        assert_eq!(
            t.hello("c2", Some(0), at(100)),
            Verdict::AfterGap {
                since: at(30) - CLOCK_MARGIN
            }
        );
        assert_eq!(
            t.resume(),
            Some(Resume {
                connection_id: "c2".into(),
                sequence_number: 1
            })
        );
    }
}
