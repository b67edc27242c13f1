//! `/lotto rotation history` and `/lotto task history`: the audit log of a rotation or a task.
//!
//! ```text
//! rotation history <rot> [--since T]
//! task history <task> [--since T]
//! ```
//! Both are one command, [`HistoryCommand`], whose leaves sit in the `rotation` and `task` groups.

use super::Command;
use super::datetime::DateTimeArg;
use super::spec::{FlagSpec, Leaf, Node, ROTATION_FLAG};
use super::values::{RotationName, TaskRef};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HistoryCommand {
    Rotation {
        rotation: RotationName,
        since: Option<DateTimeArg>,
    },
    Task {
        task: TaskRef,
        since: Option<DateTimeArg>,
    },
}

const SINCE: FlagSpec = FlagSpec::value(
    "since",
    "<datetime>",
    "Only changes from then on (`2026-03-01`, `2026-03-01 09:00`, `today`). Default: all that are kept.",
);

pub const ROTATION: Node = Node::Leaf(Leaf {
    name: "history",
    args: "<rotation>",
    summary: "Who changed what in a rotation and its tasks, newest last.",
    details: "Shows the latest 50 changes: settings, members, skills, tasks, fills, assignments, swaps, overrides and the autopilot's steps. Narrow it with `--since`.",
    flags: &[ROTATION_FLAG, SINCE],
    build: |a| {
        let rotation = a.rotation()?;
        let since = a.datetime("since")?;
        Ok(Command::History(HistoryCommand::Rotation {
            rotation,
            since,
        }))
    },
});

pub const TASK: Node = Node::Leaf(Leaf {
    name: "history",
    args: "<task>",
    summary: "Who changed what in a task, newest last.",
    details: "Shows the latest 50 changes; narrow it with `--since`.",
    flags: &[SINCE],
    build: |a| {
        let task = a.task()?;
        let since = a.datetime("since")?;
        Ok(Command::History(HistoryCommand::Task { task, since }))
    },
});

impl HistoryCommand {
    /// The canonical command text (without `/lotto `), which parses back to this command.
    pub fn to_input(&self) -> String {
        let since = |s: &Option<DateTimeArg>| match s {
            Some(t) => format!(" --since {}", super::rotation::q(&t.to_string())),
            None => String::new(),
        };
        match self {
            HistoryCommand::Rotation { rotation, since: s } => {
                format!("rotation history {rotation}{}", since(s))
            }
            HistoryCommand::Task { task, since: s } => format!("task history {task}{}", since(s)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::parse;
    use super::*;

    fn history(text: &str) -> HistoryCommand {
        match parse(text).map(|i| i.command) {
            Ok(Command::History(h)) => h,
            other => panic!("{text}: {other:?}"),
        }
    }

    #[test]
    fn rotation_and_task_history_parse_and_print_back() {
        for text in [
            "rotation history ICE",
            "rotation history ICE --since 2026-03-01",
            "task history ICE#3",
            "task history ICE#3 --since today",
        ] {
            let h = history(text);
            assert_eq!(history(&h.to_input()), h, "{text}");
        }
        assert!(matches!(
            history("rotation history -r ICE --since \"2026-03-01 09:00\""),
            HistoryCommand::Rotation { since: Some(_), .. }
        ));
    }

    #[test]
    fn a_bad_since_or_a_missing_target_is_refused() {
        let err = parse("rotation history ICE --since yesterday-ish").unwrap_err();
        assert!(err.to_string().contains("since"), "{err}");
        assert!(parse("task history ICE").is_err());
        assert!(parse("rotation history").is_err());
    }
}
