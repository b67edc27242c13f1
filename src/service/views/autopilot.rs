//! `rotation autopilot <rot>` (one rotation, every step) and `autopilot` (every rotation with the
//! autopilot on, one summary line each).

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::{Reader, View, ser};
use crate::service::{AutopilotReport, format};

/// What one step did.
#[derive(Debug, Clone, Serialize)]
pub struct StepView {
    pub step: String,
    pub result: String,
    /// For the one-line summary only.
    #[serde(skip)]
    pub acted: bool,
}

pub fn steps(report: &AutopilotReport) -> Vec<StepView> {
    report
        .lines
        .iter()
        .map(|l| StepView {
            step: l.step.clone(),
            result: l.result.clone(),
            acted: l.acted,
        })
        .collect()
}

/// `rotation autopilot <rot>`.
#[derive(Debug, Clone, Serialize)]
pub struct AutopilotRunView {
    pub rotation: String,
    #[serde(serialize_with = "ser::time")]
    pub now: DateTime<Utc>,
    pub steps: Vec<StepView>,
}

impl View for AutopilotRunView {
    fn markdown(&self, r: &Reader) -> String {
        let mut text = format!(
            "Ran the autopilot on **{}** for {}:",
            self.rotation,
            format::time(self.now, r.tz)
        );
        for s in &self.steps {
            text.push_str(&format!("\n- {}: {}", s.step, s.result));
        }
        text
    }
}

/// `autopilot`.
#[derive(Debug, Clone, Serialize)]
pub struct AutopilotAllView {
    #[serde(serialize_with = "ser::time")]
    pub now: DateTime<Utc>,
    pub rotations: Vec<RotationSteps>,
}

#[derive(Debug, Clone, Serialize)]
pub struct RotationSteps {
    pub rotation: String,
    pub steps: Vec<StepView>,
}

impl View for AutopilotAllView {
    fn markdown(&self, r: &Reader) -> String {
        if self.rotations.is_empty() {
            return "No rotation has the autopilot on. Turn it on with `/lotto rotation set autopilot <rotation> --create --schedule --start-finish`.".into();
        }
        let n = self.rotations.len();
        let mut lines = vec![format!(
            "Ran the autopilot of {n} rotation{} for {}:",
            if n == 1 { "" } else { "s" },
            format::time(self.now, r.tz)
        )];
        for rs in &self.rotations {
            lines.push(format!("- **{}**: {}", rs.rotation, summary(&rs.steps)));
        }
        lines.join("\n")
    }
}

/// The steps that did something (or failed), on one line; "nothing to do" when none did.
fn summary(steps: &[StepView]) -> String {
    let acted: Vec<String> = steps
        .iter()
        .filter(|s| s.acted)
        .map(|s| format!("{}: {}", s.step, s.result))
        .collect();
    if acted.is_empty() {
        "nothing to do".into()
    } else {
        acted.join("; ")
    }
}
