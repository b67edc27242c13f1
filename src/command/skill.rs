//! `/lotto skill …`: the known skills.
//!
//! ```text
//! skill list | skill new <skill> | skill delete <skill>
//! ```

use super::Command;
use super::args::Args;
use super::error::ParseError;
use super::spec::{Group, Leaf, Node};
use crate::lottery::SkillName;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SkillCommand {
    List,
    New(SkillName),
    /// Removes it from the known skills; people's profiles are not changed.
    Delete(SkillName),
}

pub const GROUP: Node = Node::Group(Group {
    name: "skill",
    summary: "List, add and delete the known skills.",
    children: &[LIST, NEW, DELETE],
});

const LIST: Node = Node::Leaf(Leaf {
    name: "list",
    args: "",
    summary: "List the known skills.",
    details: "",
    flags: &[],
    build: |_| Ok(Command::Skill(SkillCommand::List)),
});

const NEW: Node = Node::Leaf(Leaf {
    name: "new",
    args: "<skill>",
    summary: "Add a known skill.",
    details: "A name is 1–32 letters, digits, `_` or `.`; `any` is reserved.",
    flags: &[],
    build: |a| Ok(Command::Skill(SkillCommand::New(skill(a, "new")?))),
});

const DELETE: Node = Node::Leaf(Leaf {
    name: "delete",
    args: "<skill>",
    summary: "Delete a known skill; people's profiles are not changed.",
    details: "",
    flags: &[],
    build: |a| Ok(Command::Skill(SkillCommand::Delete(skill(a, "delete")?))),
});

fn skill(a: &mut Args, verb: &str) -> Result<SkillName, ParseError> {
    let tok = a.required("a skill name", &format!("/lotto skill {verb} webapp"))?;
    SkillName::parse(&tok.text).map_err(|e| a.bad_value("the skill name", e))
}

impl SkillCommand {
    /// The canonical command text (without `/lotto `), which parses back to this command.
    pub fn to_input(&self) -> String {
        match self {
            SkillCommand::List => "skill list".into(),
            SkillCommand::New(s) => format!("skill new {s}"),
            SkillCommand::Delete(s) => format!("skill delete {s}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::{Command, parse};
    use super::*;

    fn skill(text: &str) -> SkillCommand {
        match parse(text).unwrap().command {
            Command::Skill(s) => s,
            other => panic!("{text}: {other:?}"),
        }
    }

    #[test]
    fn skills_are_validated_names() {
        assert_eq!(skill("skill list"), SkillCommand::List);
        assert_eq!(
            skill("skill new webapp"),
            SkillCommand::New(SkillName::parse("webapp").unwrap())
        );
        assert_eq!(
            skill("skill delete web.app"),
            SkillCommand::Delete(SkillName::parse("web.app").unwrap())
        );
        for bad in [
            "skill new",
            "skill new any",
            "skill new web-app",
            "skill new a b",
            "skill list x",
        ] {
            assert!(parse(bad).is_err(), "{bad}");
        }
        let err = parse("skill new any").unwrap_err();
        assert!(err.to_string().contains("reserved"), "{err}");
    }
}
