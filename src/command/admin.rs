//! `/lotto admin …`: bot admins' tools.
//!
//! ```text
//! admin support-packet [--no-logs]
//! ```

use super::Command;
use super::spec::{FlagSpec, Group, Leaf, Node};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AdminCommand {
    /// The support packet as a DM attachment; `logs: false` leaves the log tail out.
    SupportPacket { logs: bool },
}

pub const GROUP: Node = Node::Group(Group {
    name: "admin",
    summary: "Bot admins' tools: the support packet.",
    children: &[SUPPORT_PACKET],
});

const SUPPORT_PACKET: Node = Node::Leaf(Leaf {
    name: "support-packet",
    args: "",
    summary: "Send yourself the support packet: a zip of diagnostics, counts, job runs, settings (secrets hidden) and recent logs (bot admins).",
    details: "The zip arrives as a DM from the bot. Secrets in it become `********************************`; ICS feed links show only their host.",
    flags: &[FlagSpec::switch(
        "no-logs",
        "Leave the recent log lines out.",
    )],
    build: |a| {
        Ok(Command::Admin(AdminCommand::SupportPacket {
            logs: !a.on("no-logs"),
        }))
    },
});

impl AdminCommand {
    /// The canonical command text (without `/lotto `), which parses back to this command.
    pub fn to_input(&self) -> String {
        match self {
            AdminCommand::SupportPacket { logs: true } => "admin support-packet".into(),
            AdminCommand::SupportPacket { logs: false } => "admin support-packet --no-logs".into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::{Command, parse};
    use super::*;

    #[test]
    fn the_support_packet_takes_only_no_logs() {
        for (text, logs) in [
            ("admin support-packet", true),
            ("ADMIN Support-Packet --no-logs", false),
            ("admin support-packet --no-logs=false", true),
        ] {
            let cmd = parse(text).unwrap().command;
            assert_eq!(
                cmd,
                Command::Admin(AdminCommand::SupportPacket { logs }),
                "{text}"
            );
            assert_eq!(parse(&cmd.to_input()).unwrap().command, cmd);
        }
        for bad in [
            "admin support-packet now",
            "admin support-packet --logs",
            "admin",
        ] {
            assert!(
                !matches!(parse(bad).map(|i| i.command), Ok(Command::Admin(_))),
                "{bad}"
            );
        }
    }
}
