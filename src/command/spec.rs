//! The command tree: every group, command and flag, in one place, so parsing, "did you mean" and the
//! help texts can never disagree about what exists.

use super::Command;
use super::args::Args;
use super::error::ParseError;

/// A flag a command accepts.
#[derive(Debug)]
pub struct FlagSpec {
    pub long: &'static str,
    /// A second long name accepted for compatibility (e.g. `--skill` for `--skills`).
    pub alias: Option<&'static str>,
    pub short: Option<char>,
    /// The value placeholder shown in help, e.g. `<duration>`; `None` for an on/off switch.
    pub value: Option<&'static str>,
    pub repeatable: bool,
    /// Shown without brackets in the syntax line.
    pub required: bool,
    pub help: &'static str,
}

impl FlagSpec {
    pub const fn switch(long: &'static str, help: &'static str) -> Self {
        Self {
            long,
            alias: None,
            short: None,
            value: None,
            repeatable: false,
            required: false,
            help,
        }
    }

    pub const fn value(long: &'static str, placeholder: &'static str, help: &'static str) -> Self {
        Self {
            long,
            alias: None,
            short: None,
            value: Some(placeholder),
            repeatable: false,
            required: false,
            help,
        }
    }

    pub const fn short(mut self, c: char) -> Self {
        self.short = Some(c);
        self
    }

    pub const fn alias(mut self, alias: &'static str) -> Self {
        self.alias = Some(alias);
        self
    }

    pub const fn repeatable(mut self) -> Self {
        self.repeatable = true;
        self
    }

    pub const fn required(mut self) -> Self {
        self.required = true;
        self
    }

    pub fn matches_long(&self, name: &str) -> bool {
        self.long.eq_ignore_ascii_case(name)
            || self.alias.is_some_and(|a| a.eq_ignore_ascii_case(name))
    }
}

/// `-r/--rotation`, accepted wherever a `<rotation>` positional is.
pub const ROTATION_FLAG: FlagSpec = FlagSpec::value(
    "rotation",
    "<rotation>",
    "The rotation, if you prefer a flag to the positional argument.",
)
.short('r');

pub type Build = fn(&mut Args) -> Result<Command, ParseError>;

/// A command that does something.
pub struct Leaf {
    pub name: &'static str,
    /// Positional syntax, e.g. `<rotation> @user...`; empty when none.
    pub args: &'static str,
    pub summary: &'static str,
    /// More explanation for the command's own help; may be empty.
    pub details: &'static str,
    pub flags: &'static [FlagSpec],
    pub build: Build,
}

/// A group of commands, such as `rotation` or `rotation set`.
pub struct Group {
    pub name: &'static str,
    pub summary: &'static str,
    pub children: &'static [Node],
}

pub enum Node {
    Group(Group),
    Leaf(Leaf),
}

impl Node {
    pub fn name(&self) -> &'static str {
        match self {
            Node::Group(g) => g.name,
            Node::Leaf(l) => l.name,
        }
    }

    pub fn summary(&self) -> &'static str {
        match self {
            Node::Group(g) => g.summary,
            Node::Leaf(l) => l.summary,
        }
    }
}

impl Group {
    pub fn child(&self, word: &str) -> Option<&'static Node> {
        self.children
            .iter()
            .find(|c| c.name().eq_ignore_ascii_case(word))
    }
}

/// The whole `/lotto` surface.
pub static ROOT: Group = Group {
    name: "",
    summary: "Schedules team rotations by weighted lottery.",
    children: &[
        super::info::INFO,
        super::info::AUTOPILOT,
        super::rotation::GROUP,
        super::task::GROUP,
        super::user::GROUP,
        super::skill::GROUP,
        super::calendar::GROUP,
        super::presence::WHO,
        super::admin::GROUP,
        super::holiday::GROUP,
        super::profile::GROUP,
    ],
};

/// The node at `path` (command words, any case), or `None` if there is no such command.
pub fn find(path: &[&str]) -> Option<&'static Node> {
    let mut group = &ROOT;
    let mut found = None;
    for (i, word) in path.iter().enumerate() {
        let node = group.child(word)?;
        match node {
            Node::Group(g) => group = g,
            Node::Leaf(_) if i + 1 < path.len() => return None,
            Node::Leaf(_) => {}
        }
        found = Some(node);
    }
    found
}

/// `/lotto rotation set` for a path.
pub fn command_line(path: &[&str]) -> String {
    std::iter::once("/lotto")
        .chain(path.iter().copied())
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::super::parse;
    use super::*;

    /// One valid command per use of a flag, so every declared flag is proven accepted and read.
    const SAMPLES: &[&str] = &[
        "info",
        "autopilot",
        "admin support-packet",
        "admin support-packet --no-logs",
        "rotation new ICE --period 3d --beginning today --task-type ticket --seed 1 --fuzz 2 --tz UTC --fill-type solar-lottery",
        "rotation list",
        "rotation show -r ICE --members",
        "rotation archive -r ICE",
        "rotation autopilot -r ICE",
        "rotation set autopilot -r ICE --create --create-prior 1d --schedule --schedule-prior 1d --start-finish --remind-start --remind-start-prior 1h --remind-finish --remind-finish-prior 1h",
        "rotation set autopilot ICE --off",
        "rotation set fill -r ICE --seed 1 --fuzz 1",
        "rotation set require -r ICE -s a --count 2",
        "rotation set require ICE --clear",
        "rotation set limit -r ICE --skill a --count 0",
        "rotation set limit ICE --clear",
        "rotation set task -r ICE --duration 1d --grace 1d",
        "rotation set presence -r ICE --absent-after 15m --channel ~town-square",
        "rotation set presence ICE --off",
        "rotation set oncall-status -r ICE --emoji pager --text x",
        "rotation set oncall-status ICE --off",
        "who",
        "who -r ICE",
        "rotation owner add -r ICE @a",
        "rotation owner remove -r ICE @a",
        "task new shift -r ICE -n 1",
        "task new ticket -r ICE --summary x",
        "task assign ICE#1 @a -f",
        "task unassign ICE#1 @a -f",
        "task fill ICE#1",
        "task schedule ICE#1 -f",
        "task start ICE#1",
        "task finish ICE#1",
        "task show ICE#1",
        "task history ICE#1 --since 2030-03-01",
        "rotation history -r ICE --since today",
        "task list -r ICE --all",
        "task swap ICE#3 @bob",
        "task override ICE#3 @ann @bob --start 2030-03-04T10:00 --finish 2030-03-04T14:00 --force",
        "user join -r ICE --starting now",
        "user leave -r ICE",
        "user qualify -s a",
        "user disqualify -s a",
        "user disqualify --all",
        "user show",
        "user unavailable --start today --finish tomorrow --clear",
        "skill list",
        "skill new a",
        "skill delete a",
        "calendar connect graph",
        "calendar connect ics https://x.org/a.ics",
        "calendar disconnect",
        "calendar show",
        "calendar set busy dnd",
        "calendar set notices on",
        "calendar set custom-status off",
        "calendar pause 1h",
        "calendar resume",
        "calendar sync",
        "calendar consent-url",
        "holiday add 2026-12-25 --name x -r ICE",
        "holiday remove 2026-12-25 -r ICE",
        "holiday list -r ICE",
        "holiday feed https://example.com/h.ics -r ICE",
        "holiday feed off",
        "rotation set holidays -r ICE shift",
        "rotation ical -r ICE --reset",
        "rotation forecast -r ICE --shifts 8",
        "rotation stats -r ICE --since 2026-03-01T09:00",
        "user ical --reset",
        "profile preset add :palm_tree: --nickname x --image https://example.com/a.png @ann",
        "profile preset remove :palm_tree:",
        "profile show @ann",
        "profile restore",
    ];

    fn leaves(
        group: &'static Group,
        path: Vec<&'static str>,
        out: &mut Vec<(Vec<&'static str>, &'static Leaf)>,
    ) {
        for child in group.children {
            let mut p = path.clone();
            p.push(child.name());
            match child {
                Node::Group(g) => leaves(g, p, out),
                Node::Leaf(l) => out.push((p, l)),
            }
        }
    }

    #[test]
    fn every_sample_parses() {
        for text in SAMPLES {
            if let Err(e) = parse(text) {
                panic!("{text}: {e}");
            }
        }
    }

    #[test]
    fn samples_cover_every_command_and_flag() {
        let mut all = Vec::new();
        leaves(&ROOT, Vec::new(), &mut all);
        for (path, leaf) in all {
            let prefix = path.join(" ");
            let samples: Vec<&str> = SAMPLES
                .iter()
                .copied()
                .filter(|s| {
                    s.strip_prefix(&prefix)
                        .is_some_and(|rest| rest.is_empty() || rest.starts_with(' '))
                })
                .collect();
            assert!(!samples.is_empty(), "no sample for `{prefix}`");
            for flag in leaf.flags {
                let used = samples.iter().any(|s| {
                    s.split_whitespace().any(|t| {
                        t == format!("--{}", flag.long)
                            || flag.short.is_some_and(|c| t == format!("-{c}"))
                    })
                });
                assert!(used, "no sample for `{prefix}` uses `--{}`", flag.long);
            }
        }
    }

    #[test]
    fn names_are_unique_lowercase_and_summaries_are_sentences() {
        fn check(group: &Group) {
            let mut names: Vec<&str> = group.children.iter().map(Node::name).collect();
            names.sort_unstable();
            let before = names.len();
            names.dedup();
            assert_eq!(before, names.len(), "duplicate command in `{}`", group.name);
            for child in group.children {
                assert_eq!(child.name(), child.name().to_ascii_lowercase());
                assert!(child.name() != "help", "`help` is reserved");
                assert!(
                    child.summary().ends_with('.'),
                    "{}: {}",
                    child.name(),
                    child.summary()
                );
                if let Node::Group(g) = child {
                    check(g);
                }
                if let Node::Leaf(l) = child {
                    for f in l.flags {
                        assert!(f.help.ends_with('.'), "--{}: {}", f.long, f.help);
                        assert!(
                            !["json", "now", "help"].contains(&f.long),
                            "--{} is global",
                            f.long
                        );
                    }
                }
            }
        }
        check(&ROOT);
    }
}
