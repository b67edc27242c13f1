//! Bot admins' calendar replies: `calendar sync` (what one run did) and `calendar consent-url`.

use chrono_tz::Tz;
use serde::Serialize;

use super::{Reader, View};
use crate::calendar::rules::{CustomStatusChange, StatusWrite, UnavailabilityChange};
use crate::calendar::sync::{Change, SyncReport};
use crate::service::format;

/// People listed by `calendar sync` before "and N more".
const SYNC_LINES: usize = 30;
/// People listed by `calendar sync --json`: a reply must fit in one Mattermost post.
const SYNC_JSON_PEOPLE: usize = 50;

/// `calendar sync`: the run's report; the JSON lists the first people and counts the rest.
#[derive(Debug, Clone, Serialize)]
pub struct SyncView {
    #[serde(flatten)]
    pub report: SyncReport,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub people_not_listed: Option<usize>,
}

impl SyncView {
    pub fn new(mut report: SyncReport) -> Self {
        let total = report.people_changed.len();
        let people_not_listed = (total > SYNC_JSON_PEOPLE).then(|| total - SYNC_JSON_PEOPLE);
        report.people_changed.truncate(SYNC_JSON_PEOPLE);
        SyncView {
            report,
            people_not_listed,
        }
    }
}

impl View for SyncView {
    fn markdown(&self, rd: &Reader) -> String {
        let (r, tz) = (&self.report, rd.tz);
        let changes = |n: usize| if n == 1 { "change" } else { "changes" };
        let mut lines = vec![format!(
            "Calendar sync as of {}: {} connected, {} read, {} could not be read; {} status and {} custom-status {}, {} lottery {}, {} {} queued.",
            format::time(r.at, tz),
            r.people,
            r.read,
            r.failed_sources,
            r.status_writes,
            r.custom_status_writes,
            changes(r.custom_status_writes),
            r.unavailability_changes,
            changes(r.unavailability_changes),
            r.messages,
            if r.messages == 1 {
                "message"
            } else {
                "messages"
            },
        )];
        if r.people_changed.is_empty() {
            lines.push("Nothing needed changing.".into());
        }
        for p in r.people_changed.iter().take(SYNC_LINES) {
            let what: Vec<String> = p.changes.iter().map(|c| describe_change(c, tz)).collect();
            lines.push(format!("- @{}: {}", p.username, what.join("; ")));
        }
        let total = r.people_changed.len() + self.people_not_listed.unwrap_or(0);
        if total > SYNC_LINES {
            lines.push(format!("…and {} more.", total - SYNC_LINES));
        }
        lines.join("\n")
    }
}

fn describe_change(c: &Change, tz: Tz) -> String {
    match c {
        Change::Status { status } => match status {
            StatusWrite::Dnd { until: Some(t) } => {
                format!("status → Do Not Disturb until {}", format::time(*t, tz))
            }
            w => format!("status → {}", w.kind().describe()),
        },
        Change::CustomStatus { custom_status } => match custom_status {
            CustomStatusChange::Set(cs) => format!("custom status → “{}”", cs.text),
            CustomStatusChange::Clear => "custom status cleared".into(),
        },
        Change::Unavailability { unavailability } => match unavailability {
            UnavailabilityChange::Upsert { span, .. } => format!(
                "unavailable {} → {}",
                format::time(span.start(), tz),
                format::time(span.end(), tz)
            ),
            UnavailabilityChange::Remove { span } => format!(
                "unavailability {} → {} removed",
                format::time(span.start(), tz),
                format::time(span.end(), tz)
            ),
        },
        Change::WriteFailed { what, error } => format!("{what} not changed: {error}"),
        Change::SourceFailed { error } => format!("calendar not read: {error}"),
        Change::Skipped { reason } => format!("skipped: {reason}"),
    }
}

/// `calendar consent-url`.
#[derive(Debug, Clone, Serialize)]
pub struct ConsentView {
    pub url: String,
    pub tenant: String,
    pub client_id: String,
    pub redirect_uri: String,
    /// `LOTTO_PUBLIC_URL` is not set: the redirect is the standard native-client address.
    #[serde(skip)]
    pub fallback: bool,
}

impl View for ConsentView {
    fn markdown(&self, _: &Reader) -> String {
        let mut text = format!(
            "A Microsoft 365 admin of tenant `{}` opens this link and accepts, which grants the calendar app its permissions (no trip through the Azure portal):\n{}\n\nAfterwards Microsoft sends the browser to `{}`; that address must be listed as a redirect URI of the app registration (Authentication → Add a platform → Web).",
            self.tenant, self.url, self.redirect_uri
        );
        if self.fallback {
            text.push_str(" LOTTO_PUBLIC_URL is not set, so the standard native-client address is used; set LOTTO_PUBLIC_URL to send the admin back to this bot instead.");
        }
        text
    }
}
