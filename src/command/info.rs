//! `/lotto info`: the bot's version and build.

use super::Command;
use super::spec::{Leaf, Node};

pub const INFO: Node = Node::Leaf(Leaf {
    name: "info",
    args: "",
    summary: "Show the bot's version and build.",
    details: "",
    flags: &[],
    build: |_| Ok(Command::Info),
});

#[cfg(test)]
mod tests {
    use super::super::{Command, parse};

    #[test]
    fn info_takes_nothing() {
        assert_eq!(parse("info").unwrap().command, Command::Info);
        assert_eq!(parse("INFO --json").unwrap().command, Command::Info);
        assert!(parse("info now").is_err());
    }
}
