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
