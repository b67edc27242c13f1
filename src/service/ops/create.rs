//! New tasks: when shift `n` falls, which shift comes next, and creating shifts and tickets.

use std::collections::BTreeSet;

use chrono::{DateTime, NaiveDate, TimeDelta, Utc};

use super::TaskOps;
use crate::lottery::local_time::to_local;
use crate::lottery::{HistoryEvent, HolidayPolicy, ShiftOnHoliday, TaskType, holiday};
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

    /// The holidays of `r` (its own and everyone's) from the day before `from` on; none when the
    /// rotation ignores them.
    pub async fn holidays(
        conn: &mut Conn,
        r: &Rotation,
        from: DateTime<Utc>,
    ) -> Result<BTreeSet<NaiveDate>> {
        if r.holidays == HolidayPolicy::Ignore {
            return Ok(BTreeSet::new());
        }
        let day = to_local(from, r.tz).date();
        let day = day.pred_opt().unwrap_or(day);
        Ok(store::holidays::days_for(conn, r.id, day).await?)
    }

    /// Shift `n` as the rotation's holiday policy has it: as planned, moved, or skipped.
    pub fn planned_shift(
        r: &Rotation,
        n: i64,
        holidays: &BTreeSet<NaiveDate>,
    ) -> Result<ShiftOnHoliday> {
        let (start, duration) = Self::shift_times(r, n)?;
        Ok(holiday::apply(r.holidays, holidays, r.tz, start, duration))
    }

    /// Refuses to fill a shift that starts on a holiday the rotation doesn't work on (one created
    /// before the holiday was added).
    pub async fn check_holiday(conn: &mut Conn, r: &Rotation, task: &Task) -> Result<()> {
        if task.kind != TaskType::Shift || r.holidays == HolidayPolicy::Ignore {
            return Ok(());
        }
        let start = task.times.expected_start;
        let days = Self::holidays(conn, r, start).await?;
        let day = to_local(start, r.tz).date();
        if days.contains(&day) {
            return Err(ServiceError::invalid(format!(
                "{} starts on {day}, a holiday, and in {} {}. Change its start, or let {} work on holidays with `/lotto rotation set holidays {} ignore`.",
                format::task_name(&r.name, task.number),
                r.name,
                r.holidays.describe(),
                r.name,
                r.name
            )));
        }
        Ok(())
    }

    /// The shift to create when none is named: the first one starting at or after now that doesn't exist
    /// yet, is not skipped for a holiday, and never one before the last created.
    pub async fn next_shift_number(
        conn: &mut Conn,
        r: &Rotation,
        now: DateTime<Utc>,
    ) -> Result<i64> {
        let n = Self::next_shift_number_any(conn, r, now).await?;
        let days = Self::holidays(conn, r, now).await?;
        if days.is_empty() {
            return Ok(n);
        }
        // A year of daily shifts is more than any run of holidays.
        for m in n..n + 400 {
            if !matches!(
                Self::planned_shift(r, m, &days)?,
                ShiftOnHoliday::Skipped { .. }
            ) {
                return Ok(m);
            }
        }
        Ok(n)
    }

    async fn next_shift_number_any(
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
        let (planned, _) = Self::shift_times(r, n)?;
        let days = Self::holidays(conn, r, planned).await?;
        let (start, duration) = match Self::planned_shift(r, n, &days)? {
            ShiftOnHoliday::Keep { start, duration }
            | ShiftOnHoliday::Moved {
                start, duration, ..
            } => (start, duration),
            ShiftOnHoliday::Skipped { on } => {
                return Err(ServiceError::invalid(format!(
                    "{} would start on {on}, a holiday, and in {} {}. To hold it anyway: `/lotto rotation set holidays {} ignore`.",
                    format::task_name(&r.name, n),
                    r.name,
                    r.holidays.describe(),
                    r.name
                )));
            }
        };
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
        let task = store::tasks::get(conn, id).await?;
        let summary = task.summary.clone();
        self.record(conn, &task, HistoryEvent::TaskCreated { start, summary })
            .await?;
        Ok(task)
    }
}
