//! `/lotto info`: the bot's version and build. `/lotto autopilot`: every rotation's autopilot at once.

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

pub const AUTOPILOT: Node = Node::Leaf(Leaf {
    name: "autopilot",
    args: "",
    summary: "Run the autopilot of every rotation that has one, now (bot admins).",
    details: "One summary line per rotation; `/lotto rotation autopilot <rotation>` runs one and lists each step.",
    flags: &[],
    build: |_| Ok(Command::Autopilot),
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

    #[test]
    fn autopilot_alone_runs_every_rotation() {
        assert_eq!(parse("autopilot").unwrap().command, Command::Autopilot);
        let inv = parse("autopilot --now=2026-03-02T09:00Z").unwrap();
        assert_eq!(inv.command, Command::Autopilot);
        assert!(inv.now.is_some());
        assert!(parse("autopilot ICE").is_err());
    }
}
