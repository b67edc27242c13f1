//! One person at a time, for the commands: what the job would do for them now (`calendar show`,
//! and the check `calendar connect` makes), and handing their status back when they disconnect.

use chrono::{DateTime, Utc};
use chrono_tz::Tz;

use super::CalendarSync;
use super::{Applied, mapping, writes};
use crate::calendar::rules::{self, Decision, MattermostStatus, RuleInput};
use crate::calendar::{Block, CalendarView, FetchRequest, Source, SourceError};
use crate::mattermost::MattermostError;
use crate::store::calendar::Connection;

/// Reads one calendar now, as a run would.
pub async fn fetch_one(
    svc: &CalendarSync,
    source: &Source,
    tz: Tz,
    now: DateTime<Utc>,
) -> Result<Vec<Block>, SourceError> {
    let cal = svc;
    let window = cal
        .window(now)
        .ok_or_else(|| SourceError::Decode(format!("the time {now} is too far in the future")))?;
    let request = FetchRequest {
        key: (),
        source: source.clone(),
        tz,
    };
    cal.fetcher
        .fetch_all(vec![request], window)
        .await
        .remove(&())
        .unwrap_or_else(|| {
            Err(SourceError::MissingFromResponse {
                email: "this calendar".into(),
            })
        })
}

/// What the bot sees for a person now and what it would do (nothing is written).
#[derive(Debug, Clone)]
pub struct Preview {
    pub blocks: Result<Vec<Block>, SourceError>,
    pub status: MattermostStatus,
    pub custom_status: Option<rules::CustomStatus>,
    /// `None` when the calendar could not be read.
    pub view: Option<CalendarView>,
    pub decision: Option<Decision>,
}

pub async fn preview(
    svc: &CalendarSync,
    connection: &Connection,
    tz: Tz,
    now: DateTime<Utc>,
) -> Result<Preview, MattermostError> {
    let (blocks, current) = tokio::join!(
        fetch_one(svc, &connection.source, tz, now),
        read_current(svc, connection)
    );
    let (status, custom_status) = current?;
    let view = blocks.as_ref().ok().map(|b| CalendarView::at(b, now));
    let decision = view.clone().map(|view| {
        rules::decide(&RuleInput {
            now,
            settings: connection.settings.clone(),
            status,
            custom_status: custom_status.clone(),
            memory: connection.memory.clone(),
            view,
            tz,
        })
    });
    Ok(Preview {
        blocks,
        status,
        custom_status,
        view,
        decision,
    })
}

async fn read_current(
    svc: &CalendarSync,
    connection: &Connection,
) -> Result<(MattermostStatus, Option<rules::CustomStatus>), MattermostError> {
    let mm = svc.mattermost();
    let (status, user) = tokio::join!(
        mm.get_status(&connection.user_id),
        mm.get_user(&connection.user_id)
    );
    Ok((mapping::status(&status?), mapping::custom_status(&user?)))
}

/// What disconnecting handed back: the status and custom status the bot had set and that were still
/// in place are undone, as if the calendar had gone empty.
#[derive(Debug, Clone)]
pub struct Release {
    pub decision: Decision,
    pub applied: Applied,
}

pub async fn release(
    svc: &CalendarSync,
    connection: &Connection,
    tz: Tz,
    now: DateTime<Utc>,
) -> Result<Release, MattermostError> {
    let (status, custom_status) = read_current(svc, connection).await?;
    let settings = rules::Settings {
        paused_until: None,
        ..connection.settings.clone()
    };
    let decision = rules::decide(&RuleInput {
        now,
        settings,
        status,
        custom_status,
        memory: connection.memory.clone(),
        view: CalendarView::free(now),
        tz,
    });
    let gate = writes::Gate::default();
    let applied = writes::apply(svc.mattermost(), &connection.user_id, &decision, &gate).await;
    Ok(Release { decision, applied })
}
