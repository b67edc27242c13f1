//! `/lotto task …`

use super::context::{Ctx, Tx};
use super::ops::TaskOps;
use super::views::{PersonRef, TaskEvent, TaskListView, TaskPerson, TaskReplyView, TaskView};
use super::{Output, Result};
use crate::command::{TaskCommand, TaskRef, UserRef};
use crate::lottery::TaskState;
use crate::store::rotations::{NeedKind, Rotation};
use crate::store::tasks::Task;
use crate::store::{self, Conn};

pub async fn handle(ctx: &Ctx, cmd: TaskCommand) -> Result<Output> {
    let reply = match cmd {
        TaskCommand::NewShift { rotation, number } => {
            let mut tx = ctx.begin().await?;
            let r = ctx.rotation(&mut tx, &rotation).await?;
            ctx.require_owner(&mut tx, &r, "create its tasks").await?;
            let n = match number {
                Some(n) => n,
                None => TaskOps::next_shift_number(&mut tx, &r, ctx.now).await?,
            };
            let t = ops(ctx).create_shift(&mut tx, &r, n).await?;
            reply(ctx, tx, &r, &t, TaskEvent::Created).await?
        }
        TaskCommand::NewTicket { rotation, summary } => {
            let mut tx = ctx.begin().await?;
            let r = ctx.rotation(&mut tx, &rotation).await?;
            ctx.require_owner(&mut tx, &r, "create its tasks").await?;
            let t = ops(ctx)
                .create_ticket(&mut tx, &r, summary.map(|s| s.as_str().to_string()))
                .await?;
            reply(ctx, tx, &r, &t, TaskEvent::Created).await?
        }
        TaskCommand::Assign { task, users, force } => {
            assign(ctx, &task, &users, force, true).await?
        }
        TaskCommand::Unassign { task, users, force } => {
            assign(ctx, &task, &users, force, false).await?
        }
        TaskCommand::Fill(task) => {
            let (mut tx, r, t) = for_owner(ctx, &task, "fill its tasks").await?;
            let picked = ops(ctx).fill(&mut tx, &r, &t).await?;
            let names = ctx.names(&mut tx, &picked).await?;
            reply(ctx, tx, &r, &t, TaskEvent::Filled(names)).await?
        }
        TaskCommand::Schedule { task, force } => {
            transition(ctx, &task, TaskState::Scheduled, force).await?
        }
        TaskCommand::Start(task) => transition(ctx, &task, TaskState::Started, false).await?,
        TaskCommand::Finish(task) => transition(ctx, &task, TaskState::Finished, false).await?,
        TaskCommand::Show(task) => {
            let mut conn = ctx.read().await?;
            let (r, t) = ctx.task(&mut conn, &task).await?;
            return Ok(show(ctx, &mut conn, &r, &t).await?.into());
        }
        TaskCommand::List { rotation, all } => {
            let mut conn = ctx.read().await?;
            let r = ctx.rotation(&mut conn, &rotation).await?;
            return Ok(list(ctx, &mut conn, &r, all).await?.into());
        }
        TaskCommand::Swap { task, with } => return super::swap::request(ctx, &task, &with).await,
        TaskCommand::Override {
            task,
            from,
            to,
            start,
            finish,
            force,
        } => {
            let range = (start.as_ref(), finish.as_ref());
            return super::swap::cover(ctx, &task, &from, &to, range, force).await;
        }
    };
    Ok(reply.into())
}

fn ops(ctx: &Ctx) -> TaskOps {
    TaskOps::new(ctx.by(), ctx.now).read_in(ctx.tz())
}

async fn for_owner(ctx: &Ctx, task: &TaskRef, what: &str) -> Result<(Tx, Rotation, Task)> {
    let mut tx = ctx.begin().await?;
    let (r, t) = ctx.task(&mut tx, task).await?;
    ctx.require_owner(&mut tx, &r, what).await?;
    Ok((tx, r, t))
}

/// What the command did and the task as it is now; commits.
async fn reply(
    ctx: &Ctx,
    mut tx: Tx,
    r: &Rotation,
    t: &Task,
    event: TaskEvent,
) -> Result<TaskReplyView> {
    let task = show(ctx, &mut tx, r, t).await?;
    ctx.commit(tx).await?;
    Ok(TaskReplyView { event, task })
}

async fn assign(
    ctx: &Ctx,
    task: &TaskRef,
    users: &[UserRef],
    force: bool,
    add: bool,
) -> Result<TaskReplyView> {
    let people = ctx.users(users).await?;
    let what = if add {
        "assign people to its tasks"
    } else {
        "unassign people from its tasks"
    };
    let (mut tx, r, t) = for_owner(ctx, task, what).await?;
    let changed = if add {
        ops(ctx).assign(&mut tx, &r, &t, &people, force).await?
    } else {
        ops(ctx).unassign(&mut tx, &r, &t, &people, force).await?
    };
    let names = ctx.names(&mut tx, &changed).await?;
    let t = store::tasks::get(&mut tx, t.id).await?;
    let event = if add {
        TaskEvent::Assigned(names)
    } else {
        TaskEvent::Unassigned(names)
    };
    reply(ctx, tx, &r, &t, event).await
}

async fn transition(
    ctx: &Ctx,
    task: &TaskRef,
    to: TaskState,
    force: bool,
) -> Result<TaskReplyView> {
    let verb = match to {
        TaskState::Scheduled => "schedule",
        TaskState::Started => "start",
        TaskState::Finished => "finish",
        TaskState::Pending => "reopen",
    };
    let (mut tx, r, t) = for_owner(ctx, task, &format!("{verb} its tasks")).await?;
    let t = ops(ctx).transition(&mut tx, &r, &t, to, force).await?;
    reply(ctx, tx, &r, &t, TaskEvent::Moved).await
}

/// A task with its people and their skills, and its needs.
pub async fn show(ctx: &Ctx, conn: &mut Conn, r: &Rotation, t: &Task) -> Result<TaskView> {
    let users = store::tasks::users(conn, t.id).await?;
    let names = ctx.names(conn, &users).await?;
    let require = store::tasks::needs(conn, t.id, NeedKind::Require).await?;
    let limit = store::tasks::needs(conn, t.id, NeedKind::Limit).await?;
    let mut people = Vec::with_capacity(users.len());
    for (id, name) in users.iter().zip(names) {
        people.push(TaskPerson {
            person: PersonRef::named(id, name),
            skills: Some(store::users::skills(conn, id).await?),
        });
    }
    Ok(TaskView::new(&r.name, t, people, require, limit))
}

async fn list(ctx: &Ctx, conn: &mut Conn, r: &Rotation, all: bool) -> Result<TaskListView> {
    let mut tasks = Vec::new();
    for t in &store::tasks::of_rotation(conn, r.id, all).await? {
        let users = store::tasks::users(conn, t.id).await?;
        let names = ctx.names(conn, &users).await?;
        let people = PersonRef::all(&users, names)
            .into_iter()
            .map(|person| TaskPerson {
                person,
                skills: None,
            })
            .collect();
        let require = store::tasks::needs(conn, t.id, NeedKind::Require).await?;
        let limit = store::tasks::needs(conn, t.id, NeedKind::Limit).await?;
        tasks.push(TaskView::new(&r.name, t, people, require, limit));
    }
    Ok(TaskListView {
        rotation: r.name.clone(),
        task_type: r.task_type,
        all,
        tasks,
    })
}
