//! When each step acts: pure checks on a task, the rotation's settings and `now`. The batched query
//! (`store::autopilot::autopilot_candidates`) mirrors these to find candidates; these decide, again inside
//! each task's transaction, so a task changed meanwhile (by a command, or another run) is left alone.

use chrono::{DateTime, Utc};

use crate::lottery::{AutopilotSettings, TaskState};
use crate::service::TaskOps;
use crate::store::rotations::Rotation;
use crate::store::tasks::Task;

/// The autopilot's steps, in the order a run takes them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    RemindFinish,
    Finish,
    Create,
    FillSchedule,
    RemindStart,
    Start,
}

impl Step {
    pub const ALL: [Step; 6] = [
        Step::RemindFinish,
        Step::Finish,
        Step::Create,
        Step::FillSchedule,
        Step::RemindStart,
        Step::Start,
    ];

    /// How the step is named in the `rotation autopilot` report.
    pub fn name(self) -> &'static str {
        match self {
            Step::RemindFinish => "finish reminder",
            Step::Finish => "finish",
            Step::Create => "create shifts",
            Step::FillSchedule => "fill and schedule",
            Step::RemindStart => "start reminder",
            Step::Start => "start",
        }
    }

    /// What the report says the step did to the tasks it lists.
    pub fn verb(self) -> &'static str {
        match self {
            Step::RemindFinish | Step::RemindStart => "reminded",
            Step::Finish => "finished",
            Step::Create => "created",
            Step::FillSchedule => "scheduled",
            Step::Start => "started",
        }
    }

    pub fn enabled(self, a: &AutopilotSettings) -> bool {
        match self {
            Step::RemindFinish => a.remind_finish,
            Step::Finish | Step::Start => a.start_finish,
            Step::Create => a.create,
            Step::FillSchedule => a.schedule,
            Step::RemindStart => a.remind_start,
        }
    }
}

/// Whether `step` acts on task `t` at `now` (never for `Create`, which acts on shifts not yet made).
pub fn is_due(step: Step, a: &AutopilotSettings, t: &Task, now: DateTime<Utc>) -> bool {
    if !step.enabled(a) {
        return false;
    }
    let start = t.times.expected_start;
    let finish = t.times.finish();
    match step {
        // Only before the end: a task already over is finished, not reminded.
        Step::RemindFinish => {
            t.state == TaskState::Started
                && !t.reminded_finish
                && now >= finish - a.remind_finish_prior
                && now < finish
        }
        Step::Finish => t.state == TaskState::Started && finish <= now,
        Step::Create => false,
        Step::FillSchedule => t.state == TaskState::Pending && now >= start - a.schedule_prior,
        // Only before the start: a task that starts now is started, not reminded.
        Step::RemindStart => {
            t.state == TaskState::Scheduled
                && !t.reminded_start
                && now >= start - a.remind_start_prior
                && now < start
        }
        Step::Start => t.state == TaskState::Scheduled && start <= now,
    }
}

/// Most shifts one run creates for a rotation (guards against a huge create-ahead setting).
pub const MAX_CREATE_PER_RUN: i64 = 200;

/// The shift numbers the create step considers at `now`: from the one whose period contains `now`
/// (0 before the beginning) up to the last starting before `now + create_prior`. A shift that is
/// already over (its duration shorter than the period) is skipped: creating it would only make work.
/// Returns `[from, to)`; numbers in it may exist already.
pub fn shift_range(r: &Rotation, now: DateTime<Utc>) -> (i64, i64) {
    let from = r
        .period
        .shift_number_at(r.beginning, r.tz, now)
        .unwrap_or(0)
        .max(0);
    let horizon = now + r.autopilot.create_prior;
    let mut to = from;
    while to - from < MAX_CREATE_PER_RUN {
        match r.period.try_shift_start(r.beginning, r.tz, to) {
            Ok(start) if start < horizon => to += 1,
            _ => break,
        }
    }
    (from, to)
}

/// Whether shift `n` should be created at `now` (it has not ended yet).
pub fn shift_still_ahead(r: &Rotation, n: i64, now: DateTime<Utc>) -> bool {
    match TaskOps::shift_times(r, n) {
        Ok((start, duration)) => start + duration > now,
        Err(_) => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lottery::{Period, RotationId, TaskId, TaskTimes, TaskType, UserId};
    use chrono::TimeDelta;

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().to_utc()
    }

    use crate::service::autopilot::candidates_tests::settings;

    fn task(state: TaskState, start: &str) -> Task {
        Task {
            id: TaskId(1),
            rotation_id: RotationId(1),
            number: 0,
            kind: TaskType::Shift,
            state,
            times: TaskTimes {
                expected_start: at(start),
                expected_duration: TimeDelta::weeks(1),
                actual_start: None,
                actual_finish: None,
            },
            grace: TimeDelta::zero(),
            summary: None,
            reminded_start: false,
            reminded_finish: false,
            created_at: at("2030-01-01T00:00:00Z"),
        }
    }

    fn rotation() -> Rotation {
        Rotation {
            id: RotationId(1),
            name: "ICE".into(),
            tz: chrono_tz::Europe::Berlin,
            task_type: TaskType::Shift,
            period: Period::Weekly,
            beginning: at("2030-03-04T08:00:00Z"),
            seed: 1,
            fuzz: 0,
            task_duration: TimeDelta::zero(),
            grace: TimeDelta::zero(),
            ticket_seq: 0,
            autopilot: settings(),
            holidays: crate::lottery::HolidayPolicy::Skip,
            archived_at: None,
            created_by: UserId::new("u"),
            created_at: at("2030-01-01T00:00:00Z"),
        }
    }

    #[test]
    fn reminders_fire_inside_their_window_only() {
        let a = settings();
        let t = task(TaskState::Scheduled, "2030-03-04T08:00:00Z");
        assert!(!is_due(
            Step::RemindStart,
            &a,
            &t,
            at("2030-03-03T07:59:59Z")
        ));
        assert!(is_due(
            Step::RemindStart,
            &a,
            &t,
            at("2030-03-03T08:00:00Z")
        ));
        assert!(!is_due(
            Step::RemindStart,
            &a,
            &t,
            at("2030-03-04T08:00:00Z")
        ));
        assert!(is_due(Step::Start, &a, &t, at("2030-03-04T08:00:00Z")));
        let reminded = Task {
            reminded_start: true,
            ..t.clone()
        };
        assert!(!is_due(
            Step::RemindStart,
            &a,
            &reminded,
            at("2030-03-03T09:00:00Z")
        ));
        let off = AutopilotSettings {
            remind_start: false,
            ..a
        };
        assert!(!is_due(
            Step::RemindStart,
            &off,
            &t,
            at("2030-03-03T09:00:00Z")
        ));
    }

    #[test]
    fn started_tasks_are_reminded_then_finished_at_their_actual_end() {
        let a = settings();
        let mut t = task(TaskState::Started, "2030-03-04T08:00:00Z");
        t.times.actual_start = Some(at("2030-03-04T10:00:00Z"));
        assert!(!is_due(
            Step::RemindFinish,
            &a,
            &t,
            at("2030-03-10T09:59:59Z")
        ));
        assert!(is_due(
            Step::RemindFinish,
            &a,
            &t,
            at("2030-03-10T10:00:00Z")
        ));
        assert!(!is_due(Step::Finish, &a, &t, at("2030-03-11T09:59:59Z")));
        assert!(is_due(Step::Finish, &a, &t, at("2030-03-11T10:00:00Z")));
        assert!(!is_due(
            Step::RemindFinish,
            &a,
            &t,
            at("2030-03-11T10:00:00Z")
        ));
    }

    #[test]
    fn pending_tasks_are_filled_from_the_schedule_window_on() {
        let a = settings();
        let t = task(TaskState::Pending, "2030-03-11T08:00:00Z");
        assert!(!is_due(
            Step::FillSchedule,
            &a,
            &t,
            at("2030-03-06T07:59:00Z")
        ));
        assert!(is_due(
            Step::FillSchedule,
            &a,
            &t,
            at("2030-03-06T08:00:00Z")
        ));
        // Late is still due: a task past its start is filled rather than forgotten.
        assert!(is_due(
            Step::FillSchedule,
            &a,
            &t,
            at("2030-03-12T08:00:00Z")
        ));
    }

    #[test]
    fn the_create_range_runs_from_the_current_shift_to_the_horizon() {
        let r = rotation();
        // Before the beginning: shifts 0.. that start within three weeks.
        assert_eq!(shift_range(&r, at("2030-02-28T00:00:00Z")), (0, 3));
        // Inside shift 1: from 1, up to the shifts starting before now + 3w (shift 4 starts on
        // 2030-04-01 07:00 UTC, 09:00 in Berlin's summer time, before the horizon of 04-02 00:00).
        assert_eq!(shift_range(&r, at("2030-03-12T00:00:00Z")), (1, 5));
        let none = Rotation {
            autopilot: AutopilotSettings {
                create_prior: TimeDelta::zero(),
                ..settings()
            },
            ..r.clone()
        };
        // With no lead time, only the shift already running.
        assert_eq!(shift_range(&none, at("2030-03-12T00:00:00Z")), (1, 2));
    }

    #[test]
    fn a_shift_that_is_already_over_is_not_created() {
        let r = Rotation {
            task_duration: TimeDelta::hours(8),
            ..rotation()
        };
        assert!(shift_still_ahead(&r, 0, at("2030-03-04T15:59:00Z")));
        assert!(!shift_still_ahead(&r, 0, at("2030-03-04T16:00:00Z")));
    }
}
