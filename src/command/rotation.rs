//! `/lotto rotation …`: create, list, show, archive and run rotations, and manage their owners.
//!
//! ```text
//! rotation new <name> [--period P] [--beginning T] [--task-type shift|ticket] [--seed N] [--fuzz N]
//!                     [--tz ZONE] [--fill-type solar-lottery]
//! rotation list | show <rot> | archive <rot> | autopilot <rot>
//! rotation owner add|remove <rot> @user...
//! rotation set …                                   (see rotation_set.rs)
//! ```
//! `<rot>` may also be given as `-r/--rotation <rot>`.

use std::fmt;
use std::str::FromStr;

use chrono::TimeDelta;
use chrono_tz::Tz;

use super::Command;
use super::args::Args;
use super::datetime::DateTimeArg;
use super::error::ParseError;
use super::lexer::quote;
use super::spec::{FlagSpec, Group, Leaf, Node, ROTATION_FLAG};
use super::values::{RotationName, UserRef};
use super::zone::find_zone;
use crate::lottery::{AutopilotChange, HolidayPolicy, Period, SkillLevel, TaskType};

/// Highest `--fuzz`: past a few periods the draw is already effectively uniform.
pub const MAX_FUZZ: u32 = 100;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RotationCommand {
    New(NewRotation),
    List,
    /// `rotation show <rot> [--members]`
    Show {
        rotation: RotationName,
        /// Every member, one per line, instead of the summary.
        members: bool,
    },
    Archive(RotationName),
    /// The rotation's calendar link; `reset` replaces it.
    Ical {
        rotation: RotationName,
        reset: bool,
    },
    /// Run the autopilot for this rotation now (at `--now` if given).
    Autopilot(RotationName),
    /// `rotation forecast <rot> [--shifts N]`: likely picks for the next `shifts` (1–52) shifts.
    Forecast {
        rotation: RotationName,
        shifts: u32,
    },
    /// `rotation stats <rot> [--since T]`: the fairness report.
    Stats {
        rotation: RotationName,
        since: Option<DateTimeArg>,
    },
    SetAutopilot {
        rotation: RotationName,
        change: AutopilotChange,
    },
    /// At least one of `seed` and `fuzz` is set.
    SetFill {
        rotation: RotationName,
        seed: Option<u64>,
        fuzz: Option<u32>,
    },
    SetRequire(NeedChange),
    SetLimit(NeedChange),
    /// At least one of `duration` and `grace` is set; zero resets.
    SetTask {
        rotation: RotationName,
        duration: Option<TimeDelta>,
        grace: Option<TimeDelta>,
    },
    /// `rotation set presence`
    SetPresence {
        rotation: RotationName,
        change: super::PresenceChange,
    },
    /// `rotation set oncall-status`
    SetOncallStatus {
        rotation: RotationName,
        change: super::OncallChange,
    },
    /// What happens to shifts starting on a holiday.
    SetHolidays {
        rotation: RotationName,
        policy: HolidayPolicy,
    },
    /// Never empty.
    OwnerAdd {
        rotation: RotationName,
        users: Vec<UserRef>,
    },
    /// Never empty.
    OwnerRemove {
        rotation: RotationName,
        users: Vec<UserRef>,
    },
}

/// `rotation new`. Static defaults are applied here; `beginning` (now), `seed` (random) and `tz`
/// (the creator's zone) depend on the request, so the service fills them in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewRotation {
    pub name: RotationName,
    pub period: Period,
    pub beginning: Option<DateTimeArg>,
    pub task_type: TaskType,
    pub seed: Option<u64>,
    pub fuzz: u32,
    pub tz: Option<Tz>,
    pub fill_type: FillType,
}

/// How tasks are filled; only the solar lottery exists.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum FillType {
    #[default]
    SolarLottery,
}

/// `rotation set require` / `set limit`: the same count for each skill-level listed, or clear them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NeedChange {
    pub rotation: RotationName,
    /// Never empty; `[Any]` when no `--skill` was given.
    pub skills: Vec<SkillLevel>,
    pub action: NeedAction,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NeedAction {
    /// Require at least / allow at most this many (0–1000; a requirement is at least 1).
    Count(u32),
    Clear,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ChoiceError {
    #[error("`{0}` is not a task type: use `shift` or `ticket`")]
    TaskType(String),
    #[error("`{0}` is not a fill type: only `solar-lottery` is supported")]
    FillType(String),
}

/// The domain's parser, with the grammar's error (which shortens what it echoes).
fn task_type(s: &str) -> Result<TaskType, ChoiceError> {
    s.parse::<TaskType>()
        .map_err(|_| ChoiceError::TaskType(super::lexer::shorten(s)))
}

impl FromStr for FillType {
    type Err = ChoiceError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_lowercase().as_str() {
            "solar-lottery" | "solar_lottery" | "lottery" => Ok(FillType::SolarLottery),
            _ => Err(ChoiceError::FillType(super::lexer::shorten(s))),
        }
    }
}

impl fmt::Display for FillType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("solar-lottery")
    }
}

pub const GROUP: Node = Node::Group(Group {
    name: "rotation",
    summary: "Create, show and configure rotations.",
    children: &[
        NEW,
        LIST,
        SHOW,
        ARCHIVE,
        AUTOPILOT,
        ICAL,
        super::rotation_report::FORECAST,
        super::rotation_report::STATS,
        super::rotation_set::GROUP,
        OWNER,
        super::history::ROTATION,
    ],
});

const NEW: Node = Node::Leaf(Leaf {
    name: "new",
    args: "<name>",
    summary: "Create a rotation; you become its owner.",
    details: "Anyone may create one (unless the bot is set up with `LOTTO_ROTATION_CREATORS=admins`). The name is 1–64 letters, digits, `_`, `.` or `-`. Period, beginning, task type and time zone can't be changed later.",
    flags: &[
        FlagSpec::value(
            "period",
            "<period>",
            "`daily`, `weekly`, `biweekly`, `monthly` or a duration of at least `1h` such as `3d`. Default `weekly`.",
        ),
        FlagSpec::value(
            "beginning",
            "<datetime>",
            "When shift 0 starts, e.g. `\"2027-01-04 09:00\"`. Default: midnight today in the rotation's zone.",
        ),
        FlagSpec::value(
            "task-type",
            "<type>",
            "`shift` (recurring) or `ticket` (on request). Default `shift`.",
        ),
        FlagSpec::value(
            "seed",
            "<number>",
            "Seed for the lottery, so fills can be replayed. Default: random.",
        ),
        FlagSpec::value(
            "fuzz",
            "<0-100>",
            "Adds randomness by slowing how fast idle people's weight grows, in periods. Default 0.",
        ),
        FlagSpec::value(
            "tz",
            "<zone>",
            "IANA time zone that shift times follow, e.g. `Europe/Berlin`. Default: yours.",
        ),
        FlagSpec::value(
            "fill-type",
            "<type>",
            "How tasks are filled; only `solar-lottery`.",
        ),
    ],
    build: build_new,
});

fn build_new(a: &mut Args) -> Result<Command, ParseError> {
    let name = a.required("a name for the rotation", "/lotto rotation new ICE")?;
    let name = RotationName::parse(&name.text).map_err(|e| a.bad_value("the rotation name", e))?;
    let new = NewRotation {
        name,
        period: a
            .value("period", Period::from_str)?
            .unwrap_or(Period::Weekly),
        beginning: a.datetime("beginning")?,
        task_type: a.value("task-type", task_type)?.unwrap_or_default(),
        seed: a.number("seed", 0, u64::MAX)?,
        fuzz: a.number("fuzz", 0, MAX_FUZZ)?.unwrap_or(0),
        tz: a.value("tz", find_zone)?,
        fill_type: a
            .value("fill-type", FillType::from_str)?
            .unwrap_or_default(),
    };
    Ok(Command::Rotation(RotationCommand::New(new)))
}

const LIST: Node = Node::Leaf(Leaf {
    name: "list",
    args: "",
    summary: "List the active rotations.",
    details: "",
    flags: &[],
    build: |_| Ok(Command::Rotation(RotationCommand::List)),
});

/// A leaf that takes only the rotation.
macro_rules! rotation_leaf {
    ($name:literal, $summary:literal, $details:literal, $variant:ident) => {
        Node::Leaf(Leaf {
            name: $name,
            args: "<rotation>",
            summary: $summary,
            details: $details,
            flags: &[ROTATION_FLAG],
            build: |a| Ok(Command::Rotation(RotationCommand::$variant(a.rotation()?))),
        })
    };
}

const SHOW: Node = Node::Leaf(Leaf {
    name: "show",
    args: "<rotation>",
    summary: "Show a rotation: members, needs and limits, settings and the next shifts.",
    details: "A long member list is summarised; `--members` lists every member.",
    flags: &[
        ROTATION_FLAG,
        FlagSpec::switch("members", "List every member, one per line."),
    ],
    build: |a| {
        let rotation = a.rotation()?;
        let members = a.on("members");
        Ok(Command::Rotation(RotationCommand::Show {
            rotation,
            members,
        }))
    },
});
const ARCHIVE: Node = rotation_leaf!(
    "archive",
    "Archive a rotation: it leaves the list and its autopilot stops.",
    "",
    Archive
);
const AUTOPILOT: Node = rotation_leaf!(
    "autopilot",
    "Run the autopilot for a rotation now.",
    "With `--now=<datetime>` it runs as if it were that time.",
    Autopilot
);

const ICAL: Node = Node::Leaf(Leaf {
    name: "ical",
    args: "<rotation>",
    summary: "Get a secret calendar link to a rotation's shifts.",
    details: "Subscribe to it in a calendar app. Anyone with the link sees the feed; owners can replace it with `--reset`, which turns the old one off.",
    flags: &[
        ROTATION_FLAG,
        FlagSpec::switch(
            "reset",
            "Replace the link with a new one; the old one stops working (owners).",
        ),
    ],
    build: |a| {
        let rotation = a.rotation()?;
        let reset = a.on("reset");
        Ok(Command::Rotation(RotationCommand::Ical { rotation, reset }))
    },
});

const OWNER: Node = Node::Group(Group {
    name: "owner",
    summary: "Add or remove the people who manage a rotation.",
    children: &[OWNER_ADD, OWNER_REMOVE],
});

const OWNER_ADD: Node = Node::Leaf(Leaf {
    name: "add",
    args: "<rotation> @user...",
    summary: "Make users owners of a rotation.",
    details: "Owners manage the rotation and its tasks.",
    flags: &[ROTATION_FLAG],
    build: |a| {
        let (rotation, users) = owners(a, "add")?;
        Ok(Command::Rotation(RotationCommand::OwnerAdd {
            rotation,
            users,
        }))
    },
});

const OWNER_REMOVE: Node = Node::Leaf(Leaf {
    name: "remove",
    args: "<rotation> @user...",
    summary: "Remove owners from a rotation.",
    details: "",
    flags: &[ROTATION_FLAG],
    build: |a| {
        let (rotation, users) = owners(a, "remove")?;
        Ok(Command::Rotation(RotationCommand::OwnerRemove {
            rotation,
            users,
        }))
    },
});

fn owners(a: &mut Args, verb: &str) -> Result<(RotationName, Vec<UserRef>), ParseError> {
    let rotation = a.rotation()?;
    let users = a.required_mentions(
        "at least one `@user`",
        &format!("/lotto rotation owner {verb} {rotation} @alice"),
    )?;
    Ok((rotation, users))
}

impl RotationCommand {
    /// The canonical command text (without `/lotto `), which parses back to this command.
    pub fn to_input(&self) -> String {
        use RotationCommand as R;
        match self {
            R::New(n) => {
                let mut s = format!(
                    "rotation new {} --period {} --task-type {} --fuzz {} --fill-type {}",
                    n.name,
                    n.period.to_input(),
                    n.task_type,
                    n.fuzz,
                    n.fill_type
                );
                if let Some(b) = &n.beginning {
                    s.push_str(&format!(" --beginning {b}"));
                }
                if let Some(seed) = n.seed {
                    s.push_str(&format!(" --seed {seed}"));
                }
                if let Some(tz) = n.tz {
                    s.push_str(&format!(" --tz {}", tz.name()));
                }
                s
            }
            R::List => "rotation list".into(),
            R::Show { rotation, members } => format!(
                "rotation show {rotation}{}",
                if *members { " --members" } else { "" }
            ),
            R::Archive(r) => format!("rotation archive {r}"),
            R::Autopilot(r) => format!("rotation autopilot {r}"),
            R::Ical { rotation, reset } => format!(
                "rotation ical {rotation}{}",
                if *reset { " --reset" } else { "" }
            ),
            R::OwnerAdd { rotation, users } => {
                format!("rotation owner add {rotation} {}", mentions(users))
            }
            R::OwnerRemove { rotation, users } => {
                format!("rotation owner remove {rotation} {}", mentions(users))
            }
            R::SetPresence { rotation, change } => {
                super::presence::presence_input(rotation, change)
            }
            R::SetOncallStatus { rotation, change } => {
                super::presence::oncall_input(rotation, change)
            }
            R::Forecast { rotation, .. } | R::Stats { rotation, .. } => {
                super::rotation_report::to_input(rotation, self).unwrap_or_default()
            }
            other => super::rotation_set::to_input(other),
        }
    }
}

pub(super) fn mentions(users: &[UserRef]) -> String {
    users
        .iter()
        .map(|u| format!("@{u}"))
        .collect::<Vec<_>>()
        .join(" ")
}

/// Renders a value safely for `to_input`.
pub(super) fn q(s: &str) -> String {
    quote(s)
}

#[cfg(test)]
mod tests;
