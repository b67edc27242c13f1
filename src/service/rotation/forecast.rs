//! `rotation forecast <rot> [--shifts N]`: the next N shifts (open tasks first, then the shifts not
//! created yet, as the holiday policy places them), each with the request its fill would get now,
//! run through `lottery::forecast`. Reads only: nothing is written, no one is told.

use chrono::{DateTime, TimeDelta, Utc};

use crate::command::RotationName;
use crate::lottery::forecast::{DEFAULT_DRAWS, Forecast, ForecastShift, forecast};
use crate::lottery::local_time::to_local;
use crate::lottery::{
    HolidayPolicy, Interval, ShiftOnHoliday, TaskId, TaskState, TaskTimes, TaskType,
};
use crate::service::context::Ctx;
use crate::service::ops::{TaskOps, to_needs};
use crate::service::views::forecast::{ForecastRow, ForecastView, RowKind};
use crate::service::{Result, format};
use crate::store::rotations::{NeedKind, Rotation};
use crate::store::tasks::Task;
use crate::store::{self, Conn};

/// How many shift numbers past the next one a forecast looks at for N held shifts (a long run of
/// skipped holidays must not make it loop for ever).
const MAX_LOOKAHEAD: i64 = 400;

/// A shift to forecast and what the reply says about it.
struct Upcoming {
    row: ForecastRow,
    shift: ForecastShift,
}

pub async fn forecast_rotation(ctx: &Ctx, name: &RotationName, count: u32) -> Result<ForecastView> {
    let mut conn = ctx.read().await?;
    let r = ctx.rotation(&mut conn, name).await?;
    let ops = TaskOps::new(ctx.by(), ctx.now).read_in(ctx.tz());
    let upcoming = upcoming(ctx, &ops, &mut conn, &r, count as usize).await?;
    let users: Vec<_> = {
        let mut all: Vec<_> = upcoming
            .iter()
            .flat_map(|u| match &u.shift {
                ForecastShift::Draw { request, .. } => request
                    .candidates
                    .iter()
                    .map(|c| c.user.clone())
                    .chain(request.assigned.iter().map(|a| a.user.clone()))
                    .collect::<Vec<_>>(),
                ForecastShift::Fixed { users, .. } => users.clone(),
                ForecastShift::NotHeld => Vec::new(),
            })
            .collect();
        all.sort();
        all.dedup();
        all
    };
    let names = ctx.names(&mut conn, &users).await?;
    drop(conn);

    let (rows, shifts): (Vec<ForecastRow>, Vec<ForecastShift>) =
        upcoming.into_iter().map(|u| (u.row, u.shift)).unzip();
    let input = Forecast {
        shifts,
        tz: r.tz,
        // Fixed per rotation, so asking twice gives the same odds.
        seed: r.seed,
        draws: DEFAULT_DRAWS,
    };
    // Thousands of fills, yet milliseconds for a realistic rotation (benches/forecast.rs), so it
    // runs in place rather than on a blocking thread.
    let report = forecast(&input);
    Ok(ForecastView::new(&r.name, report, rows, &users, names))
}

/// Open tasks in start order, then shifts not created yet, until `count` held shifts (shifts a
/// holiday skips are listed too, without counting).
async fn upcoming(
    ctx: &Ctx,
    ops: &TaskOps,
    conn: &mut Conn,
    r: &Rotation,
    count: usize,
) -> Result<Vec<Upcoming>> {
    let mut out = Vec::new();
    let mut held = 0;
    for t in store::tasks::of_rotation(conn, r.id, false).await? {
        if held >= count {
            break;
        }
        let u = open_task(ops, conn, r, &t).await?;
        held += usize::from(!matches!(u.shift, ForecastShift::NotHeld));
        out.push(u);
    }
    if r.task_type != TaskType::Shift || held >= count {
        return Ok(out);
    }
    let holidays = TaskOps::holidays(conn, r, ctx.now).await?;
    let require = to_needs(store::rotations::needs(conn, r.id, NeedKind::Require).await?);
    let limit = to_needs(store::rotations::needs(conn, r.id, NeedKind::Limit).await?);
    let first = TaskOps::next_shift_number(conn, r, ctx.now).await?;
    for n in first..first + MAX_LOOKAHEAD {
        if held >= count {
            break;
        }
        if store::tasks::by_number(conn, r.id, n).await?.is_some() {
            continue;
        }
        let Ok(plan) = TaskOps::planned_shift(r, n, &holidays) else {
            break;
        };
        let (start, duration, note) = match plan {
            ShiftOnHoliday::Keep { start, duration } => (start, duration, None),
            ShiftOnHoliday::Moved {
                start,
                duration,
                from,
            } => (
                start,
                duration,
                Some(format!("moved from the holiday {from}")),
            ),
            ShiftOnHoliday::Skipped { on } => {
                let (start, duration) = TaskOps::shift_times(r, n)?;
                out.push(Upcoming {
                    row: row(
                        r,
                        n,
                        start,
                        duration,
                        RowKind::Skipped,
                        Some(on.to_string()),
                    ),
                    shift: ForecastShift::NotHeld,
                });
                continue;
            }
        };
        let task = planned_task(r, n, start, duration, ctx.now);
        let mut request = ops.fill_request(conn, r, &task).await?;
        request.require = require.clone();
        request.limit = limit.clone();
        out.push(Upcoming {
            row: row(r, n, start, duration, RowKind::Planned, note),
            shift: ForecastShift::Draw {
                request,
                grace: r.grace,
            },
        });
        held += 1;
    }
    Ok(out)
}

/// An open task: settled once scheduled, a draw while pending, not held if it starts on a holiday
/// the rotation skips (a fill would refuse it).
async fn open_task(ops: &TaskOps, conn: &mut Conn, r: &Rotation, t: &Task) -> Result<Upcoming> {
    let (start, finish) = t.times.span();
    let kind = RowKind::Task(t.state);
    let row = |kind, note| ForecastRow {
        id: format::task_ref(&r.name, t),
        number: t.number,
        kind,
        start,
        finish,
        note,
    };
    if t.state != TaskState::Pending {
        let users = store::tasks::users(conn, t.id).await?;
        return Ok(Upcoming {
            row: row(kind, None),
            shift: ForecastShift::Fixed {
                interval: Interval::new(start, finish),
                users,
                grace: t.grace,
            },
        });
    }
    // As `TaskOps::check_holiday` decides for the fill.
    if t.kind == TaskType::Shift && r.holidays != HolidayPolicy::Ignore {
        let day = to_local(t.times.expected_start, r.tz).date();
        let days = TaskOps::holidays(conn, r, t.times.expected_start).await?;
        if days.contains(&day) {
            return Ok(Upcoming {
                row: row(RowKind::Skipped, Some(day.to_string())),
                shift: ForecastShift::NotHeld,
            });
        }
    }
    let request = ops.fill_request(conn, r, t).await?;
    Ok(Upcoming {
        row: row(kind, None),
        shift: ForecastShift::Draw {
            request,
            grace: t.grace,
        },
    })
}

fn row(
    r: &Rotation,
    n: i64,
    start: DateTime<Utc>,
    duration: TimeDelta,
    kind: RowKind,
    note: Option<String>,
) -> ForecastRow {
    ForecastRow {
        id: format::task_name(&r.name, n),
        number: n,
        kind,
        start,
        finish: start + duration,
        note,
    }
}

/// Shift `n` as the task it would be: a stand-in id (negative, so never a real task's) keys the
/// forecast's random stream; nobody on it yet.
fn planned_task(
    r: &Rotation,
    n: i64,
    start: DateTime<Utc>,
    duration: TimeDelta,
    now: DateTime<Utc>,
) -> Task {
    Task {
        id: TaskId(-1 - n),
        rotation_id: r.id,
        number: n,
        kind: TaskType::Shift,
        state: TaskState::Pending,
        times: TaskTimes {
            expected_start: start,
            expected_duration: duration,
            actual_start: None,
            actual_finish: None,
        },
        grace: r.grace,
        summary: None,
        reminded_start: false,
        reminded_finish: false,
        created_at: now,
    }
}
