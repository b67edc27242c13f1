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
        super::rotation::GROUP,
        super::task::GROUP,
        super::user::GROUP,
        super::skill::GROUP,
        super::calendar::GROUP,
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
