//! `task override <task> @from @to [--start T --finish T] [--force]`: an owner has `@to` serve
//! instead of `@from` for the whole task or part of it. The task keeps its people; the override is
//! what `who`, the DMs and the iCal feeds show for its stretch of time.

use super::{at_names, can_take};
use crate::command::{DateTimeArg, TaskRef, UserRef};
use crate::lottery::history::{HistoryEntry, HistoryEvent, Person};
use crate::lottery::{Interval, TaskState, UserId};
use crate::notify::message::OverrideDm;
use crate::notify::{self, Message, Queued};
use crate::service::context::Ctx;
use crate::service::views::PersonRef;
use crate::service::views::swap::OverrideView;
use crate::service::{Output, Result, ServiceError, TaskOps, render};
use crate::store::overrides::{self, NewOverride};
use crate::store::{self};

pub async fn cover(
    ctx: &Ctx,
    task: &TaskRef,
    from: &UserRef,
    to: &UserRef,
    range: (Option<&DateTimeArg>, Option<&DateTimeArg>),
    force: bool,
) -> Result<Output> {
    let people = ctx.users(&[from.clone(), to.clone()]).await?;
    let [from, to] = people.as_slice() else {
        return Err(ServiceError::invalid("Name two people: `@from` and `@to`."));
    };
    let mut tx = ctx.begin().await?;
    let (r, t) = ctx.task(&mut tx, task).await?;
    ctx.require_owner(&mut tx, &r, "override who serves on its tasks")
        .await?;
    let name = render::task_ref(&r.name, &t);
    let (fname, tname) = (format!("@{}", from.username), format!("@{}", to.username));
    if t.state == TaskState::Finished {
        return Err(ServiceError::invalid(format!(
            "{name} is finished: who served on it can't change any more."
        )));
    }
    if from.id == to.id {
        return Err(ServiceError::invalid(format!(
            "{fname} can't serve instead of themself: name two different people."
        )));
    }
    let on_task = store::tasks::users(&mut tx, t.id).await?;
    if !on_task.contains(&from.id) {
        return Err(ServiceError::invalid(format!(
            "{fname} is not on {name}, so nobody can serve instead of them. See who is: `/lotto task show {name}`."
        )));
    }
    if on_task.contains(&to.id) {
        return Err(ServiceError::invalid(format!(
            "{tname} is already on {name}."
        )));
    }
    let (task_start, task_finish) = t.times.span();
    let resolve = |arg: Option<&DateTimeArg>, default| match arg {
        None => Ok(default),
        Some(a) => a
            .resolve(ctx.tz(), ctx.now)
            .map_err(|e| ServiceError::invalid(e.to_string())),
    };
    let start = resolve(range.0, task_start)?;
    let finish = resolve(range.1, task_finish)?;
    let tz = ctx.tz();
    if start >= finish || start < task_start || finish > task_finish {
        return Err(ServiceError::invalid(format!(
            "An override must be a stretch within {name}, which runs {} → {}; `--start` must come before `--finish`.",
            render::time(task_start, tz),
            render::time(task_finish, tz)
        )));
    }
    if !force {
        let mut fill = TaskOps::new(ctx.by(), ctx.now)
            .fill_request(&mut tx, &r, &t)
            .await?;
        fill.interval = Interval::new(start, finish);
        let Some(c) = fill.candidates.iter().find(|c| c.user == to.id) else {
            return Err(ServiceError::invalid(format!(
                "{tname} is not in {}: add `--force` to have them serve anyway.",
                r.name
            )));
        };
        if let Err(why) = can_take(&fill, &from.id, c) {
            let why = why.replace(to.id.as_str(), &tname);
            return Err(ServiceError::invalid(format!(
                "Can't have {tname} serve instead of {fname} on {name}: {why}. Add `--force` to override anyway. Nothing was changed."
            )));
        }
    }
    let ops = TaskOps::new(ctx.by(), ctx.now);
    let wearing = ops.oncall_before_change(&mut tx, &r, &t).await?;
    let id = overrides::insert(
        &mut tx,
        &NewOverride {
            task_id: t.id,
            from: from.id.clone(),
            to: to.id.clone(),
            start,
            finish,
            created_by: ctx.actor.user.id.clone(),
        },
        ctx.now,
    )
    .await?;
    let whole = start == task_start && finish == task_finish;
    let event = HistoryEvent::Overridden {
        from: Person::new(from.id.clone(), &from.username),
        to: Person::new(to.id.clone(), &to.username),
        start: (start != task_start).then_some(start),
        finish: (finish != task_finish).then_some(finish),
    };
    let entry = HistoryEntry::task(r.id, t.id, ctx.now, ctx.by(), event);
    store::history::record(&mut tx, &entry).await?;
    // On a started task the on-call status changes hands now if the stretch has begun.
    ops.oncall_after_change(&mut tx, &r, &t, &wearing).await?;
    let mut told: Vec<(UserId, &'static str)> =
        vec![(from.id.clone(), "from"), (to.id.clone(), "to")];
    for o in store::members::owner_ids(&mut tx, r.id).await? {
        if !told.iter().any(|(u, _)| u == &o) && o != ctx.actor.user.id {
            told.push((o, "owner"));
        }
    }
    let ids: Vec<UserId> = told.iter().map(|(u, _)| u.clone()).collect();
    let (profiles, _) = at_names(&mut tx, &ids).await?;
    for (user, audience) in told {
        let tz = profiles.get(&user).map_or(chrono_tz::Tz::UTC, |p| p.zone());
        let dm = OverrideDm {
            override_id: id,
            task_id: t.id,
            audience,
            actor: format!("@{}", ctx.actor.user.username),
            from: fname.clone(),
            to: tname.clone(),
            task: name.clone(),
            rotation: r.name.clone(),
            start: render::time(start, tz),
            finish: render::time(finish, tz),
            zone: tz.name().to_string(),
            whole,
        };
        let queued = Queued {
            to: user,
            rotation_id: Some(r.id),
            message: Message::Overridden(dm),
        };
        notify::queue(&mut tx, &queued, ctx.now).await?;
    }
    ctx.commit(tx).await?;
    Ok(OverrideView {
        task: name,
        from: PersonRef::named(&from.id, fname),
        to: PersonRef::named(&to.id, tname),
        start,
        finish,
        whole,
        forced: force,
    }
    .into())
}
