//! `/lotto calendar …`: connect a calendar whose busy times set your Mattermost status.
//! With no `@user`, the acting user.
//!
//! ```text
//! calendar connect graph [email] [@user]      calendar connect ics <url> [@user]
//! calendar disconnect|show|resume [@user]     calendar pause <duration> [@user]
//! calendar set busy dnd|away|off [@user]      calendar set notices|custom-status on|off [@user]
//! calendar sync                               calendar consent-url
//! ```

use std::fmt;
use std::str::FromStr;

use chrono::TimeDelta;

use super::Command;
use super::args::{Args, parse_bool};
use super::error::ParseError;
use super::lexer::shorten;
use super::spec::{Group, Leaf, Node};
use super::values::{Email, IcsUrl, UserRef};
use crate::lottery::{format_duration, parse_duration};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CalendarCommand {
    Connect {
        source: CalendarSource,
        user: Option<UserRef>,
    },
    Disconnect {
        user: Option<UserRef>,
    },
    Show {
        user: Option<UserRef>,
    },
    /// Which status to set while the calendar says busy.
    SetBusy {
        mode: BusyMode,
        user: Option<UserRef>,
    },
    /// Whether to DM the user when their status is changed.
    SetNotices {
        on: bool,
        user: Option<UserRef>,
    },
    /// Whether to set a custom status (the meeting) while busy.
    SetCustomStatus {
        on: bool,
        user: Option<UserRef>,
    },
    /// Stop changing the status for a while; `duration` is more than zero.
    Pause {
        duration: TimeDelta,
        user: Option<UserRef>,
    },
    Resume {
        user: Option<UserRef>,
    },
    /// Sync every connected calendar now.
    Sync,
    /// The link an admin opens to grant the Graph app its permissions.
    ConsentUrl,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CalendarSource {
    /// Microsoft Graph; `None` uses the e-mail of the Mattermost account.
    Graph {
        email: Option<Email>,
    },
    Ics {
        url: IcsUrl,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BusyMode {
    Dnd,
    Away,
    /// Leave the status alone while busy.
    Off,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ChoiceError {
    #[error("`{0}` is not a busy status: use `dnd`, `away` or `off`")]
    Busy(String),
    #[error("`{0}` is neither `on` nor `off`")]
    OnOff(String),
    #[error("a pause must be longer than zero, e.g. `2h`")]
    ZeroPause,
}

impl FromStr for BusyMode {
    type Err = ChoiceError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_lowercase().as_str() {
            "dnd" | "do-not-disturb" => Ok(BusyMode::Dnd),
            "away" => Ok(BusyMode::Away),
            "off" | "none" => Ok(BusyMode::Off),
            _ => Err(ChoiceError::Busy(shorten(s))),
        }
    }
}

impl fmt::Display for BusyMode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            BusyMode::Dnd => "dnd",
            BusyMode::Away => "away",
            BusyMode::Off => "off",
        })
    }
}

pub const GROUP: Node = Node::Group(Group {
    name: "calendar",
    summary: "Connect a calendar so your status follows your meetings.",
    children: &[
        CONNECT,
        DISCONNECT,
        SHOW,
        SET,
        PAUSE,
        RESUME,
        SYNC,
        CONSENT_URL,
    ],
});

const CONNECT: Node = Node::Group(Group {
    name: "connect",
    summary: "Connect a Microsoft 365 or ICS calendar.",
    children: &[CONNECT_GRAPH, CONNECT_ICS],
});

const CONNECT_GRAPH: Node = Node::Leaf(Leaf {
    name: "graph",
    args: "[email] [@user]",
    summary: "Connect a Microsoft 365 calendar (default address: the Mattermost account's).",
    details: "",
    flags: &[],
    build: |a| {
        let email = a
            .positional()
            .map(|t| Email::parse(&t.text))
            .transpose()
            .map_err(|e| a.bad_value("the e-mail address", e))?;
        let user = a.one_mention()?;
        Ok(Command::Calendar(CalendarCommand::Connect {
            source: CalendarSource::Graph { email },
            user,
        }))
    },
});

const CONNECT_ICS: Node = Node::Leaf(Leaf {
    name: "ics",
    args: "<url> [@user]",
    summary: "Connect a calendar by its ICS feed URL (`https://…`).",
    details: "",
    flags: &[],
    build: |a| {
        let url = a.required(
            "the feed URL",
            "/lotto calendar connect ics https://example.com/me.ics",
        )?;
        let url = IcsUrl::parse(&url.text).map_err(|e| a.bad_value("the URL", e))?;
        let user = a.one_mention()?;
        Ok(Command::Calendar(CalendarCommand::Connect {
            source: CalendarSource::Ics { url },
            user,
        }))
    },
});

/// A leaf whose only argument is an optional `@user`.
macro_rules! user_leaf {
    ($name:literal, $summary:literal, $variant:ident) => {
        Node::Leaf(Leaf {
            name: $name,
            args: "[@user]",
            summary: $summary,
            details: "",
            flags: &[],
            build: |a| {
                Ok(Command::Calendar(CalendarCommand::$variant {
                    user: a.one_mention()?,
                }))
            },
        })
    };
}

const DISCONNECT: Node = user_leaf!(
    "disconnect",
    "Disconnect the calendar and stop changing the status.",
    Disconnect
);
const SHOW: Node = user_leaf!(
    "show",
    "Show the calendar connection, settings and last sync.",
    Show
);
const RESUME: Node = user_leaf!("resume", "Resume status changes after a pause.", Resume);

const PAUSE: Node = Node::Leaf(Leaf {
    name: "pause",
    args: "<duration> [@user]",
    summary: "Stop changing the status for a while, e.g. `2h`.",
    details: "",
    flags: &[],
    build: |a| {
        let raw = a.required("how long to pause", "/lotto calendar pause 2h")?;
        let duration = parse_duration(&raw.text)
            .map_err(|e| a.bad_value("the pause", e))
            .and_then(|d| {
                if d > TimeDelta::zero() {
                    Ok(d)
                } else {
                    Err(a.bad_value("the pause", ChoiceError::ZeroPause))
                }
            })?;
        let user = a.one_mention()?;
        Ok(Command::Calendar(CalendarCommand::Pause { duration, user }))
    },
});

const SYNC: Node = Node::Leaf(Leaf {
    name: "sync",
    args: "",
    summary: "Sync every connected calendar now.",
    details: "",
    flags: &[],
    build: |_| Ok(Command::Calendar(CalendarCommand::Sync)),
});

const CONSENT_URL: Node = Node::Leaf(Leaf {
    name: "consent-url",
    args: "",
    summary: "Show the link an admin opens to grant the calendar app access.",
    details: "",
    flags: &[],
    build: |_| Ok(Command::Calendar(CalendarCommand::ConsentUrl)),
});

const SET: Node = Node::Group(Group {
    name: "set",
    summary: "Change how the calendar sets the status.",
    children: &[SET_BUSY, SET_NOTICES, SET_CUSTOM_STATUS],
});

const SET_BUSY: Node = Node::Leaf(Leaf {
    name: "busy",
    args: "dnd|away|off [@user]",
    summary: "Which status to set while busy.",
    details: "",
    flags: &[],
    build: |a| {
        let raw = a.required(
            "a status: `dnd`, `away` or `off`",
            "/lotto calendar set busy dnd",
        )?;
        let mode = BusyMode::from_str(&raw.text).map_err(|e| a.bad_value("the busy status", e))?;
        Ok(Command::Calendar(CalendarCommand::SetBusy {
            mode,
            user: a.one_mention()?,
        }))
    },
});

const SET_NOTICES: Node = Node::Leaf(Leaf {
    name: "notices",
    args: "on|off [@user]",
    summary: "Whether to get a message when the status is changed.",
    details: "",
    flags: &[],
    build: |a| {
        let on = on_off(a, "notices")?;
        Ok(Command::Calendar(CalendarCommand::SetNotices {
            on,
            user: a.one_mention()?,
        }))
    },
});

const SET_CUSTOM_STATUS: Node = Node::Leaf(Leaf {
    name: "custom-status",
    args: "on|off [@user]",
    summary: "Whether the bot sets your custom status while you are out of office or working elsewhere.",
    details: "",
    flags: &[],
    build: |a| {
        let on = on_off(a, "custom-status")?;
        Ok(Command::Calendar(CalendarCommand::SetCustomStatus {
            on,
            user: a.one_mention()?,
        }))
    },
});

fn on_off(a: &mut Args, what: &str) -> Result<bool, ParseError> {
    let raw = a.required("`on` or `off`", &format!("/lotto calendar set {what} on"))?;
    parse_bool(&raw.text)
        .ok_or_else(|| a.bad_value(&format!("`{what}`"), ChoiceError::OnOff(shorten(&raw.text))))
}

impl CalendarCommand {
    /// The canonical command text (without `/lotto `), which parses back to this command.
    pub fn to_input(&self) -> String {
        use CalendarCommand as C;
        let who = |u: &Option<UserRef>| u.as_ref().map(|u| format!(" @{u}")).unwrap_or_default();
        let on_off = |on: &bool| if *on { "on" } else { "off" };
        match self {
            C::Connect {
                source: CalendarSource::Graph { email: None },
                user,
            } => format!("calendar connect graph{}", who(user)),
            C::Connect {
                source: CalendarSource::Graph { email: Some(e) },
                user,
            } => {
                format!(
                    "calendar connect graph {}{}",
                    super::lexer::quote(e.as_str()),
                    who(user)
                )
            }
            C::Connect {
                source: CalendarSource::Ics { url },
                user,
            } => {
                format!(
                    "calendar connect ics {}{}",
                    super::lexer::quote(url.as_str()),
                    who(user)
                )
            }
            C::Disconnect { user } => format!("calendar disconnect{}", who(user)),
            C::Show { user } => format!("calendar show{}", who(user)),
            C::SetBusy { mode, user } => format!("calendar set busy {mode}{}", who(user)),
            C::SetNotices { on, user } => {
                format!("calendar set notices {}{}", on_off(on), who(user))
            }
            C::SetCustomStatus { on, user } => {
                format!("calendar set custom-status {}{}", on_off(on), who(user))
            }
            C::Pause { duration, user } => {
                format!("calendar pause {}{}", format_duration(*duration), who(user))
            }
            C::Resume { user } => format!("calendar resume{}", who(user)),
            C::Sync => "calendar sync".into(),
            C::ConsentUrl => "calendar consent-url".into(),
        }
    }
}

#[cfg(test)]
mod tests;
