//! Presence around on-call: `who [<rot>]`, `rotation set presence`, `rotation set oncall-status`.
//!
//! ```text
//! who [<rot>]
//! rotation set presence <rot> --absent-after D [--channel ~name] | --off
//! rotation set oncall-status <rot> --emoji pager --text "On call: {rotation}" | --off
//! ```
//! The grammar checks shapes and bounds; whether the channel and emoji exist, and whether the bot
//! may post in the channel, the service asks Mattermost.

use chrono::TimeDelta;

use super::Command;
use super::args::Args;
use super::error::{ParseError, ParseErrorKind};
use super::lexer::{quote, shorten};
use super::rotation::RotationCommand;
use super::spec::{FlagSpec, Leaf, Node, ROTATION_FLAG};
use super::values::RotationName;
use crate::lottery::format_duration;

/// Shortest `--absent-after`: Mattermost's own statuses are up to a minute stale.
pub const MIN_ABSENT_AFTER: TimeDelta = TimeDelta::minutes(1);
/// Longest `--absent-after`.
pub const MAX_ABSENT_AFTER: TimeDelta = TimeDelta::days(7);
/// Mattermost's `CustomStatusTextMaxRunes`.
pub const MAX_STATUS_TEXT: usize = 100;
/// Longest emoji name Mattermost allows (`EMOJI_NAME_MAX_LENGTH`).
pub const MAX_EMOJI_NAME: usize = 64;
/// Longest channel name Mattermost allows (`ChannelNameMaxLength`).
pub const MAX_CHANNEL_NAME: usize = 64;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PresenceChange {
    Off,
    On {
        absent_after: TimeDelta,
        /// A channel name without `~`, lowercase.
        channel: Option<String>,
    },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OncallChange {
    Off,
    On {
        /// Without colons.
        emoji: String,
        /// May hold `{rotation}`.
        text: String,
    },
}

pub const WHO: Node = Node::Leaf(Leaf {
    name: "who",
    args: "[<rotation>]",
    summary: "Show who is on call now, whether they are there, and who is next.",
    details: "Without a rotation: every active rotation. Mattermost status, custom status and since when someone is offline (as the bot last saw it).",
    flags: &[ROTATION_FLAG],
    build: |a| {
        let rotation = match (a.raw("rotation"), a.positional()) {
            (Some(name), _) | (None, Some(super::lexer::Token { text: name, .. })) => {
                Some(RotationName::parse(&name).map_err(|e| a.bad_value("the rotation", e))?)
            }
            (None, None) => None,
        };
        Ok(Command::Who(rotation))
    },
});

pub const PRESENCE: Node = Node::Leaf(Leaf {
    name: "presence",
    args: "<rotation>",
    summary: "Tell the owners when someone on a started task is offline too long.",
    details: "One alert per absence (and one post in `--channel`), one note when they are back; someone who comes back within the time is not reported.",
    flags: &[
        ROTATION_FLAG,
        FlagSpec::value(
            "absent-after",
            "<duration>",
            "How long offline counts as absent, from 1m to 7d, e.g. `15m`.",
        ),
        FlagSpec::value(
            "channel",
            "<~channel>",
            "Also post the alerts in this channel of the team (the bot must be a member).",
        ),
        FlagSpec::switch("off", "Turn presence alerts off."),
    ],
    build: build_presence,
});

fn build_presence(a: &mut Args) -> Result<Command, ParseError> {
    let rotation = a.rotation()?;
    let after = a.duration("absent-after")?;
    let channel = a.value("channel", channel_name)?;
    let change = match (a.on("off"), after) {
        (true, _) if a.has("absent-after") || a.has("channel") => {
            let other = if a.has("channel") && after.is_none() {
                "--channel"
            } else {
                "--absent-after"
            };
            return Err(a.error(ParseErrorKind::Conflict {
                first: "--off".into(),
                second: other.into(),
            }));
        }
        (true, _) => PresenceChange::Off,
        (false, Some(d)) => {
            if d < MIN_ABSENT_AFTER || d > MAX_ABSENT_AFTER {
                return Err(a.bad_value(
                    "`--absent-after`",
                    format!(
                        "`{}` is out of range: use from 1m to 7d",
                        format_duration(d)
                    ),
                ));
            }
            PresenceChange::On {
                absent_after: d,
                channel,
            }
        }
        (false, None) => {
            return Err(a.error(ParseErrorKind::NothingToChange {
                command: a.command(),
                flags: "`--absent-after` (e.g. `--absent-after 15m`) or `--off`".into(),
            }));
        }
    };
    Ok(Command::Rotation(RotationCommand::SetPresence {
        rotation,
        change,
    }))
}

/// `~town-square` or `town-square`: Mattermost's channel-name shape, lowercased.
fn channel_name(raw: &str) -> Result<String, String> {
    let name = raw.strip_prefix('~').unwrap_or(raw).to_ascii_lowercase();
    let ok = !name.is_empty()
        && name.len() <= MAX_CHANNEL_NAME
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_'));
    if ok {
        Ok(name)
    } else {
        Err(format!(
            "`{}` is not a channel name: write `~name` as in the channel's link, e.g. `~town-square`",
            shorten(raw)
        ))
    }
}

pub const ONCALL_STATUS: Node = Node::Leaf(Leaf {
    name: "oncall-status",
    args: "<rotation>",
    summary: "Give the people on a started task a custom status until its end.",
    details: "`{rotation}` in the text becomes the rotation's name. At the end it is cleared only if it is still the bot's: a status someone set themselves stays.",
    flags: &[
        ROTATION_FLAG,
        FlagSpec::value(
            "emoji",
            "<emoji>",
            "An emoji Mattermost knows, e.g. `pager` or `:pager:`.",
        ),
        FlagSpec::value(
            "text",
            "<text>",
            "Up to 100 characters, e.g. `\"On call: {rotation}\"`.",
        ),
        FlagSpec::switch("off", "Stop setting an on-call status."),
    ],
    build: build_oncall,
});

fn build_oncall(a: &mut Args) -> Result<Command, ParseError> {
    let rotation = a.rotation()?;
    let emoji = a.value("emoji", emoji_name)?;
    let text = a.value("text", status_text)?;
    let change = match (a.on("off"), emoji, text) {
        (true, emoji, text) if emoji.is_some() || text.is_some() => {
            return Err(a.error(ParseErrorKind::Conflict {
                first: "--off".into(),
                second: if emoji.is_some() { "--emoji" } else { "--text" }.into(),
            }));
        }
        (true, _, _) => OncallChange::Off,
        (false, Some(emoji), Some(text)) => OncallChange::On { emoji, text },
        (false, emoji, _) => {
            return Err(a.error(ParseErrorKind::NothingToChange {
                command: a.command(),
                flags: if emoji.is_some() {
                    "`--text` (with `--emoji`)".into()
                } else {
                    "`--emoji` and `--text`, or `--off`".into()
                },
            }));
        }
    };
    Ok(Command::Rotation(RotationCommand::SetOncallStatus {
        rotation,
        change,
    }))
}

/// `pager` or `:pager:`: Mattermost's emoji-name shape (whether it exists is the service's check).
fn emoji_name(raw: &str) -> Result<String, String> {
    let name = raw.trim();
    let name = name
        .strip_prefix(':')
        .and_then(|n| n.strip_suffix(':'))
        .unwrap_or(name)
        .to_ascii_lowercase();
    let ok = !name.is_empty()
        && name.len() <= MAX_EMOJI_NAME
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '+'));
    if ok {
        Ok(name)
    } else {
        Err(format!(
            "`{}` is not an emoji name, e.g. `pager` or `:pager:`",
            shorten(raw)
        ))
    }
}

fn status_text(raw: &str) -> Result<String, String> {
    let text = raw.trim();
    let len = text.chars().count();
    if text.is_empty() {
        Err("the text is empty: write some in quotes, e.g. `--text \"On call: {rotation}\"`".into())
    } else if len > MAX_STATUS_TEXT {
        Err(format!(
            "the text is {len} characters long; Mattermost allows {MAX_STATUS_TEXT}"
        ))
    } else {
        Ok(text.to_string())
    }
}

/// `to_input` for these commands.
pub(super) fn presence_input(rotation: &RotationName, change: &PresenceChange) -> String {
    match change {
        PresenceChange::Off => format!("rotation set presence {rotation} --off"),
        PresenceChange::On {
            absent_after,
            channel,
        } => format!(
            "rotation set presence {rotation} --absent-after {}{}",
            format_duration(*absent_after),
            channel
                .as_ref()
                .map(|c| format!(" --channel ~{c}"))
                .unwrap_or_default()
        ),
    }
}

pub(super) fn oncall_input(rotation: &RotationName, change: &OncallChange) -> String {
    match change {
        OncallChange::Off => format!("rotation set oncall-status {rotation} --off"),
        OncallChange::On { emoji, text } => format!(
            "rotation set oncall-status {rotation} --emoji {emoji} --text {}",
            quote(text)
        ),
    }
}

#[cfg(test)]
mod tests;
