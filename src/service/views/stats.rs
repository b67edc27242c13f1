//! `rotation stats`: the fairness report, a table per member and per skill.

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::ser::{self, PersonRef};
use super::{Reader, View};
use crate::lottery::fairness::Standing;
use crate::service::format;

#[derive(Debug, Clone, Serialize)]
pub struct StatsView {
    pub rotation: String,
    /// Only tasks starting at or after this count.
    #[serde(serialize_with = "ser::opt_time")]
    pub since: Option<DateTime<Utc>>,
    /// Settled tasks (scheduled, started or finished) counted.
    pub tasks: usize,
    /// Over current members, including those who never served.
    pub mean_services: f64,
    pub mean_hours: f64,
    /// Coefficient of variation (standard deviation over mean, population form).
    pub cv_services: f64,
    pub cv_hours: f64,
    /// Current members in join order, then people who served and have left since.
    pub members: Vec<MemberStats>,
    /// Per skill (any level), over the members who have it.
    pub skills: Vec<SkillStats>,
    pub chart: ChartNote,
}

#[derive(Debug, Clone, Serialize)]
pub struct MemberStats {
    #[serde(flatten)]
    pub person: PersonRef,
    /// Still a member (people who left are listed, not averaged).
    pub member: bool,
    pub services: u32,
    pub hours: f64,
    pub standing: Option<Standing>,
    /// Services minus the average.
    pub versus_mean: Option<f64>,
}

#[derive(Debug, Clone, Serialize)]
pub struct SkillStats {
    pub skill: String,
    pub members: usize,
    pub services: u32,
    pub hours: f64,
    pub mean_services: f64,
    pub cv_services: f64,
}

/// Whether the chart went out as a DM.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "status", content = "detail", rename_all = "snake_case")]
pub enum ChartNote {
    /// The file name of the PNG sent.
    Sent(String),
    /// Why not.
    NotSent(String),
}

impl StatsView {
    fn heading(&self, r: &Reader) -> String {
        let since = match self.since {
            Some(t) => format!(" since {}", format::time(t, r.tz)),
            None => String::new(),
        };
        format!(
            "#### Fairness of {}{since}\n{} task{} served; on average {} services and {} hours per member; coefficient of variation {:.3} (services), {:.3} (hours).",
            self.rotation,
            self.tasks,
            if self.tasks == 1 { "" } else { "s" },
            trim(self.mean_services),
            trim(self.mean_hours),
            self.cv_services,
            self.cv_hours,
        )
    }

    /// The heading alone (for a DM when the tables are too long for one post).
    pub fn summary(&self, r: &Reader) -> String {
        format!(
            "{}\nThe full table: `/lotto rotation stats {}`.",
            self.heading(r),
            self.rotation
        )
    }
}

/// `3`, `2.5`, `0.33`: no trailing zeros.
fn trim(x: f64) -> String {
    let s = format!("{x:.2}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    s.to_string()
}

impl View for StatsView {
    fn markdown(&self, r: &Reader) -> String {
        let mut text = self.heading(r);
        if self.members.is_empty() {
            text.push_str(&format!(
                "\n\n**{}** has no members yet: `/lotto user join {}`",
                self.rotation, self.rotation
            ));
            return text;
        }
        text.push_str(
            "\n\n| member | services | hours | against the average |\n|:--|--:|--:|:--|\n",
        );
        for m in &self.members {
            let against = match (m.standing, m.versus_mean) {
                (Some(Standing::Above), Some(d)) => format!("above (+{})", trim(d)),
                (Some(Standing::Below), Some(d)) => format!("below ({})", trim(d)),
                (Some(Standing::Even), _) => "even".to_string(),
                _ => "not a member any more".to_string(),
            };
            text.push_str(&format!(
                "| {} | {} | {} | {against} |\n",
                m.person.mention,
                m.services,
                trim(m.hours)
            ));
        }
        if !self.skills.is_empty() {
            text.push_str("\n| skill | members | services | hours | per member | variation |\n|:--|--:|--:|--:|--:|--:|\n");
            for s in &self.skills {
                text.push_str(&format!(
                    "| {} | {} | {} | {} | {} | {:.3} |\n",
                    s.skill,
                    s.members,
                    s.services,
                    trim(s.hours),
                    trim(s.mean_services),
                    s.cv_services
                ));
            }
        }
        text.push('\n');
        text.push_str(&match &self.chart {
            ChartNote::Sent(name) => format!("The chart ({name}) is in your direct messages."),
            ChartNote::NotSent(why) if why.is_empty() => String::new(),
            ChartNote::NotSent(why) => format!("No chart this time: {why}."),
        });
        text.trim_end().to_string()
    }
}

#[cfg(test)]
mod tests {
    use insta::assert_snapshot;

    use super::*;
    use crate::lottery::UserId;

    fn member(
        name: &str,
        services: u32,
        hours: f64,
        standing: Option<Standing>,
        d: Option<f64>,
    ) -> MemberStats {
        MemberStats {
            person: PersonRef::named(&UserId::new(format!("id-{name}")), format!("@{name}")),
            member: standing.is_some(),
            services,
            hours,
            standing,
            versus_mean: d,
        }
    }

    #[test]
    fn the_report_reads_as_two_tables_and_says_where_the_chart_went() {
        let view = StatsView {
            rotation: "ICE".into(),
            since: None,
            tasks: 5,
            mean_services: 2.0,
            mean_hours: 112.0,
            cv_services: 0.408,
            cv_hours: 0.408,
            members: vec![
                member("ann", 3, 168.0, Some(Standing::Above), Some(1.0)),
                member("bob", 2, 112.0, Some(Standing::Even), Some(0.0)),
                member("cy", 1, 56.0, Some(Standing::Below), Some(-1.0)),
                member("dee", 1, 56.0, None, None),
            ],
            skills: vec![SkillStats {
                skill: "webapp".into(),
                members: 2,
                services: 4,
                hours: 224.0,
                mean_services: 2.0,
                cv_services: 0.5,
            }],
            chart: ChartNote::Sent("ICE-stats-2026-03-02.png".into()),
        };
        let reader = Reader {
            tz: chrono_tz::Europe::Berlin,
            now: DateTime::parse_from_rfc3339("2026-03-02T09:00:00Z")
                .unwrap()
                .to_utc(),
        };
        assert_snapshot!(view.markdown(&reader), @r"
        #### Fairness of ICE
        5 tasks served; on average 2 services and 112 hours per member; coefficient of variation 0.408 (services), 0.408 (hours).

        | member | services | hours | against the average |
        |:--|--:|--:|:--|
        | @ann | 3 | 168 | above (+1) |
        | @bob | 2 | 112 | even |
        | @cy | 1 | 56 | below (-1) |
        | @dee | 1 | 56 | not a member any more |

        | skill | members | services | hours | per member | variation |
        |:--|--:|--:|--:|--:|--:|
        | webapp | 2 | 4 | 224 | 2 | 0.500 |

        The chart (ICE-stats-2026-03-02.png) is in your direct messages.
        ");
    }
}
