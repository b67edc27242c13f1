//! The last runs of each job, kept in memory for `info`, the support packet and the logs.

use std::collections::{BTreeMap, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::{DateTime, Utc};
use serde::Serialize;

/// How many runs are kept per job.
const KEPT: usize = 20;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Ok,
    Failed,
    Panicked,
    /// Stopped mid-run: the lease was lost or the process shut down.
    Stopped,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Ok => "ok",
            Outcome::Failed => "failed",
            Outcome::Panicked => "panicked",
            Outcome::Stopped => "stopped",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RunRecord {
    pub started_at: DateTime<Utc>,
    #[serde(serialize_with = "millis")]
    pub duration: Duration,
    pub outcome: Outcome,
    /// The run's summary, or the error.
    pub detail: String,
}

fn millis<S: serde::Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_u64(u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
}

/// Shared by every job's loop; cheap to clone.
#[derive(Debug, Clone, Default)]
pub struct RunLog {
    runs: Arc<Mutex<BTreeMap<&'static str, VecDeque<RunRecord>>>>,
}

impl RunLog {
    pub fn record(&self, job: &'static str, run: RunRecord) {
        // A poisoned lock only means another thread panicked while recording; the data is still
        // a list of records.
        let mut runs = self.runs.lock().unwrap_or_else(|p| p.into_inner());
        let list = runs.entry(job).or_default();
        if list.len() == KEPT {
            list.pop_front();
        }
        list.push_back(run);
    }

    /// Every job's recorded runs, oldest first.
    pub fn snapshot(&self) -> BTreeMap<&'static str, Vec<RunRecord>> {
        let runs = self.runs.lock().unwrap_or_else(|p| p.into_inner());
        runs.iter()
            .map(|(k, v)| (*k, v.iter().cloned().collect()))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_last_runs_are_kept() {
        let log = RunLog::default();
        for i in 0..30 {
            log.record(
                "autopilot",
                RunRecord {
                    started_at: DateTime::<Utc>::from_timestamp(i, 0).unwrap_or_default(),
                    duration: Duration::from_millis(5),
                    outcome: Outcome::Ok,
                    detail: format!("run {i}"),
                },
            );
        }
        let runs = &log.snapshot()["autopilot"];
        assert_eq!(runs.len(), KEPT);
        assert_eq!(runs[0].detail, "run 10");
        assert_eq!(runs[KEPT - 1].detail, "run 29");
    }
}
