//! What each command answers, as a view: a struct that is both the `--json` object (its serde
//! output, a contract: field names and value formats stay) and the source of the Markdown people
//! read, so the two can't disagree.
//!
//! JSON times are RFC 3339 in UTC, durations as typed (`1w`), skills `{name: level}`; a field that
//! holds people is always a list, even of one. Fields only the Markdown needs are `#[serde(skip)]`.

pub mod admin;
pub mod autopilot;
pub mod calendar;
pub mod calendar_admin;
pub mod calendar_show;
pub mod forecast;
pub mod history;
pub mod holiday;
pub mod ical;
pub mod info;
pub mod person;
pub mod presence;
pub mod profile;
pub mod rotation;
pub mod rotation_show;
pub mod ser;
pub mod stats;
pub mod swap;
pub mod task;

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use serde::Serialize;
use serde_json::Value;

pub use admin::SupportPacketView;
pub use autopilot::{AutopilotAllView, AutopilotRunView};
pub use calendar::{
    CalendarNow, ConnectedView, DisconnectedView, SettingsChange, SettingsChangedView, SourceView,
};
pub use calendar_admin::{ConsentView, SyncView};
pub use calendar_show::CalendarShowView;
pub use history::{HistoryLine, HistoryView};
pub use info::{HelpView, InfoView, SkillListView, SkillView};
pub use person::{JoinedView, LeftView, PeopleEvent, PeopleView, PersonView};
pub use rotation::{
    NeedsChangedView, OwnersView, RotationChange, RotationChangedView, RotationListView,
    RotationView,
};
pub use rotation_show::{MemberView, PlannedShift, RotationCreatedView, RotationDetailView};
pub use ser::PersonRef;
pub use task::{TaskEvent, TaskListView, TaskPerson, TaskReplyView, TaskView};

/// Who reads a reply: times show in their zone; "in 3 days" counts from the command's time.
#[derive(Debug, Clone, Copy)]
pub struct Reader {
    pub tz: Tz,
    pub now: DateTime<Utc>,
}

/// A reply: serialised for `--json`, rendered as Markdown otherwise.
pub trait View: Serialize + Send + 'static {
    fn markdown(&self, reader: &Reader) -> String;
}

/// A handler's result: one view, rendered only the way the command asked for.
pub struct Output(Box<dyn Render>);

/// `View` as an object: `Serialize` is generic, so it can't be boxed itself.
trait Render: Send {
    fn markdown(&self, reader: &Reader) -> String;
    fn json(&self) -> serde_json::Result<Value>;
}

impl<V: View> Render for V {
    fn markdown(&self, reader: &Reader) -> String {
        View::markdown(self, reader)
    }

    fn json(&self) -> serde_json::Result<Value> {
        serde_json::to_value(self)
    }
}

impl<V: View> From<V> for Output {
    fn from(view: V) -> Self {
        Output(Box::new(view))
    }
}

impl Output {
    pub fn markdown(&self, reader: &Reader) -> String {
        self.0.markdown(reader)
    }

    /// The `--json` reply: a fenced, pretty-printed object whose keys come in alphabetical order
    /// (going through `Value` sorts them, as replies always have).
    pub fn json(&self) -> String {
        let pretty = self
            .0
            .json()
            .and_then(|v| serde_json::to_string_pretty(&v))
            // Views hold strings, numbers and string-keyed maps only, which always serialise; `null`
            // keeps a reply coming should one ever not.
            .unwrap_or_else(|e| {
                tracing::error!(error = %e, "a reply could not be serialised");
                "null".into()
            });
        format!("```json\n{pretty}\n```")
    }
}
