//! `rotation show` (and `rotation new`, which shows what it created): who, what each task needs,
//! the settings in words, and what's next.

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::rotation::{RotationView, needs_text};
use super::ser::{self, PersonRef};
use super::task::TaskView;
use super::{Reader, View};
use crate::lottery::{self, SkillLevel, Skills};
use crate::service::format;

/// How many members the glance describes before it points at `--members`: a rotation of hundreds
/// would otherwise outgrow one Mattermost post.
const MEMBERS_LISTED: usize = 30;

#[derive(Debug, Clone, Serialize)]
pub struct RotationDetailView {
    #[serde(flatten)]
    pub rotation: RotationView,
    pub owners: Vec<PersonRef>,
    /// In join order.
    pub members: Vec<MemberView>,
    #[serde(serialize_with = "ser::needs")]
    pub require: Vec<(SkillLevel, u32)>,
    #[serde(serialize_with = "ser::needs")]
    pub limit: Vec<(SkillLevel, u32)>,
    /// Open tasks, in start order.
    pub tasks: Vec<TaskView>,
    /// Upcoming shifts not created yet (not part of the JSON, which lists what exists).
    #[serde(skip)]
    pub planned: Vec<PlannedShift>,
    /// `--members`: the Markdown is every member on a line of their own (a long list goes out as
    /// several posts); the JSON is the same.
    #[serde(skip)]
    pub members_only: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct MemberView {
    pub id: String,
    /// `None` for someone the bot has no profile of.
    pub username: Option<String>,
    #[serde(serialize_with = "ser::skills")]
    pub skills: Skills,
    #[serde(serialize_with = "ser::time")]
    pub joined_at: DateTime<Utc>,
    #[serde(serialize_with = "ser::opt_time")]
    pub last_served: Option<DateTime<Utc>>,
}

/// A shift the autopilot or an owner has yet to create.
#[derive(Debug, Clone)]
pub struct PlannedShift {
    pub number: i64,
    pub start: DateTime<Utc>,
    pub finish: DateTime<Utc>,
}

impl MemberView {
    /// `@ann (webapp-▣; served 3 days ago)`
    fn describe(&self, r: &Reader) -> String {
        let name = match &self.username {
            Some(u) => format!("@{u}"),
            None => self.id.clone(),
        };
        let served = match self.last_served {
            Some(t) if t > r.now => format!("on a task until {}", format::short_time(t, r.tz)),
            Some(t) => format!("served {}", format::relative(t, r.now)),
            None => "not served yet".into(),
        };
        format!("{name} ({}; {served})", format::skills(&self.skills))
    }
}

impl RotationDetailView {
    fn glance(&self, r: &Reader) -> String {
        let rot = &self.rotation;
        let mut text = format!(
            "#### {}{}\n{} {}s in {} · beginning {}\n",
            rot.name,
            if rot.archived { " (archived)" } else { "" },
            format::capitalise(&rot.period.to_string()),
            rot.task_type,
            rot.tz.name(),
            format::time(rot.beginning, r.tz),
        );
        let owners = ser::mentions(&self.owners);
        text.push_str(&format!(
            "- **Owners:** {}\n",
            if owners.is_empty() {
                "none".into()
            } else {
                owners.join(", ")
            }
        ));
        let members: Vec<String> = self
            .members
            .iter()
            .take(MEMBERS_LISTED)
            .map(|m| m.describe(r))
            .collect();
        text.push_str(&format!(
            "- **Members ({}):** {}{}\n",
            self.members.len(),
            if members.is_empty() {
                format!("nobody yet: `/lotto user join {}`", rot.name)
            } else {
                members.join(", ")
            },
            if self.members.len() > MEMBERS_LISTED {
                format!(
                    " and {} more: `/lotto rotation show {} --members`",
                    self.members.len() - MEMBERS_LISTED,
                    rot.name
                )
            } else {
                String::new()
            }
        ));
        text.push_str(&format!(
            "- **Each task needs:** {}\n",
            needs_text(&self.require, &self.limit)
        ));
        text.push_str(&format!(
            "- **Tasks:** last {}; {}; lottery fuzz {}\n",
            rot.task_length(),
            if rot.grace.is_zero() {
                "no grace after serving".to_string()
            } else {
                format!("grace after serving {}", format::duration(rot.grace))
            },
            rot.fuzz
        ));
        let ap = &rot.autopilot.description;
        text.push_str(&format!(
            "- **Autopilot:** {}\n",
            if ap.is_empty() {
                format!(
                    "off (turn it on with `/lotto rotation set autopilot {} --create --schedule …`)",
                    rot.name
                )
            } else {
                format!("on: {}", ap.join(", "))
            }
        ));

        // What's next: open tasks, then shifts not created yet.
        let mut rows: Vec<String> = self
            .tasks
            .iter()
            .map(|t| {
                t.line(
                    r,
                    &format!("nobody yet (needs {})", format::needs(&t.require)),
                )
            })
            .collect();
        rows.extend(self.planned.iter().map(|p| {
            format::task_line(
                &format::task_name(&rot.name, p.number),
                &format!(
                    "{} → {}",
                    format::time(p.start, r.tz),
                    format::time(p.finish, r.tz)
                ),
                "not created yet",
                "",
            )
        }));
        if !rows.is_empty() {
            text.push_str(&format!("\n**Next** (times in {}):\n", r.tz.name()));
            text.push_str(&rows.join("\n"));
        }
        text.trim_end().to_string()
    }

    fn member_list(&self, r: &Reader) -> String {
        let name = &self.rotation.name;
        if self.members.is_empty() {
            return format!("**{name}** has no members yet: `/lotto user join {name}`");
        }
        let mut lines = vec![format!("Members of **{name}** ({}):", self.members.len())];
        lines.extend(self.members.iter().map(|m| format!("- {}", m.describe(r))));
        lines.join("\n")
    }
}

impl View for RotationDetailView {
    fn markdown(&self, r: &Reader) -> String {
        if self.members_only {
            self.member_list(r)
        } else {
            self.glance(r)
        }
    }
}

/// `rotation new`: what was created, how to go on, and the rotation at a glance.
#[derive(Debug, Clone, Serialize)]
#[serde(transparent)]
pub struct RotationCreatedView {
    /// No `--beginning` was given: the reply says when tasks begin and how to choose otherwise.
    #[serde(skip)]
    pub default_beginning: bool,
    pub detail: RotationDetailView,
}

impl View for RotationCreatedView {
    fn markdown(&self, r: &Reader) -> String {
        let rot = &self.detail.rotation;
        let when = if self.default_beginning {
            format!(
                " Its {}s begin at {} (the start of today); to choose another time, archive it and create it again with e.g. `--beginning \"{} 09:00\"`.",
                rot.task_type.as_str(),
                format::time(rot.beginning, r.tz),
                lottery::local_time::to_local(rot.beginning, rot.tz).format("%Y-%m-%d"),
            )
        } else {
            String::new()
        };
        let name = &rot.name;
        format!(
            "Created rotation **{name}**.{when} Add people with `/lotto user join {name} @someone`, set what each task needs with `/lotto rotation set require {name} --skill any --count 2`.\n\n{}",
            self.detail.markdown(r)
        )
    }
}
