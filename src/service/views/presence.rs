//! `who [<rot>]` (who is on call now, whether they are there, who is next) and the replies of
//! `rotation set presence` and `rotation set oncall-status`. Lists, one line per person, so they
//! read on a phone.

use chrono::{DateTime, TimeDelta, Utc};
use serde::Serialize;

use super::ser::{self, PersonRef};
use super::{Reader, View};
use crate::service::format;

#[derive(Debug, Clone, Serialize)]
pub struct WhoView {
    pub rotations: Vec<WhoRotation>,
    /// False when Mattermost could not be asked: statuses are then unknown, not offline.
    pub statuses_known: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct WhoRotation {
    pub rotation: String,
    /// Tasks running now: started, or scheduled with their interval covering now.
    pub now: Vec<WhoTask>,
    pub next: Option<WhoTask>,
}

#[derive(Debug, Clone, Serialize)]
pub struct WhoTask {
    pub task: String,
    /// `started`, `scheduled`, `pending`.
    pub state: String,
    #[serde(serialize_with = "ser::time")]
    pub start: DateTime<Utc>,
    #[serde(serialize_with = "ser::time")]
    pub finish: DateTime<Utc>,
    pub people: Vec<WhoPerson>,
}

#[derive(Debug, Clone, Serialize)]
pub struct WhoPerson {
    #[serde(flatten)]
    pub person: PersonRef,
    /// `online`, `away`, `dnd`, `offline`, `ooo`; `None` when unknown.
    pub status: Option<String>,
    /// The custom status, unless it has expired.
    pub custom_status: Option<WhoCustomStatus>,
    /// Since when they have been offline, as the presence job saw it.
    #[serde(serialize_with = "ser::opt_time")]
    pub offline_since: Option<DateTime<Utc>>,
    /// Whom they serve instead of now, by an owner's override (`task override`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub covering_for: Option<PersonRef>,
}

#[derive(Debug, Clone, Serialize)]
pub struct WhoCustomStatus {
    pub emoji: String,
    pub text: String,
    #[serde(serialize_with = "ser::opt_time")]
    pub expires_at: Option<DateTime<Utc>>,
}

impl View for WhoView {
    fn markdown(&self, reader: &Reader) -> String {
        if self.rotations.is_empty() {
            return "There are no active rotations yet; create one with `/lotto rotation new <name>`."
                .into();
        }
        let mut out = Vec::new();
        for r in &self.rotations {
            out.push(format!("#### {}", r.rotation));
            if r.now.is_empty() {
                out.push("Nobody is on call now.".into());
            }
            for t in &r.now {
                out.push(format!(
                    "**{}** ({}), until {}:",
                    t.task,
                    t.state,
                    format::time(t.finish, reader.tz)
                ));
                if t.people.is_empty() {
                    out.push("- nobody is assigned".into());
                }
                for p in &t.people {
                    out.push(format!("- {}", person_line(p, reader)));
                }
            }
            match &r.next {
                Some(t) => {
                    let who: Vec<String> =
                        t.people.iter().map(|p| p.person.mention.clone()).collect();
                    out.push(format!(
                        "Next: **{}**, {} ({}): {}",
                        t.task,
                        format::time(t.start, reader.tz),
                        format::relative(t.start, reader.now),
                        if who.is_empty() {
                            "nobody yet".to_string()
                        } else {
                            format::people(&who)
                        }
                    ));
                }
                None => out.push("Next: no task planned.".into()),
            }
        }
        if !self.statuses_known {
            out.push("_Mattermost did not answer, so statuses are unknown right now._".into());
        }
        out.join("\n")
    }
}

fn person_line(p: &WhoPerson, reader: &Reader) -> String {
    let status = match p.status.as_deref() {
        None => "status unknown".to_string(),
        Some("offline") => match p.offline_since {
            Some(since) => format!(
                "offline since {} ({})",
                format::time(since, reader.tz),
                format::relative(since, reader.now)
            ),
            None => "offline".to_string(),
        },
        Some("dnd") => "do not disturb".to_string(),
        Some("ooo") => "out of office".to_string(),
        Some(other) => other.to_string(),
    };
    let custom = p
        .custom_status
        .as_ref()
        .map(|c| {
            let emoji = if c.emoji.is_empty() {
                String::new()
            } else {
                format!(":{}: ", c.emoji)
            };
            let until = c
                .expires_at
                .map(|t| format!(" (until {})", format::time(t, reader.tz)))
                .unwrap_or_default();
            format!(" · {emoji}{}{until}", c.text)
        })
        .unwrap_or_default();
    let covering = p
        .covering_for
        .as_ref()
        .map(|f| format!(" (covering for {})", f.mention))
        .unwrap_or_default();
    format!("{}{covering}: {status}{custom}", p.person.mention)
}

/// `rotation set presence` / `oncall-status`.
#[derive(Debug, Clone, Serialize)]
pub struct PresenceSettingsView {
    pub rotation: String,
    /// `null` when presence alerts are off.
    #[serde(serialize_with = "opt_duration")]
    pub absent_after: Option<TimeDelta>,
    /// `~name` of the channel that also gets the alerts.
    pub channel: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct OncallStatusView {
    pub rotation: String,
    /// `null` when off.
    pub emoji: Option<String>,
    pub text: Option<String>,
}

fn opt_duration<S: serde::Serializer>(d: &Option<TimeDelta>, s: S) -> Result<S::Ok, S::Error> {
    match d {
        Some(d) => ser::duration(d, s),
        None => s.serialize_none(),
    }
}

impl View for PresenceSettingsView {
    fn markdown(&self, _: &Reader) -> String {
        match self.absent_after {
            None => format!("Presence alerts for {} are off.", self.rotation),
            Some(d) => format!(
                "When someone on a started task of {} has been offline for {}, its owners get a DM{}; one note follows when they are back.",
                self.rotation,
                format::duration(d),
                self.channel
                    .as_ref()
                    .map(|c| format!(" and {c} gets a post"))
                    .unwrap_or_default()
            ),
        }
    }
}

impl View for OncallStatusView {
    fn markdown(&self, _: &Reader) -> String {
        match (&self.emoji, &self.text) {
            (Some(emoji), Some(text)) => format!(
                "The people on a started task of {} get the custom status :{emoji}: {text} until the task ends (from the next start; a status someone set themselves is never cleared).",
                self.rotation
            ),
            _ => format!("{} no longer sets an on-call custom status.", self.rotation),
        }
    }
}
