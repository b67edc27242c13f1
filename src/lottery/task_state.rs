//! The task lifecycle: pending → scheduled → started → finished (upstream §4.3, with its gaps
//! closed).
//!
//! Decisions that differ from upstream:
//! - **Finishing** needs a task that was scheduled or started; upstream let a pending task jump
//!   straight to finished.
//! - **Moving to the current state** is an error that says so, rather than a silent no-op that
//!   still reports success.
//!
//! Who may be put on or taken off a task in each state is in `assign`.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TaskState {
    Pending,
    Scheduled,
    Started,
    Finished,
}

impl TaskState {
    pub const ALL: [TaskState; 4] = [
        TaskState::Pending,
        TaskState::Scheduled,
        TaskState::Started,
        TaskState::Finished,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            TaskState::Pending => "pending",
            TaskState::Scheduled => "scheduled",
            TaskState::Started => "started",
            TaskState::Finished => "finished",
        }
    }

    /// Moves to `to` if the lifecycle allows it; returns the new state.
    pub fn transition(self, to: TaskState) -> Result<TaskState, TransitionError> {
        use TaskState::*;
        match (self, to) {
            (Pending, Scheduled) | (Scheduled, Started) | (Scheduled | Started, Finished) => Ok(to),
            (from, to) if from == to => Err(TransitionError::AlreadyIn(to)),
            (from, to) => Err(TransitionError::NotAllowed { from, to }),
        }
    }
}

impl fmt::Display for TaskState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for TaskState {
    type Err = TransitionError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let t = s.trim();
        TaskState::ALL
            .into_iter()
            .find(|st| t.eq_ignore_ascii_case(st.as_str()))
            .ok_or_else(|| TransitionError::UnknownState(s.to_string()))
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TransitionError {
    #[error("the task is already {0}")]
    AlreadyIn(TaskState),
    #[error("{}", not_allowed(*.from, *.to))]
    NotAllowed { from: TaskState, to: TaskState },
    #[error("`{0}` is not a task state: use pending, scheduled, started or finished")]
    UnknownState(String),
}

fn not_allowed(from: TaskState, to: TaskState) -> String {
    use TaskState::*;
    match (from, to) {
        (Finished, _) => "a finished task can't change any more".to_string(),
        (_, Pending) => format!("a {from} task can't go back to pending"),
        (Pending, Started | Finished) => {
            format!(
                "a pending task can't be {to} yet: schedule it first (`/lotto task schedule <task>`)"
            )
        }
        (Started, Scheduled) => "a started task can't go back to scheduled".to_string(),
        _ => format!("a {from} task can't become {to}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use TaskState::*;

    #[test]
    fn the_lifecycle_moves_forward_only() {
        assert_eq!(Pending.transition(Scheduled), Ok(Scheduled));
        assert_eq!(Scheduled.transition(Started), Ok(Started));
        assert_eq!(Scheduled.transition(Finished), Ok(Finished));
        assert_eq!(Started.transition(Finished), Ok(Finished));
        let allowed = [
            (Pending, Scheduled),
            (Scheduled, Started),
            (Scheduled, Finished),
            (Started, Finished),
        ];
        for from in TaskState::ALL {
            for to in TaskState::ALL {
                let r = from.transition(to);
                if allowed.contains(&(from, to)) {
                    assert_eq!(r, Ok(to));
                } else if from == to {
                    assert_eq!(r, Err(TransitionError::AlreadyIn(to)));
                } else {
                    assert_eq!(r, Err(TransitionError::NotAllowed { from, to }));
                }
            }
        }
    }

    #[test]
    fn illegal_moves_explain_themselves() {
        let e = Pending.transition(Finished).unwrap_err().to_string();
        assert!(e.contains("schedule it first"), "{e}");
        let e = Finished.transition(Started).unwrap_err().to_string();
        assert!(e.contains("finished task can't change"), "{e}");
        let e = Started.transition(Pending).unwrap_err().to_string();
        assert!(e.contains("can't go back to pending"), "{e}");
        assert_eq!(
            Started.transition(Started).unwrap_err().to_string(),
            "the task is already started"
        );
    }

    #[test]
    fn states_parse_render_and_serialise_in_lowercase() {
        for s in TaskState::ALL {
            assert_eq!(s.to_string().parse::<TaskState>(), Ok(s));
            assert_eq!(
                serde_json::to_string(&s).unwrap(),
                format!("\"{}\"", s.as_str())
            );
        }
        assert_eq!("Started".parse::<TaskState>(), Ok(Started));
        assert!("done".parse::<TaskState>().is_err());
    }
}
