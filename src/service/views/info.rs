//! `help`, `info` and `skill …`.

use serde::Serialize;

use super::{Reader, View};

/// `help [topic]`.
#[derive(Debug, Clone, Serialize)]
pub struct HelpView {
    pub topic: Vec<String>,
    pub help: String,
}

impl View for HelpView {
    fn markdown(&self, _: &Reader) -> String {
        self.help.clone()
    }
}

/// `info`: what this bot is, and how it is doing.
#[derive(Debug, Clone, Serialize)]
pub struct InfoView {
    pub version: &'static str,
    /// Active rotations.
    pub rotations: usize,
    pub autopilot_rotations: usize,
    pub messages: MessageCounts,
    pub you: You,
    /// Whether some process holds the autopilot's lease.
    #[serde(skip)]
    pub runner: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct MessageCounts {
    pub sent: i64,
    pub queued: i64,
    pub failed: i64,
}

#[derive(Debug, Clone, Serialize)]
pub struct You {
    pub username: String,
    pub bot_admin: bool,
    pub time_zone: String,
}

impl View for InfoView {
    fn markdown(&self, _: &Reader) -> String {
        format!(
            "**Solar Lottery** {} — schedules rotations by solar lottery: whoever has waited longest is most likely next.\n\
             - {} active rotation{}, {} with the autopilot on{}\n\
             - Messages: {} sent, {} waiting, {} undeliverable\n\
             - You are @{}{}; times are shown in {}.\n\
             Type `/lotto help` for the commands.",
            self.version,
            self.rotations,
            if self.rotations == 1 { "" } else { "s" },
            self.autopilot_rotations,
            if self.runner {
                " (a runner holds the autopilot lease)"
            } else {
                ""
            },
            self.messages.sent,
            self.messages.queued,
            self.messages.failed,
            self.you.username,
            if self.you.bot_admin {
                ", a bot admin"
            } else {
                ""
            },
            self.you.time_zone,
        )
    }
}

/// `skill list`: each known skill and how many people have it.
#[derive(Debug, Clone, Serialize)]
#[serde(transparent)]
pub struct SkillListView {
    pub skills: Vec<SkillCount>,
}

#[derive(Debug, Clone, Serialize)]
pub struct SkillCount {
    pub name: String,
    pub people: i64,
}

impl View for SkillListView {
    fn markdown(&self, _: &Reader) -> String {
        if self.skills.is_empty() {
            return "No skills are known yet. `/lotto user qualify --skills webapp-2` adds one (and gives it to you).".to_string();
        }
        let skills: Vec<String> = self
            .skills
            .iter()
            .map(|s| {
                format!(
                    "**{}** ({} {})",
                    s.name,
                    s.people,
                    if s.people == 1 { "person" } else { "people" }
                )
            })
            .collect();
        format!("Known skills: {}", skills.join(", "))
    }
}

/// `skill new|delete`.
#[derive(Debug, Clone, Serialize)]
pub struct SkillView {
    pub name: String,
    /// Added, or deleted.
    #[serde(skip)]
    pub added: bool,
}

impl View for SkillView {
    fn markdown(&self, _: &Reader) -> String {
        if self.added {
            format!("Added **{}** to the known skills.", self.name)
        } else {
            format!(
                "Deleted **{}** from the known skills. People who have it keep it in their profile.",
                self.name
            )
        }
    }
}
