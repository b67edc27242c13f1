//! What serving on a task records for each of its users (upstream §2.6 and §3.8), so the fill, the
//! transitions and manual assigns all write the same thing.
//!
//! - A task occupies `[actual start, actual finish)` once finished, `[actual start, + expected
//!   duration)` once started, and `[expected start, + expected duration)` before that.
//! - Each user's `last_served` in the rotation becomes the end of that interval, and their
//!   unavailability for this task is replaced by the task itself plus, when the rotation has a
//!   grace period, the grace after it. Re-run it after every transition: the interval moves when a
//!   task starts late or finishes early, and the records follow.

use chrono::{DateTime, TimeDelta, Utc};

use super::ids::{RotationId, TaskId};
use super::interval::Interval;
use super::unavailability::{Reason, Unavailability};

/// The interval a task occupies, from its expected and actual times.
pub fn task_interval(
    expected_start: DateTime<Utc>,
    expected_duration: TimeDelta,
    actual_start: Option<DateTime<Utc>>,
    actual_finish: Option<DateTime<Utc>>,
) -> Interval {
    match (actual_start, actual_finish) {
        (Some(start), Some(finish)) => Interval::new(start, finish),
        (Some(start), None) => Interval::starting_at(start, expected_duration),
        (None, _) => Interval::starting_at(expected_start, expected_duration),
    }
}

/// What one user's record looks like after serving on a task.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceRecord {
    pub last_served: DateTime<Utc>,
    /// Replaces every earlier entry of this task in the user's unavailability.
    pub unavailable: Vec<Unavailability>,
}

/// The record for serving on `task` during `interval`, followed by `grace` (zero for none).
/// `None` for an empty interval, which records nothing, as upstream.
pub fn service_record(
    rotation: RotationId,
    task: TaskId,
    interval: Interval,
    grace: TimeDelta,
) -> Option<ServiceRecord> {
    if interval.is_empty() {
        return None;
    }
    let mut unavailable = vec![Unavailability::new(
        interval,
        Reason::Task { rotation, task },
    )];
    if grace > TimeDelta::zero() {
        unavailable.push(Unavailability::new(
            Interval::starting_at(interval.finish, grace),
            Reason::Grace { rotation, task },
        ));
    }
    Some(ServiceRecord {
        last_served: interval.finish,
        unavailable,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn utc(m: u32, d: u32, h: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2020, m, d, h, 0, 0).unwrap()
    }

    /// Upstream `task_transition_test.go`: weekly from 2020-03-01 PST, grace 201h.
    #[test]
    fn records_follow_the_task_through_fill_start_and_finish() {
        let (rot, task, grace) = (RotationId(1), TaskId(1), TimeDelta::hours(201));
        let week = TimeDelta::weeks(1);
        let expect = |interval: Interval, grace_until: DateTime<Utc>| ServiceRecord {
            last_served: interval.finish,
            unavailable: vec![
                Unavailability::new(
                    interval,
                    Reason::Task {
                        rotation: rot,
                        task,
                    },
                ),
                Unavailability::new(
                    Interval::new(interval.finish, grace_until),
                    Reason::Grace {
                        rotation: rot,
                        task,
                    },
                ),
            ],
        };
        // Filled (and scheduled): the expected interval.
        let i = task_interval(utc(3, 1, 8), week, None, None);
        assert_eq!(i, Interval::new(utc(3, 1, 8), utc(3, 8, 8)));
        assert_eq!(
            service_record(rot, task, i, grace),
            Some(expect(i, utc(3, 16, 17)))
        );
        // Started late, on 04-01 (07:00 UTC): a week from the actual start.
        let i = task_interval(utc(3, 1, 8), week, Some(utc(4, 1, 7)), None);
        assert_eq!(i, Interval::new(utc(4, 1, 7), utc(4, 8, 7)));
        assert_eq!(
            service_record(rot, task, i, grace),
            Some(expect(i, utc(4, 16, 16)))
        );
        // Finished on 04-19.
        let i = task_interval(utc(3, 1, 8), week, Some(utc(4, 1, 7)), Some(utc(4, 19, 7)));
        assert_eq!(
            service_record(rot, task, i, grace),
            Some(expect(i, utc(4, 27, 16)))
        );
    }

    #[test]
    fn no_grace_means_only_the_task_and_an_empty_interval_records_nothing() {
        let i = Interval::new(utc(3, 1, 8), utc(3, 2, 8));
        let r = service_record(RotationId(1), TaskId(2), i, TimeDelta::zero()).unwrap();
        assert_eq!(r.unavailable.len(), 1);
        let empty = Interval::new(utc(3, 1, 8), utc(3, 1, 8));
        assert_eq!(
            service_record(RotationId(1), TaskId(2), empty, TimeDelta::hours(1)),
            None
        );
    }
}
