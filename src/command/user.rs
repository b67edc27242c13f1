//! `/lotto user …`: membership, skills and unavailability. With no `@user`, the acting user.
//!
//! ```text
//! user join <rot> [@user...] [--starting T]       user leave <rot> [@user...]
//! user qualify [@user...] -s skill-level[,...]    user disqualify [@user...] (-s skill[,...] | --all)
//! user show [@user...]
//! user unavailable [@user...] --start T --finish T
//! user unavailable [@user...] --clear [--start T --finish T]
//! ```

use super::Command;
use super::args::Args;
use super::datetime::DateTimeArg;
use super::error::{ParseError, ParseErrorKind};
use super::spec::{FlagSpec, Group, Leaf, Node, ROTATION_FLAG};
use super::values::{RotationName, Who};
use crate::lottery::{SkillLevel, SkillName, Skills};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UserCommand {
    Join {
        rotation: RotationName,
        who: Who,
        /// When they start counting as waited-for; a future time gives them grace until then.
        starting: Option<DateTimeArg>,
    },
    Leave {
        rotation: RotationName,
        who: Who,
    },
    /// `skills` is never empty; a skill listed twice must have the same level.
    Qualify {
        who: Who,
        skills: Skills,
    },
    Disqualify {
        who: Who,
        skills: DisqualifySkills,
    },
    Show {
        who: Who,
    },
    Unavailable {
        who: Who,
        change: UnavailableChange,
    },
    /// Your own calendar link; `reset` replaces it.
    Ical {
        reset: bool,
    },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DisqualifySkills {
    All,
    /// Never empty.
    These(Vec<SkillName>),
}

/// Adding a personal unavailability, or clearing personal entries. The service checks that `start`
/// is before `finish` once both are resolved in the user's zone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UnavailableChange {
    Add {
        start: DateTimeArg,
        finish: DateTimeArg,
    },
    /// `None`: every personal entry; otherwise those overlapping `(start, finish)`.
    Clear {
        range: Option<(DateTimeArg, DateTimeArg)>,
    },
}

pub const GROUP: Node = Node::Group(Group {
    name: "user",
    summary: "Join and leave rotations; set skills and unavailability.",
    children: &[JOIN, LEAVE, QUALIFY, DISQUALIFY, SHOW, UNAVAILABLE, ICAL],
});

const ICAL: Node = Node::Leaf(Leaf {
    name: "ical",
    args: "",
    summary: "Get a secret calendar link to your shifts in every rotation.",
    details: "Subscribe to it in your calendar app. Anyone with the link sees the feed; `--reset` replaces it and turns the old one off.",
    flags: &[FlagSpec::switch(
        "reset",
        "Replace the link with a new one; the old one stops working.",
    )],
    build: |a| {
        Ok(Command::User(UserCommand::Ical {
            reset: a.on("reset"),
        }))
    },
});

const JOIN: Node = Node::Leaf(Leaf {
    name: "join",
    args: "<rotation> [@user...]",
    summary: "Add people (default: you) to a rotation.",
    details: "",
    flags: &[
        ROTATION_FLAG,
        FlagSpec::value(
            "starting",
            "<datetime>",
            "When they start in the rotation: in the past they are due sooner; in the future the lottery leaves them out of tasks before then. Default: now.",
        ),
    ],
    build: |a| {
        let rotation = a.rotation()?;
        let who = Who::from_mentions(a.mentions());
        let starting = a.datetime("starting")?;
        Ok(Command::User(UserCommand::Join {
            rotation,
            who,
            starting,
        }))
    },
});

const LEAVE: Node = Node::Leaf(Leaf {
    name: "leave",
    args: "<rotation> [@user...]",
    summary: "Remove people (default: you) from a rotation.",
    details: "",
    flags: &[ROTATION_FLAG],
    build: |a| {
        let rotation = a.rotation()?;
        let who = Who::from_mentions(a.mentions());
        Ok(Command::User(UserCommand::Leave { rotation, who }))
    },
});

const QUALIFY: Node = Node::Leaf(Leaf {
    name: "qualify",
    args: "[@user...]",
    summary: "Give people (default: you) skills at levels.",
    details: "A level is 1–4 or beginner, intermediate, advanced, expert; without one, 1. Unknown skills are added to the known skills.",
    flags: &[
        FlagSpec::value("skills", "<skill-level,...>", "E.g. `webapp-2,server`.")
            .short('s')
            .alias("skill")
            .repeatable()
            .required(),
    ],
    build: build_qualify,
});

fn build_qualify(a: &mut Args) -> Result<Command, ParseError> {
    let who = Who::from_mentions(a.mentions());
    let levels = a.skill_levels("skills")?;
    if levels.is_empty() {
        return Err(missing_skills(a, "/lotto user qualify -s webapp-2,server"));
    }
    let mut skills = Skills::new();
    for sl in levels {
        let SkillLevel::Skill { skill, level } = sl else {
            return Err(a.bad_value("`--skills`", "`any` is not a skill one can be qualified in"));
        };
        if let Some(previous) = skills.insert(skill.clone(), level)
            && previous != level
        {
            return Err(a.bad_value(
                "`--skills`",
                format!(
                    "`{skill}` is given with two levels, {} and {}; give it once",
                    previous.value(),
                    level.value()
                ),
            ));
        }
    }
    Ok(Command::User(UserCommand::Qualify { who, skills }))
}

const DISQUALIFY: Node = Node::Leaf(Leaf {
    name: "disqualify",
    args: "[@user...]",
    summary: "Remove skills from people (default: you).",
    details: "Give the skills or `--all`.",
    flags: &[
        FlagSpec::value(
            "skills",
            "<skill,...>",
            "The skills to remove, e.g. `webapp,server`.",
        )
        .short('s')
        .alias("skill")
        .repeatable(),
        FlagSpec::switch("all", "Remove every skill."),
    ],
    build: build_disqualify,
});

fn build_disqualify(a: &mut Args) -> Result<Command, ParseError> {
    let who = Who::from_mentions(a.mentions());
    let levels = a.skill_levels("skills")?;
    let all = a.on("all");
    let skills = match (all, levels.is_empty()) {
        (true, false) => {
            return Err(a.error(ParseErrorKind::Conflict {
                first: "--all".into(),
                second: "--skills".into(),
            }));
        }
        (true, true) => DisqualifySkills::All,
        (false, true) => return Err(missing_skills(a, "/lotto user disqualify -s webapp")),
        (false, false) => {
            let mut names = Vec::new();
            for sl in levels {
                match sl {
                    SkillLevel::Skill { skill, level } if level.value() == 1 => {
                        if !names.contains(&skill) {
                            names.push(skill);
                        }
                    }
                    SkillLevel::Skill { skill, .. } => {
                        return Err(a.bad_value(
                            "`--skills`",
                            format!("disqualifying removes the whole skill: write `{skill}` without a level"),
                        ));
                    }
                    SkillLevel::Any => {
                        return Err(a.bad_value(
                            "`--skills`",
                            "to remove every skill, write `--all` instead of `any`",
                        ));
                    }
                }
            }
            DisqualifySkills::These(names)
        }
    };
    Ok(Command::User(UserCommand::Disqualify { who, skills }))
}

fn missing_skills(a: &Args, example: &str) -> ParseError {
    a.error(ParseErrorKind::MissingArgument {
        command: a.command(),
        what: "the skills, as `-s/--skills`".into(),
        example: example.into(),
    })
}

const SHOW: Node = Node::Leaf(Leaf {
    name: "show",
    args: "[@user...]",
    summary: "Show people (default: you): skills, rotations, tasks and unavailability.",
    details: "",
    flags: &[],
    build: |a| {
        Ok(Command::User(UserCommand::Show {
            who: Who::from_mentions(a.mentions()),
        }))
    },
});

const UNAVAILABLE: Node = Node::Leaf(Leaf {
    name: "unavailable",
    args: "[@user...]",
    summary: "Mark people (default: you) unavailable for a time, or clear it.",
    details: "`--start` and `--finish` add a time off; `--clear` removes personal times off, all or those overlapping `--start`…`--finish`.",
    flags: &[
        FlagSpec::value("start", "<datetime>", "Start of the time off."),
        FlagSpec::value("finish", "<datetime>", "End of the time off."),
        FlagSpec::switch("clear", "Remove personal times off instead of adding one."),
    ],
    build: build_unavailable,
});

fn build_unavailable(a: &mut Args) -> Result<Command, ParseError> {
    let who = Who::from_mentions(a.mentions());
    let start = a.datetime("start")?;
    let finish = a.datetime("finish")?;
    let clear = a.on("clear");
    let missing = |a: &Args, flag: &str| {
        a.error(ParseErrorKind::MissingArgument {
            command: a.command(),
            what: format!("`{flag}` as well"),
            example: "/lotto user unavailable --start 2026-03-02 --finish 2026-03-07".into(),
        })
    };
    let change = match (start, finish, clear) {
        (Some(start), Some(finish), false) => UnavailableChange::Add { start, finish },
        (Some(start), Some(finish), true) => UnavailableChange::Clear {
            range: Some((start, finish)),
        },
        (None, None, true) => UnavailableChange::Clear { range: None },
        (Some(_), None, _) => return Err(missing(a, "--finish")),
        (None, Some(_), _) => return Err(missing(a, "--start")),
        (None, None, false) => {
            return Err(a.error(ParseErrorKind::NothingToChange {
                command: a.command(),
                flags: "`--start` and `--finish`, or `--clear`".into(),
            }));
        }
    };
    Ok(Command::User(UserCommand::Unavailable { who, change }))
}

impl UserCommand {
    /// The canonical command text (without `/lotto `), which parses back to this command.
    pub fn to_input(&self) -> String {
        use UserCommand as U;
        let with = |s: String, who: &Who| {
            let users = who.to_input();
            if users.is_empty() {
                s
            } else {
                format!("{s} {users}")
            }
        };
        match self {
            U::Ical { reset } => format!("user ical{}", if *reset { " --reset" } else { "" }),
            U::Join {
                rotation,
                who,
                starting,
            } => {
                let s = with(format!("user join {rotation}"), who);
                match starting {
                    Some(t) => format!("{s} --starting {t}"),
                    None => s,
                }
            }
            U::Leave { rotation, who } => with(format!("user leave {rotation}"), who),
            U::Qualify { who, skills } => {
                let list: Vec<String> = skills
                    .iter()
                    .map(|(s, l)| format!("{s}-{}", l.value()))
                    .collect();
                format!(
                    "{} --skills {}",
                    with("user qualify".into(), who),
                    list.join(",")
                )
            }
            U::Disqualify {
                who,
                skills: DisqualifySkills::All,
            } => format!("{} --all", with("user disqualify".into(), who)),
            U::Disqualify {
                who,
                skills: DisqualifySkills::These(names),
            } => {
                let list: Vec<&str> = names.iter().map(SkillName::as_str).collect();
                format!(
                    "{} --skills {}",
                    with("user disqualify".into(), who),
                    list.join(",")
                )
            }
            U::Show { who } => with("user show".into(), who),
            U::Unavailable { who, change } => {
                let s = with("user unavailable".into(), who);
                match change {
                    UnavailableChange::Add { start, finish } => {
                        format!("{s} --start {start} --finish {finish}")
                    }
                    UnavailableChange::Clear { range: None } => format!("{s} --clear"),
                    UnavailableChange::Clear {
                        range: Some((start, finish)),
                    } => {
                        format!("{s} --clear --start {start} --finish {finish}")
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests;
