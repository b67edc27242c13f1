//! `/lotto task …`: create, fill, assign and move shifts and tickets through their states.
//!
//! ```text
//! task new shift <rot> [-n/--number N]        task new ticket <rot> [--summary "S"]
//! task assign|unassign <task> @user... [-f/--force]
//! task fill|start|finish|show <task>          task schedule <task> [-f/--force]
//! task list <rot> [--all]
//! ```
//! A task is written `ICE#3`: the rotation, `#`, the task's number.

use super::Command;
use super::args::Args;
use super::datetime::DateTimeArg;
use super::error::ParseError;
use super::rotation::{mentions, q};
use super::spec::{FlagSpec, Group, Leaf, Node, ROTATION_FLAG};
use super::task_swap;
use super::values::{MAX_TASK_NUMBER, RotationName, Summary, TaskRef, UserRef};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TaskCommand {
    /// `number: None` lets the service pick the next shift not yet created.
    NewShift {
        rotation: RotationName,
        number: Option<i64>,
    },
    NewTicket {
        rotation: RotationName,
        summary: Option<Summary>,
    },
    /// `users` is never empty.
    Assign {
        task: TaskRef,
        users: Vec<UserRef>,
        force: bool,
    },
    /// `users` is never empty.
    Unassign {
        task: TaskRef,
        users: Vec<UserRef>,
        force: bool,
    },
    Fill(TaskRef),
    Schedule {
        task: TaskRef,
        force: bool,
    },
    Start(TaskRef),
    Finish(TaskRef),
    Show(TaskRef),
    /// Upcoming and active tasks; with `all`, finished ones too.
    List {
        rotation: RotationName,
        all: bool,
    },
    /// Ask `with` (or, when empty, everyone who could) to take the caller's place.
    Swap {
        task: TaskRef,
        with: Vec<UserRef>,
    },
    /// `to` serves instead of `from`, for the whole task or `start`…`finish`.
    Override {
        task: TaskRef,
        from: UserRef,
        to: UserRef,
        start: Option<DateTimeArg>,
        finish: Option<DateTimeArg>,
        force: bool,
    },
}

const FORCE: FlagSpec = FlagSpec::switch(
    "force",
    "Skip the checks of the task's state and the rotation's limits.",
)
.short('f');

pub const GROUP: Node = Node::Group(Group {
    name: "task",
    summary: "Create, fill, assign, start and finish shifts and tickets.",
    children: &[
        NEW,
        ASSIGN,
        UNASSIGN,
        FILL,
        SCHEDULE,
        START,
        FINISH,
        SHOW,
        LIST,
        task_swap::SWAP,
        task_swap::OVERRIDE,
        super::history::TASK,
    ],
});

const NEW: Node = Node::Group(Group {
    name: "new",
    summary: "Create a shift or a ticket.",
    children: &[NEW_SHIFT, NEW_TICKET],
});

const NEW_SHIFT: Node = Node::Leaf(Leaf {
    name: "shift",
    args: "<rotation>",
    summary: "Create a shift (pending until scheduled).",
    details: "Without `--number`, the next shift not yet created.",
    flags: &[
        ROTATION_FLAG,
        FlagSpec::value(
            "number",
            "<number>",
            "Which shift: 0 is the one starting at the rotation's beginning.",
        )
        .short('n'),
    ],
    build: |a| {
        let rotation = a.rotation()?;
        let number = a.number("number", 0, MAX_TASK_NUMBER)?;
        Ok(Command::Task(TaskCommand::NewShift { rotation, number }))
    },
});

const NEW_TICKET: Node = Node::Leaf(Leaf {
    name: "ticket",
    args: "<rotation>",
    summary: "Create a ticket (pending until scheduled), starting now.",
    details: "",
    flags: &[
        ROTATION_FLAG,
        FlagSpec::value(
            "summary",
            "<text>",
            "What it is about, up to 200 characters; quote it: `--summary \"disk full\"`.",
        ),
    ],
    build: |a| {
        let rotation = a.rotation()?;
        let summary = a.value("summary", Summary::parse)?;
        Ok(Command::Task(TaskCommand::NewTicket { rotation, summary }))
    },
});

const ASSIGN: Node = Node::Leaf(Leaf {
    name: "assign",
    args: "<task> @user...",
    summary: "Put people on a task yourself.",
    details: "",
    flags: &[FORCE],
    build: |a| {
        let (task, users, force) = people(a, "assign")?;
        Ok(Command::Task(TaskCommand::Assign { task, users, force }))
    },
});

const UNASSIGN: Node = Node::Leaf(Leaf {
    name: "unassign",
    args: "<task> @user...",
    summary: "Take people off a task.",
    details: "",
    flags: &[FORCE],
    build: |a| {
        let (task, users, force) = people(a, "unassign")?;
        Ok(Command::Task(TaskCommand::Unassign { task, users, force }))
    },
});

fn people(a: &mut Args, verb: &str) -> Result<(TaskRef, Vec<UserRef>, bool), ParseError> {
    let task = a.task()?;
    let users = a.required_mentions(
        "at least one `@user`",
        &format!("/lotto task {verb} {task} @alice"),
    )?;
    Ok((task, users, a.on("force")))
}

/// A leaf that takes only the task.
macro_rules! task_leaf {
    ($name:literal, $summary:literal, $variant:ident) => {
        Node::Leaf(Leaf {
            name: $name,
            args: "<task>",
            summary: $summary,
            details: "",
            flags: &[],
            build: |a| Ok(Command::Task(TaskCommand::$variant(a.task()?))),
        })
    };
}

const FILL: Node = task_leaf!(
    "fill",
    "Pick people for a task by solar lottery, meeting its needs.",
    Fill
);
const START: Node = task_leaf!("start", "Start a scheduled task.", Start);
const FINISH: Node = task_leaf!("finish", "Finish a started task.", Finish);
const SHOW: Node = task_leaf!("show", "Show a task: state, times, people and needs.", Show);

const SCHEDULE: Node = Node::Leaf(Leaf {
    name: "schedule",
    args: "<task>",
    summary: "Schedule a filled task: its people are notified and blocked for that time.",
    details: "",
    flags: &[FORCE],
    build: |a| {
        let task = a.task()?;
        Ok(Command::Task(TaskCommand::Schedule {
            task,
            force: a.on("force"),
        }))
    },
});

const LIST: Node = Node::Leaf(Leaf {
    name: "list",
    args: "<rotation>",
    summary: "List a rotation's upcoming and active tasks.",
    details: "",
    flags: &[
        ROTATION_FLAG,
        FlagSpec::switch("all", "Include finished tasks."),
    ],
    build: |a| {
        let rotation = a.rotation()?;
        Ok(Command::Task(TaskCommand::List {
            rotation,
            all: a.on("all"),
        }))
    },
});

impl TaskCommand {
    /// The canonical command text (without `/lotto `), which parses back to this command.
    pub fn to_input(&self) -> String {
        use TaskCommand as T;
        let force = |f: &bool| if *f { " --force" } else { "" };
        match self {
            T::NewShift {
                rotation,
                number: None,
            } => format!("task new shift {rotation}"),
            T::NewShift {
                rotation,
                number: Some(n),
            } => format!("task new shift {rotation} --number {n}"),
            T::NewTicket {
                rotation,
                summary: None,
            } => format!("task new ticket {rotation}"),
            T::NewTicket {
                rotation,
                summary: Some(s),
            } => {
                format!("task new ticket {rotation} --summary {}", q(s.as_str()))
            }
            T::Assign {
                task,
                users,
                force: f,
            } => format!("task assign {task} {}{}", mentions(users), force(f)),
            T::Unassign {
                task,
                users,
                force: f,
            } => {
                format!("task unassign {task} {}{}", mentions(users), force(f))
            }
            T::Fill(t) => format!("task fill {t}"),
            T::Schedule { task, force: f } => format!("task schedule {task}{}", force(f)),
            T::Start(t) => format!("task start {t}"),
            T::Finish(t) => format!("task finish {t}"),
            T::Show(t) => format!("task show {t}"),
            T::List { rotation, all } => {
                format!("task list {rotation}{}", if *all { " --all" } else { "" })
            }
            T::Swap { task, with } if with.is_empty() => format!("task swap {task}"),
            T::Swap { task, with } => format!("task swap {task} {}", mentions(with)),
            T::Override {
                task,
                from,
                to,
                start,
                finish,
                force: f,
            } => format!(
                "task override {task} @{from} @{to}{}{}",
                task_swap::range_input(start, finish),
                force(f)
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::{Command, ParseErrorKind, parse};
    use super::*;

    fn task(text: &str) -> TaskCommand {
        match parse(text).unwrap().command {
            Command::Task(t) => t,
            other => panic!("{text}: {other:?}"),
        }
    }

    fn ice3() -> TaskRef {
        TaskRef::parse("ICE#3").unwrap()
    }

    #[test]
    fn new_shift_number_is_optional() {
        let ice = RotationName::parse("ICE").unwrap();
        assert_eq!(
            task("task new shift ICE"),
            TaskCommand::NewShift {
                rotation: ice.clone(),
                number: None
            }
        );
        assert_eq!(
            task("task new shift -n 4 ICE"),
            TaskCommand::NewShift {
                rotation: ice,
                number: Some(4)
            }
        );
        assert!(parse("task new shift ICE -n -1").is_err());
    }

    #[test]
    fn new_ticket_summary_keeps_quoted_spaces() {
        let TaskCommand::NewTicket { summary, .. } =
            task(r#"task new ticket ICE --summary "disk full on \"db-2\"""#)
        else {
            panic!()
        };
        assert_eq!(summary.unwrap().as_str(), r#"disk full on "db-2""#);
        let TaskCommand::NewTicket { summary, .. } =
            task("task new ticket ICE --summary=“smart quotes”")
        else {
            panic!()
        };
        assert_eq!(summary.unwrap().as_str(), "smart quotes");
        let err = parse(&format!(
            "task new ticket ICE --summary \"{}\"",
            "x".repeat(201)
        ))
        .unwrap_err();
        assert!(err.to_string().contains("200"), "{err}");
        // Unquoted, the second word is a stray argument, named in the error.
        let err = parse("task new ticket ICE --summary disk full").unwrap_err();
        assert!(
            matches!(err.kind(), ParseErrorKind::UnexpectedArgument { token, .. } if token == "full")
        );
    }

    #[test]
    fn assign_needs_a_task_and_people() {
        assert_eq!(
            task("task assign ICE#3 @alice -f"),
            TaskCommand::Assign {
                task: ice3(),
                users: vec![UserRef::parse("alice").unwrap()],
                force: true
            }
        );
        assert!(matches!(
            task("task unassign @bob ICE#3"),
            TaskCommand::Unassign { force: false, .. }
        ));
        assert!(parse("task assign ICE#3").is_err());
        let err = parse("task assign ICE @bob").unwrap_err();
        assert!(err.to_string().contains("`ICE`"), "{err}");
    }

    #[test]
    fn state_changes_take_one_task() {
        assert_eq!(task("task fill ICE#3"), TaskCommand::Fill(ice3()));
        assert_eq!(task("task start ICE#3"), TaskCommand::Start(ice3()));
        assert_eq!(task("task finish ICE#3"), TaskCommand::Finish(ice3()));
        assert_eq!(task("task show ICE#3"), TaskCommand::Show(ice3()));
        assert_eq!(
            task("task schedule ICE#3 --force"),
            TaskCommand::Schedule {
                task: ice3(),
                force: true
            }
        );
        assert!(parse("task start ICE#3 ICE#4").is_err());
        assert!(parse("task start").is_err());
        assert!(parse("task start ICE#3 --force").is_err());
    }

    #[test]
    fn list_shows_finished_only_with_all() {
        assert!(matches!(
            task("task list ICE"),
            TaskCommand::List { all: false, .. }
        ));
        assert!(matches!(
            task("task list -r ICE --all"),
            TaskCommand::List { all: true, .. }
        ));
    }
}
