//! `/lotto task swap|override`: trading a place on a task, and an owner's cover for someone.
//!
//! ```text
//! task swap <task> [@with...]
//! task override <task> @from @to [--start T --finish T] [-f/--force]
//! ```

use super::Command;
use super::args::Args;
use super::datetime::DateTimeArg;
use super::error::{ParseError, ParseErrorKind};
use super::spec::{FlagSpec, Leaf, Node};
use super::task::TaskCommand;

pub const SWAP: Node = Node::Leaf(Leaf {
    name: "swap",
    args: "<task> [@user...]",
    summary: "Ask others to take your place on a task; the first to accept takes it.",
    details: "The people named (or, without names, everyone in the rotation who could take your place) get a DM with Accept and Decline buttons. The request ends when the task starts.",
    flags: &[],
    build: |a| {
        let task = a.task()?;
        let with = a.mentions();
        Ok(Command::Task(TaskCommand::Swap { task, with }))
    },
});

pub const OVERRIDE: Node = Node::Leaf(Leaf {
    name: "override",
    args: "<task> @from @to",
    summary: "Have someone serve instead of someone else on a task, for all of it or part (owners).",
    details: "Without `--start` and `--finish`, for the whole task. Refused when it would break the task's needs or limits, unless `--force`.",
    flags: &[
        FlagSpec::value(
            "start",
            "<datetime>",
            "When the cover begins (default: the task's start).",
        ),
        FlagSpec::value(
            "finish",
            "<datetime>",
            "When the cover ends (default: the task's end).",
        ),
        FlagSpec::switch(
            "force",
            "Override even if it breaks the task's needs or limits.",
        )
        .short('f'),
    ],
    build: |a| {
        let task = a.task()?;
        let users = a.mentions();
        let (from, to) = match users.as_slice() {
            [from, to] => (from.clone(), to.clone()),
            [] | [_] => {
                return Err(missing(
                    a,
                    &format!("/lotto task override {task} @ann @bob"),
                ));
            }
            [_, _, third, ..] => {
                return Err(a.error(ParseErrorKind::UnexpectedArgument {
                    token: format!("@{third}"),
                    command: a.command(),
                    suggestion: None,
                }));
            }
        };
        let start = a.datetime("start")?;
        let finish = a.datetime("finish")?;
        Ok(Command::Task(TaskCommand::Override {
            task,
            from,
            to,
            start,
            finish,
            force: a.on("force"),
        }))
    },
});

fn missing(a: &Args, example: &str) -> ParseError {
    a.error(ParseErrorKind::MissingArgument {
        command: a.command(),
        what: "two users: `@from` (on the task) and `@to` (who serves instead)".into(),
        example: example.into(),
    })
}

/// The canonical text of `--start`/`--finish`, when given.
pub fn range_input(start: &Option<DateTimeArg>, finish: &Option<DateTimeArg>) -> String {
    let mut s = String::new();
    if let Some(t) = start {
        s.push_str(&format!(" --start {t}"));
    }
    if let Some(t) = finish {
        s.push_str(&format!(" --finish {t}"));
    }
    s
}

#[cfg(test)]
mod tests {
    use super::super::{Command, TaskRef, UserRef, parse};
    use super::*;

    fn task(text: &str) -> TaskCommand {
        match parse(text).unwrap().command {
            Command::Task(t) => t,
            other => panic!("{text}: {other:?}"),
        }
    }

    #[test]
    fn swap_takes_a_task_and_optional_people() {
        let ice3 = TaskRef::parse("ICE#3").unwrap();
        assert_eq!(
            task("task swap ICE#3"),
            TaskCommand::Swap {
                task: ice3.clone(),
                with: vec![]
            }
        );
        assert_eq!(
            task("task swap ICE#3 @bob @cat"),
            TaskCommand::Swap {
                task: ice3,
                with: vec![
                    UserRef::parse("bob").unwrap(),
                    UserRef::parse("cat").unwrap()
                ]
            }
        );
        assert!(parse("task swap").is_err());
    }

    #[test]
    fn override_takes_exactly_two_people_and_an_optional_range() {
        let TaskCommand::Override {
            from,
            to,
            start,
            finish,
            force,
            ..
        } = task(
            "task override ICE#3 @ann @bob --start 2030-03-04T10:00 --finish 2030-03-04T14:00 -f",
        )
        else {
            panic!()
        };
        assert_eq!((from.as_str(), to.as_str()), ("ann", "bob"));
        assert!(start.is_some() && finish.is_some() && force);
        let c = task("task override ICE#3 @ann @bob");
        assert_eq!(parse(&c.to_input()).unwrap().command, Command::Task(c));
        assert!(parse("task override ICE#3 @ann").is_err());
        assert!(parse("task override ICE#3 @ann @bob @cat").is_err());
    }
}
