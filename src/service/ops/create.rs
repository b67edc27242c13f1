//! New tasks: when shift `n` falls, which shift comes next, and creating shifts and tickets.

use chrono::{DateTime, TimeDelta, Utc};

use super::TaskOps;
use crate::lottery::TaskType;
use crate::service::{Result, ServiceError, format};
use crate::store::rotations::{NeedKind, Rotation};
use crate::store::tasks::{NewTask, Task};
use crate::store::{self, Conn, StoreError};

/// A ticket lasts this long unless the rotation says otherwise.
const DEFAULT_TICKET_DURATION: TimeDelta = TimeDelta::minutes(30);

impl TaskOps {
    /// When shift `n` starts and how long it lasts.
    pub fn shift_times(r: &Rotation, n: i64) -> Result<(DateTime<Utc>, TimeDelta)> {
        let start = r
            .period
            .try_shift_start(r.beginning, r.tz, n)
            .map_err(|_| {
                ServiceError::invalid(format!(
                    "Shift #{n} of {} is too far out to compute.",
                    r.name
                ))
            })?;
        let duration = if r.task_duration > TimeDelta::zero() {
            r.task_duration
        } else {
            let next = r
                .period
                .try_shift_start(r.beginning, r.tz, n + 1)
                .map_err(|_| {
                    ServiceError::invalid(format!(
                        "Shift #{n} of {} is too far out to compute.",
                        r.name
                    ))
                })?;
            next - start
        };
        Ok((start, duration))
    }

    /// The shift to create when none is named: the first one starting at or after now that doesn't exist
    /// yet, and never one before the last created.
    pub async fn next_shift_number(
        conn: &mut Conn,
        r: &Rotation,
        now: DateTime<Utc>,
    ) -> Result<i64> {
        let upcoming = match r.period.shift_number_at(r.beginning, r.tz, now) {
            None => 0,
            Some(n) => {
                let start = r
                    .period
                    .try_shift_start(r.beginning, r.tz, n)
                    .unwrap_or(r.beginning);
                if start >= now { n } else { n + 1 }
            }
        };
        let after_last = store::tasks::max_number(conn, r.id)
            .await?
            .map(|m| m + 1)
            .unwrap_or(0);
        Ok(upcoming.max(after_last))
    }

    pub async fn create_shift(&self, conn: &mut Conn, r: &Rotation, n: i64) -> Result<Task> {
        if r.task_type != TaskType::Shift {
            return Err(ServiceError::invalid(format!(
                "{} has tickets, not shifts: use `/lotto task new ticket {}`.",
                r.name, r.name
            )));
        }
        if n < 0 {
            return Err(ServiceError::invalid(
                "Shift numbers start at 0.".to_string(),
            ));
        }
        if let Some(existing) = store::tasks::by_number(conn, r.id, n).await? {
            return Err(ServiceError::Conflict(format!(
                "{}#{n} already exists ({}, {}).",
                r.name,
                existing.state,
                format::short_time(existing.times.expected_start, r.tz)
            )));
        }
        let (start, duration) = Self::shift_times(r, n)?;
        self.insert_task(conn, r, n, TaskType::Shift, start, duration, None)
            .await
    }

    pub async fn create_ticket(
        &self,
        conn: &mut Conn,
        r: &Rotation,
        summary: Option<String>,
    ) -> Result<Task> {
        if r.task_type != TaskType::Ticket {
            return Err(ServiceError::invalid(format!(
                "{} has shifts, not tickets: use `/lotto task new shift {}`.",
                r.name, r.name
            )));
        }
        let n = store::rotations::next_ticket_seq(conn, r.id).await?;
        let duration = if r.task_duration > TimeDelta::zero() {
            r.task_duration
        } else {
            DEFAULT_TICKET_DURATION
        };
        self.insert_task(conn, r, n, TaskType::Ticket, self.now, duration, summary)
            .await
    }

    #[expect(
        clippy::too_many_arguments,
        reason = "the fields of one new task, for two private callers"
    )]
    async fn insert_task(
        &self,
        conn: &mut Conn,
        r: &Rotation,
        number: i64,
        kind: TaskType,
        start: DateTime<Utc>,
        duration: TimeDelta,
        summary: Option<String>,
    ) -> Result<Task> {
        let new = NewTask {
            rotation_id: r.id,
            number,
            kind,
            expected_start: start,
            expected_duration: duration,
            grace: r.grace,
            summary,
            require: store::rotations::needs(conn, r.id, NeedKind::Require).await?,
            limit: store::rotations::needs(conn, r.id, NeedKind::Limit).await?,
        };
        let id = match store::tasks::insert(conn, &new, self.now).await {
            Ok(id) => id,
            Err(StoreError::Conflict) => {
                return Err(ServiceError::Conflict(format!(
                    "{}#{number} already exists.",
                    r.name
                )));
            }
            Err(e) => return Err(e.into()),
        };
        Ok(store::tasks::get(conn, id).await?)
    }
}
