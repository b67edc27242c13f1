//! Everything the status rules read: the person's settings, their Mattermost status and custom
//! status, and the bot's memory of what it did for them. These are our own types, not the Mattermost
//! client's, so the rules stay pure and the job maps the wire types in one place.

use crate::calendar::model::Span;
use crate::calendar::view::RunKey;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// What a person wants while their calendar says busy (`/lotto calendar set busy dnd|away|off`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BusyStatus {
    #[default]
    Dnd,
    Away,
    /// Leave the Mattermost status alone; custom status and out-of-office still apply.
    Off,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{0}` is not a busy status: type `dnd`, `away` or `off`")]
pub struct BusyStatusError(pub String);

impl FromStr for BusyStatus {
    type Err = BusyStatusError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "dnd" | "do-not-disturb" => Ok(Self::Dnd),
            "away" => Ok(Self::Away),
            "off" | "none" => Ok(Self::Off),
            _ => Err(BusyStatusError(s.to_string())),
        }
    }
}

impl fmt::Display for BusyStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Dnd => "dnd",
            Self::Away => "away",
            Self::Off => "off",
        })
    }
}

/// A person's calendar settings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Settings {
    pub busy_status: BusyStatus,
    /// Whether the bot tells the person (by DM) what it changed.
    pub notices: bool,
    /// Whether the bot may set "Out of office" / "Working elsewhere" custom statuses.
    pub custom_status: bool,
    /// Until then the person holds the wheel and the bot changes nothing in Mattermost for them.
    pub paused_until: Option<DateTime<Utc>>,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            busy_status: BusyStatus::Dnd,
            notices: true,
            custom_status: true,
            paused_until: None,
        }
    }
}

impl Settings {
    pub fn is_paused(&self, now: DateTime<Utc>) -> bool {
        self.paused_until.is_some_and(|until| until > now)
    }
}

/// Mattermost's status values (`ooo` is set by the auto-responder, never by the bot).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StatusKind {
    Online,
    Away,
    Dnd,
    Offline,
    #[serde(rename = "ooo")]
    OutOfOffice,
}

impl StatusKind {
    pub fn describe(self) -> &'static str {
        match self {
            Self::Online => "Online",
            Self::Away => "Away",
            Self::Dnd => "Do Not Disturb",
            Self::Offline => "Offline",
            Self::OutOfOffice => "Out of Office",
        }
    }
}

/// The person's status as `POST /users/status/ids` reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct MattermostStatus {
    pub kind: StatusKind,
    pub manual: bool,
    /// `None` when Mattermost says 0 (no end).
    pub dnd_end_time: Option<DateTime<Utc>>,
}

impl MattermostStatus {
    pub fn new(kind: StatusKind, manual: bool) -> Self {
        Self {
            kind,
            manual,
            dnd_end_time: None,
        }
    }
}

/// A status the bot writes with `PUT /users/{id}/status`. Only Do Not Disturb carries an end time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum StatusWrite {
    Online,
    Away,
    Dnd { until: Option<DateTime<Utc>> },
}

impl StatusWrite {
    pub fn kind(&self) -> StatusKind {
        match self {
            Self::Online => StatusKind::Online,
            Self::Away => StatusKind::Away,
            Self::Dnd { .. } => StatusKind::Dnd,
        }
    }

    /// The `dnd_end_time` to send, in epoch seconds (0 = no end), as Mattermost expects it.
    pub fn dnd_end_time(&self) -> i64 {
        match self {
            Self::Dnd { until: Some(until) } => until.timestamp(),
            _ => 0,
        }
    }

    /// Whether Mattermost still shows exactly this write. Mattermost keeps DND end times in whole
    /// minutes, so both sides are compared at minute precision.
    pub fn is_in_place(&self, current: &MattermostStatus) -> bool {
        if current.kind != self.kind() {
            return false;
        }
        match self {
            Self::Dnd { until } => {
                until.map(whole_minute) == current.dnd_end_time.map(whole_minute)
            }
            _ => true,
        }
    }
}

fn whole_minute(t: DateTime<Utc>) -> i64 {
    t.timestamp().div_euclid(60)
}

/// A custom status (emoji + text + optional expiry), as read from `user.props.customStatus` or written.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CustomStatus {
    pub emoji: String,
    pub text: String,
    pub expires_at: Option<DateTime<Utc>>,
}

impl CustomStatus {
    pub const OUT_OF_OFFICE_TEXT: &str = "Out of office";
    pub const OUT_OF_OFFICE_EMOJI: &str = "palm_tree";
    pub const WORKING_ELSEWHERE_TEXT: &str = "Working elsewhere";
    pub const WORKING_ELSEWHERE_EMOJI: &str = "house";

    pub fn out_of_office(until: DateTime<Utc>) -> Self {
        Self {
            emoji: Self::OUT_OF_OFFICE_EMOJI.into(),
            text: Self::OUT_OF_OFFICE_TEXT.into(),
            expires_at: Some(until),
        }
    }

    pub fn working_elsewhere(until: DateTime<Utc>) -> Self {
        Self {
            emoji: Self::WORKING_ELSEWHERE_EMOJI.into(),
            text: Self::WORKING_ELSEWHERE_TEXT.into(),
            expires_at: Some(until),
        }
    }

    /// Mattermost does not enforce expiry (clients hide expired statuses), so an expired one counts
    /// as no custom status at all.
    pub fn is_visible(&self, now: DateTime<Utc>) -> bool {
        self.expires_at.is_none_or(|t| t > now)
    }
}

/// The status before the bot changed it, so it can be put back.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct PreviousStatus {
    pub kind: StatusKind,
    pub manual: bool,
}

/// What the bot did about the Mattermost status for one busy run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatusMemory {
    /// The run this is about; a new run is a new event.
    pub run: RunKey,
    /// What the bot wrote, or `None` when it left the status to the person for this run.
    pub set: Option<StatusWrite>,
    /// The status before the bot's first write, kept across back-to-back runs.
    pub before: Option<PreviousStatus>,
}

/// What the bot did about the custom status for one out-of-office or working-elsewhere run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CustomStatusMemory {
    pub run: RunKey,
    /// What the bot set, or `None` when the person already had their own custom status.
    pub set: Option<CustomStatus>,
}

/// The bot's memory for one person, stored between job runs (as JSON). Store the memory of a
/// [`Decision`](super::Decision) only after its writes succeeded, or the next run will think it
/// changed something it did not.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Memory {
    pub status: Option<StatusMemory>,
    pub custom_status: Option<CustomStatusMemory>,
    /// The calendar unavailability the bot recorded for the lottery.
    pub unavailability: Option<Span>,
}
