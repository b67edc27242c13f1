//! `/lotto rotation set …`: change a rotation's autopilot, fill, needs, limits and task defaults.
//!
//! ```text
//! rotation set autopilot <rot> [--off] [--create[=bool]] [--create-prior D] [--schedule[=bool]]
//!     [--schedule-prior D] [--start-finish[=bool]] [--remind-start[=bool]] [--remind-start-prior D]
//!     [--remind-finish[=bool]] [--remind-finish-prior D]
//! rotation set fill <rot> [--seed N] [--fuzz N]                 (at least one)
//! rotation set require|limit <rot> [-s skill-level[,...]] [--count N] [--clear]
//! rotation set task <rot> [--duration D] [--grace D]            (at least one; 0 resets)
//! ```
//! Only the settings given change (upstream reset the omitted autopilot settings).

use super::Command;
use super::args::Args;
use super::error::{ParseError, ParseErrorKind};
use super::rotation::{MAX_FUZZ, NeedAction, NeedChange, RotationCommand};
use super::spec::{FlagSpec, Group, Leaf, Node, ROTATION_FLAG};
use crate::lottery::{
    AutopilotChange, AutopilotUpdate, HolidayPolicy, SkillLevel, format_duration,
};

/// Highest `--count` for a need or limit.
pub const MAX_COUNT: u32 = 1000;

pub const GROUP: Node = Node::Group(Group {
    name: "set",
    summary: "Change a rotation's settings.",
    children: &[
        AUTOPILOT,
        FILL,
        REQUIRE,
        LIMIT,
        TASK,
        HOLIDAYS,
        super::presence::PRESENCE,
        super::presence::ONCALL_STATUS,
    ],
});

const AUTOPILOT_FLAGS: &[FlagSpec] = &[
    ROTATION_FLAG,
    FlagSpec::switch(
        "off",
        "Turn the autopilot off entirely. Can't be combined with other flags.",
    ),
    FlagSpec::switch("create", "Create upcoming shifts automatically."),
    FlagSpec::value(
        "create-prior",
        "<duration>",
        "How far ahead of its start a shift is created.",
    ),
    FlagSpec::switch("schedule", "Fill and schedule pending tasks automatically."),
    FlagSpec::value(
        "schedule-prior",
        "<duration>",
        "How far ahead of its start a task is filled and scheduled.",
    ),
    FlagSpec::switch("start-finish", "Start and finish shifts when they are due."),
    FlagSpec::switch(
        "remind-start",
        "Remind the people on a task before it starts.",
    ),
    FlagSpec::value(
        "remind-start-prior",
        "<duration>",
        "How long before the start to remind them.",
    ),
    FlagSpec::switch(
        "remind-finish",
        "Remind the people on a task before it finishes.",
    ),
    FlagSpec::value(
        "remind-finish-prior",
        "<duration>",
        "How long before the finish to remind them.",
    ),
];

const AUTOPILOT: Node = Node::Leaf(Leaf {
    name: "autopilot",
    args: "<rotation>",
    summary: "Change what the autopilot does for a rotation.",
    details: "Only the settings you give change. Switches take `=false` to turn them off, e.g. `--create=false`.",
    flags: AUTOPILOT_FLAGS,
    build: build_autopilot,
});

fn build_autopilot(a: &mut Args) -> Result<Command, ParseError> {
    let rotation = a.rotation()?;
    let settings = AutopilotUpdate {
        create: a.switch("create"),
        create_prior: a.duration("create-prior")?,
        schedule: a.switch("schedule"),
        schedule_prior: a.duration("schedule-prior")?,
        start_finish: a.switch("start-finish"),
        remind_start: a.switch("remind-start"),
        remind_start_prior: a.duration("remind-start-prior")?,
        remind_finish: a.switch("remind-finish"),
        remind_finish_prior: a.duration("remind-finish-prior")?,
    };
    let given = settings != AutopilotUpdate::default();
    let change = match a.switch("off") {
        Some(true) if given => {
            let other = AUTOPILOT_FLAGS
                .iter()
                .skip(2)
                .find(|f| a.has(f.long))
                .map_or("create", |f| f.long);
            return Err(a.error(ParseErrorKind::Conflict {
                first: "--off".into(),
                second: format!("--{other}"),
            }));
        }
        Some(true) => AutopilotChange::Off,
        _ if given => AutopilotChange::Update(settings),
        _ => {
            return Err(a.error(ParseErrorKind::NothingToChange {
                command: a.command(),
                flags: "`--off`, `--create`, `--schedule`, `--start-finish`, `--remind-start`, `--remind-finish` or a `--…-prior` duration".into(),
            }));
        }
    };
    Ok(Command::Rotation(RotationCommand::SetAutopilot {
        rotation,
        change,
    }))
}

const FILL: Node = Node::Leaf(Leaf {
    name: "fill",
    args: "<rotation>",
    summary: "Change how a rotation's tasks are filled.",
    details: "",
    flags: &[
        ROTATION_FLAG,
        FlagSpec::value("seed", "<number>", "New seed for the lottery."),
        FlagSpec::value(
            "fuzz",
            "<0-100>",
            "Adds randomness by slowing how fast idle people's weight grows, in periods.",
        ),
    ],
    build: |a| {
        let rotation = a.rotation()?;
        let seed = a.number("seed", 0, u64::MAX)?;
        let fuzz = a.number("fuzz", 0, MAX_FUZZ)?;
        if seed.is_none() && fuzz.is_none() {
            return Err(a.error(ParseErrorKind::NothingToChange {
                command: a.command(),
                flags: "`--seed` or `--fuzz`".into(),
            }));
        }
        Ok(Command::Rotation(RotationCommand::SetFill {
            rotation,
            seed,
            fuzz,
        }))
    },
});

const NEED_FLAGS: &[FlagSpec] = &[
    ROTATION_FLAG,
    FlagSpec::value(
        "skill",
        "<skill-level,...>",
        "Skills and minimum levels, e.g. `webapp-2,server`; a level is 1–4 or beginner…expert (default 1). Default `any`.",
    )
    .short('s')
    .alias("skills")
    .repeatable(),
    FlagSpec::value("count", "<number>", "How many people (0–1000). Default 1."),
    FlagSpec::switch("clear", "Remove it instead."),
];

const REQUIRE: Node = Node::Leaf(Leaf {
    name: "require",
    args: "<rotation>",
    summary: "Set how many people with a skill each task needs.",
    details: "E.g. `--skill webapp-2 --count 2`: at least two people at webapp level 2 or higher. Use `any` for anyone.",
    flags: NEED_FLAGS,
    build: |a| Ok(Command::Rotation(RotationCommand::SetRequire(need(a, 1)?))),
});

const LIMIT: Node = Node::Leaf(Leaf {
    name: "limit",
    args: "<rotation>",
    summary: "Set the most people with a skill a task may have.",
    details: "E.g. `--skill netops-2 --count 1`: no more than one person at netops level 2 or higher. Count 0 keeps them out.",
    flags: NEED_FLAGS,
    build: |a| Ok(Command::Rotation(RotationCommand::SetLimit(need(a, 0)?))),
});

fn need(a: &mut Args, min_count: u32) -> Result<NeedChange, ParseError> {
    let rotation = a.rotation()?;
    let mut skills = a.skill_levels("skill")?;
    if skills.is_empty() {
        skills.push(SkillLevel::Any);
    }
    let count = a.number("count", min_count, MAX_COUNT)?;
    let action = match (a.on("clear"), count) {
        (true, Some(_)) => {
            return Err(a.error(ParseErrorKind::Conflict {
                first: "--clear".into(),
                second: "--count".into(),
            }));
        }
        (true, None) => NeedAction::Clear,
        (false, count) => NeedAction::Count(count.unwrap_or(1)),
    };
    Ok(NeedChange {
        rotation,
        skills,
        action,
    })
}

const TASK: Node = Node::Leaf(Leaf {
    name: "task",
    args: "<rotation>",
    summary: "Set the default duration and grace period of new tasks.",
    details: "`0` resets a value.",
    flags: &[
        ROTATION_FLAG,
        FlagSpec::value(
            "duration",
            "<duration>",
            "How long a task lasts (tickets; shifts last a period).",
        ),
        FlagSpec::value(
            "grace",
            "<duration>",
            "How long after serving someone is left out of this rotation.",
        ),
    ],
    build: |a| {
        let rotation = a.rotation()?;
        let duration = a.duration("duration")?;
        let grace = a.duration("grace")?;
        if duration.is_none() && grace.is_none() {
            return Err(a.error(ParseErrorKind::NothingToChange {
                command: a.command(),
                flags: "`--duration` or `--grace`".into(),
            }));
        }
        Ok(Command::Rotation(RotationCommand::SetTask {
            rotation,
            duration,
            grace,
        }))
    },
});

const HOLIDAYS: Node = Node::Leaf(Leaf {
    name: "holidays",
    args: "<rotation> skip|shift|ignore",
    summary: "Say what happens to a shift that starts on a holiday.",
    details: "`skip`: it is not held (the default); `shift`: it starts at the same time on the next day that is not a holiday, and ends as planned; `ignore`: holidays change nothing. Fills and the autopilot follow it.",
    flags: &[ROTATION_FLAG],
    build: |a| {
        let rotation = a.rotation()?;
        let example = format!("/lotto rotation set holidays {rotation} skip");
        let tok = a.required(
            "what to do on holidays: `skip`, `shift` or `ignore`",
            &example,
        )?;
        let policy: HolidayPolicy = tok
            .text
            .parse()
            .map_err(|e| a.bad_value("the holiday policy", e))?;
        Ok(Command::Rotation(RotationCommand::SetHolidays {
            rotation,
            policy,
        }))
    },
});

/// `to_input` for the `set` commands.
pub(super) fn to_input(cmd: &RotationCommand) -> String {
    use RotationCommand as R;
    let opt =
        |name: &str, v: Option<String>| v.map(|v| format!(" --{name}={v}")).unwrap_or_default();
    let dur = |name: &str, v: Option<chrono::TimeDelta>| opt(name, v.map(format_duration));
    let sw = |name: &str, v: Option<bool>| opt(name, v.map(|b| b.to_string()));
    match cmd {
        R::SetAutopilot {
            rotation,
            change: AutopilotChange::Off,
        } => {
            format!("rotation set autopilot {rotation} --off")
        }
        R::SetAutopilot {
            rotation,
            change: AutopilotChange::Update(s),
        } => format!(
            "rotation set autopilot {rotation}{}{}{}{}{}{}{}{}{}",
            sw("create", s.create),
            dur("create-prior", s.create_prior),
            sw("schedule", s.schedule),
            dur("schedule-prior", s.schedule_prior),
            sw("start-finish", s.start_finish),
            sw("remind-start", s.remind_start),
            dur("remind-start-prior", s.remind_start_prior),
            sw("remind-finish", s.remind_finish),
            dur("remind-finish-prior", s.remind_finish_prior),
        ),
        R::SetFill {
            rotation,
            seed,
            fuzz,
        } => format!(
            "rotation set fill {rotation}{}{}",
            opt("seed", seed.map(|v| v.to_string())),
            opt("fuzz", fuzz.map(|v| v.to_string()))
        ),
        R::SetRequire(n) => need_input("require", n),
        R::SetLimit(n) => need_input("limit", n),
        R::SetTask {
            rotation,
            duration,
            grace,
        } => format!(
            "rotation set task {rotation}{}{}",
            dur("duration", *duration),
            dur("grace", *grace)
        ),
        R::SetHolidays { rotation, policy } => {
            format!("rotation set holidays {rotation} {policy}")
        }
        // The other variants are rendered by rotation.rs.
        other => format!("rotation {other:?}"),
    }
}

fn need_input(which: &str, n: &NeedChange) -> String {
    let skills: Vec<String> = n.skills.iter().map(SkillLevel::to_input).collect();
    let action = match n.action {
        NeedAction::Count(c) => format!("--count {c}"),
        NeedAction::Clear => "--clear".into(),
    };
    format!(
        "rotation set {which} {} --skill {} {action}",
        n.rotation,
        skills.join(",")
    )
}

#[cfg(test)]
mod tests;
