//! `calendar connect|disconnect|set|pause|resume`, and what `calendar show` shares with them: the
//! source, the settings, what the calendar says now.

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use serde::Serialize;

use super::{Reader, View, ser};
use crate::calendar::rules::{BusyStatus, Settings, StatusKind};
use crate::calendar::{self, Availability, Source, ics};
use crate::service::format;

/// Where a calendar comes from; an ICS link keeps only what is safe to show.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum SourceView {
    Graph { email: String },
    Ics { url: String },
}

impl SourceView {
    pub fn new(source: &Source) -> Self {
        match source {
            Source::Graph { email } => SourceView::Graph {
                email: email.clone(),
            },
            Source::Ics { url } => SourceView::Ics {
                url: ics::redact(url),
            },
        }
    }

    pub fn describe(&self) -> String {
        match self {
            SourceView::Graph { email } => format!("Microsoft 365 calendar (`{email}`)"),
            SourceView::Ics { url } => format!("ICS feed (`{url}`)"),
        }
    }
}

/// `{"busy_status": "dnd", "notices": true, "custom_status": true, "paused_until": null}`
pub fn settings<S: serde::Serializer>(s: &Settings, ser: S) -> Result<S::Ok, S::Error> {
    #[derive(Serialize)]
    struct Json {
        busy_status: String,
        notices: bool,
        custom_status: bool,
        #[serde(serialize_with = "ser::opt_time")]
        paused_until: Option<DateTime<Utc>>,
    }
    Json {
        busy_status: s.busy_status.to_string(),
        notices: s.notices,
        custom_status: s.custom_status,
        paused_until: s.paused_until,
    }
    .serialize(ser)
}

/// `busy → Do Not Disturb · notices on · custom status on`, and a pause in force.
pub fn describe_settings(s: &Settings, r: &Reader) -> String {
    let busy = match s.busy_status {
        BusyStatus::Dnd => "busy → Do Not Disturb",
        BusyStatus::Away => "busy → Away",
        BusyStatus::Off => "busy → status left alone",
    };
    let on_off = |b: bool| if b { "on" } else { "off" };
    let mut text = format!(
        "{busy} · notices {} · custom status {}",
        on_off(s.notices),
        on_off(s.custom_status)
    );
    if let Some(until) = s.paused_until.filter(|_| s.is_paused(r.now)) {
        text.push_str(&format!(
            " · **paused until {}**",
            format::time(until, r.tz)
        ));
    }
    text
}

/// What the calendar says at the command's time.
#[derive(Debug, Clone, Serialize)]
pub struct CalendarNow {
    pub availability: Availability,
    #[serde(serialize_with = "ser::opt_time")]
    pub busy_until: Option<DateTime<Utc>>,
    #[serde(serialize_with = "ser::opt_time")]
    pub out_of_office_until: Option<DateTime<Utc>>,
    #[serde(serialize_with = "ser::opt_time")]
    pub working_elsewhere_until: Option<DateTime<Utc>>,
    /// How the busy stretch is marked (busy, tentative).
    #[serde(skip)]
    pub busy_as: Option<Availability>,
}

impl CalendarNow {
    pub fn new(view: &calendar::CalendarView) -> Self {
        CalendarNow {
            availability: view.availability(),
            busy_until: view.busy().map(|r| r.end()),
            out_of_office_until: view.out_of_office().map(|r| r.end()),
            working_elsewhere_until: view.working_elsewhere().map(|r| r.end()),
            busy_as: view.busy().map(|r| r.availability()),
        }
    }

    /// `busy until Mon 2026-03-02 15:00 CET`, several kinds joined, or `free`.
    pub fn describe(&self, tz: Tz) -> String {
        let until =
            |word: &str, end: DateTime<Utc>| format!("{word} until {}", format::time(end, tz));
        let parts: Vec<String> = [
            self.out_of_office_until
                .map(|end| until("out of office", end)),
            self.busy_until
                .zip(self.busy_as)
                .map(|(end, a)| until(a.describe(), end)),
            self.working_elsewhere_until
                .map(|end| until("working elsewhere", end)),
        ]
        .into_iter()
        .flatten()
        .collect();
        if parts.is_empty() {
            "free".into()
        } else {
            format::people(&parts)
        }
    }
}

/// `calendar connect`.
#[derive(Debug, Clone, Serialize)]
pub struct ConnectedView {
    pub user: String,
    pub source: SourceView,
    /// The calendar connected before, if any.
    pub replaced: Option<SourceView>,
    pub readable: bool,
    /// Why it could not be read just now.
    pub error: Option<String>,
    /// What the calendar says now, when it could be read.
    #[serde(skip)]
    pub now: Option<CalendarNow>,
    /// `your`, or `@bob's`.
    #[serde(skip)]
    pub whose: String,
    /// `you`, or `@bob`.
    #[serde(skip)]
    pub them: String,
}

impl View for ConnectedView {
    fn markdown(&self, r: &Reader) -> String {
        let mut lines = vec![format!(
            "Connected {} {}{}.",
            self.whose,
            self.source.describe(),
            if self.replaced.is_some() {
                " (it replaces the calendar connected before)"
            } else {
                ""
            }
        )];
        match (&self.now, &self.error) {
            (Some(now), _) => lines.push(format!("Right now it shows: {}.", now.describe(r.tz))),
            (None, Some(e)) => lines.push(format!(
                "It could not be read just now, so the bot will keep trying: {e}"
            )),
            (None, None) => {}
        }
        lines.push(format!(
            "From the next sync, busy time sets **Do Not Disturb** until it ends, out-of-office time sets an \"Out of office\" custom status and keeps rotations from picking {}, and a DM says what changed. Change this with `/lotto calendar set busy dnd|away|off`, `set notices on|off`, `set custom-status on|off`; take the wheel with `/lotto calendar pause 2h`.",
            self.them
        ));
        lines.join("\n")
    }
}

/// `calendar disconnect`.
#[derive(Debug, Clone, Serialize)]
pub struct DisconnectedView {
    pub user: String,
    pub source: SourceView,
    /// The status the bot put back, if it had set one.
    pub status_restored: Option<StatusKind>,
    /// Out-of-office entries taken out of the lottery.
    pub unavailability_removed: u64,
    #[serde(skip)]
    pub whose: String,
    #[serde(skip)]
    pub custom_status_cleared: bool,
    /// Changes of its own the bot could not undo.
    #[serde(skip)]
    pub undo_failures: Vec<String>,
    /// Why the bot could not look at the status at all.
    #[serde(skip)]
    pub status_unreadable: Option<String>,
}

impl View for DisconnectedView {
    fn markdown(&self, _: &Reader) -> String {
        let mut lines = vec![format!(
            "Disconnected {} {}: the bot no longer changes that status.",
            self.whose,
            self.source.describe()
        )];
        let mut handed_back = Vec::new();
        if let Some(kind) = self.status_restored {
            handed_back.push(format!("put the status back to **{}**", kind.describe()));
        }
        if self.custom_status_cleared {
            handed_back.push("cleared the custom status it had set".into());
        }
        for f in &self.undo_failures {
            lines.push(format!("The bot could not undo its own change: {f}"));
        }
        if let Some(e) = &self.status_unreadable {
            lines.push(format!(
                "The bot could not check the Mattermost status to undo its own changes ({e}); change it by hand if needed."
            ));
        }
        let removed = self.unavailability_removed;
        if removed > 0 {
            handed_back.push(format!(
                "removed {removed} out-of-office {} from the lottery",
                if removed == 1 { "entry" } else { "entries" }
            ));
        }
        if !handed_back.is_empty() {
            lines.push(format!("It also {}.", format::people(&handed_back)));
        }
        lines.join("\n")
    }
}

/// Which calendar setting changed.
#[derive(Debug, Clone, Copy)]
pub enum SettingsChange {
    Busy(BusyStatus),
    Notices(bool),
    CustomStatus(bool),
    Paused(DateTime<Utc>),
    Resumed,
}

/// `calendar set …`, `pause`, `resume`.
#[derive(Debug, Clone, Serialize)]
pub struct SettingsChangedView {
    pub user: String,
    #[serde(serialize_with = "settings")]
    pub settings: Settings,
    #[serde(skip)]
    pub change: SettingsChange,
    /// Someone else's settings (`@bob`), or the actor's own (`None`).
    #[serde(skip)]
    pub other: Option<String>,
}

impl View for SettingsChangedView {
    fn markdown(&self, r: &Reader) -> String {
        let said: String = match self.change {
            SettingsChange::Busy(BusyStatus::Dnd) => "While the calendar says busy, the status will be **Do Not Disturb** until the busy time ends.".into(),
            SettingsChange::Busy(BusyStatus::Away) => "While the calendar says busy, the status will be **Away**.".into(),
            SettingsChange::Busy(BusyStatus::Off) => "The status is left alone while busy (out-of-office custom status and rotations still follow the calendar).".into(),
            SettingsChange::Notices(true) => "The bot will send a DM each time it changes the status.".into(),
            SettingsChange::Notices(false) => "The bot will change the status without a DM.".into(),
            SettingsChange::CustomStatus(true) => "Out of office or working elsewhere in the calendar will show as a custom status (only over no custom status or the bot's own).".into(),
            SettingsChange::CustomStatus(false) => "The bot will not set custom statuses (and clears its own next run).".into(),
            SettingsChange::Paused(until) => format!(
                "Paused until {}: the bot changes no status or custom status until then. Out-of-office time still keeps rotations from picking {}. `/lotto calendar resume` ends the pause early.",
                format::time(until, r.tz),
                self.other.as_deref().unwrap_or("you"),
            ),
            SettingsChange::Resumed => "Resumed: from the next run the status follows the calendar again.".into(),
        };
        match &self.other {
            Some(them) => format!("For {them}: {said}"),
            None => said,
        }
    }
}
