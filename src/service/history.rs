//! `rotation history` and `task history`: everyone may read every rotation's changes; and the
//! pruning of changes older than the retention (the history job's tick).

use chrono::{DateTime, TimeDelta, Utc};

use super::context::Ctx;
use super::views::{HistoryLine, HistoryView};
use super::{Result, Service, ServiceError, format};
use crate::command::{DateTimeArg, HistoryCommand};
use crate::store;
use crate::store::history::{Page, Scope};

/// Most changes one reply shows (the latest); `--since` narrows the rest.
pub const MAX_SHOWN: i64 = 50;

pub async fn handle(ctx: &Ctx, cmd: HistoryCommand) -> Result<HistoryView> {
    let mut conn = ctx.read().await?;
    match cmd {
        HistoryCommand::Rotation { rotation, since } => {
            let r = ctx.rotation(&mut conn, &rotation).await?;
            let since = resolve(ctx, since.as_ref())?;
            let page =
                store::history::list(&mut conn, Scope::Rotation(r.id), since, MAX_SHOWN).await?;
            Ok(view(ctx, r.name, None, since, page))
        }
        HistoryCommand::Task { task, since } => {
            let (r, t) = ctx.task(&mut conn, &task).await?;
            let since = resolve(ctx, since.as_ref())?;
            let page = store::history::list(&mut conn, Scope::Task(t.id), since, MAX_SHOWN).await?;
            let name = format::task_name(&r.name, t.number);
            Ok(view(ctx, r.name, Some(name), since, page))
        }
    }
}

/// `--since` in the reader's zone.
fn resolve(ctx: &Ctx, since: Option<&DateTimeArg>) -> Result<Option<DateTime<Utc>>> {
    since
        .map(|arg| {
            arg.resolve(ctx.tz(), ctx.now)
                .map_err(|e| ServiceError::invalid(format!("--since: {e}.")))
        })
        .transpose()
}

fn view(
    ctx: &Ctx,
    rotation: String,
    task: Option<String>,
    since: Option<DateTime<Utc>>,
    page: Page,
) -> HistoryView {
    let tz = ctx.tz();
    let entries: Vec<HistoryLine> = page
        .records
        .into_iter()
        .map(|rec| HistoryLine {
            at: rec.at,
            description: match &rec.event {
                Some(e) => e.describe(tz),
                None => rec.summary.clone(),
            },
            actor: rec.actor,
            task: rec.task.map(|(_, n)| format::task_name(&rotation, n)),
            event: rec.event,
        })
        .collect();
    HistoryView {
        more: (page.total - entries.len() as i64).max(0),
        total: page.total,
        rotation,
        task,
        since,
        entries,
    }
}

/// Deletes the changes recorded more than `retention` before `now`; how many.
pub async fn prune(svc: &Service, now: DateTime<Utc>, retention: TimeDelta) -> Result<u64> {
    let Some(before) = now.checked_sub_signed(retention) else {
        return Ok(0);
    };
    let mut tx = svc.db().begin_write().await?;
    let pruned = store::history::prune(&mut tx, before).await?;
    store::commit(tx).await?;
    Ok(pruned)
}
