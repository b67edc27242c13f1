//! `/lotto task …`

use serde_json::{Value, json};

use super::context::{Ctx, Tx};
use super::ops::TaskOps;
use super::{Output, Result, format, render};
use crate::command::{TaskCommand, TaskRef, UserRef};
use crate::lottery::{TaskState, UserId};
use crate::store::rotations::{NeedKind, Rotation};
use crate::store::tasks::Task;
use crate::store::{self, Conn};

pub async fn handle(ctx: &Ctx, cmd: TaskCommand) -> Result<Output> {
    match cmd {
        TaskCommand::NewShift { rotation, number } => {
            let mut tx = ctx.begin().await?;
            let r = ctx.rotation(&mut tx, &rotation).await?;
            ctx.require_owner(&mut tx, &r, "create its tasks").await?;
            let n = match number {
                Some(n) => n,
                None => TaskOps::next_shift_number(&mut tx, &r, ctx.now).await?,
            };
            let t = ops(ctx).create_shift(&mut tx, &r, n).await?;
            created(ctx, tx, &r, &t).await
        }
        TaskCommand::NewTicket { rotation, summary } => {
            let mut tx = ctx.begin().await?;
            let r = ctx.rotation(&mut tx, &rotation).await?;
            ctx.require_owner(&mut tx, &r, "create its tasks").await?;
            let t = ops(ctx)
                .create_ticket(&mut tx, &r, summary.map(|s| s.as_str().to_string()))
                .await?;
            created(ctx, tx, &r, &t).await
        }
        TaskCommand::Assign { task, users, force } => assign(ctx, &task, &users, force, true).await,
        TaskCommand::Unassign { task, users, force } => {
            assign(ctx, &task, &users, force, false).await
        }
        TaskCommand::Fill(task) => {
            let (mut tx, r, t) = for_owner(ctx, &task, "fill its tasks").await?;
            let picked = ops(ctx).fill(&mut tx, &r, &t).await?;
            let names = ctx.names(&mut tx, &picked).await?;
            let out = show_task(ctx, &mut tx, &r, &t).await?;
            ctx.commit(tx).await?;
            let text = if names.is_empty() {
                format!(
                    "{} already had everyone it needs; nobody was added.",
                    format::task_ref(&r.name, &t)
                )
            } else {
                format!(
                    "The lottery picked {} for {}. Schedule it with `/lotto task schedule {}` to tell them.",
                    format::people(&names),
                    format::task_ref(&r.name, &t),
                    format::task_ref(&r.name, &t)
                )
            };
            Ok(Output::new(format!("{text}\n\n{}", out.text), out.json))
        }
        TaskCommand::Schedule { task, force } => {
            transition(ctx, &task, TaskState::Scheduled, force).await
        }
        TaskCommand::Start(task) => transition(ctx, &task, TaskState::Started, false).await,
        TaskCommand::Finish(task) => transition(ctx, &task, TaskState::Finished, false).await,
        TaskCommand::Show(task) => {
            let mut conn = ctx.read().await?;
            let (r, t) = ctx.task(&mut conn, &task).await?;
            show_task(ctx, &mut conn, &r, &t).await
        }
        TaskCommand::List { rotation, all } => {
            let mut conn = ctx.read().await?;
            let r = ctx.rotation(&mut conn, &rotation).await?;
            list(ctx, &mut conn, &r, all).await
        }
    }
}

fn ops(ctx: &Ctx) -> TaskOps {
    TaskOps::new(format!("@{}", ctx.actor.user.username), ctx.now).read_in(ctx.tz())
}

async fn for_owner(ctx: &Ctx, task: &TaskRef, what: &str) -> Result<(Tx, Rotation, Task)> {
    let mut tx = ctx.begin().await?;
    let (r, t) = ctx.task(&mut tx, task).await?;
    ctx.require_owner(&mut tx, &r, what).await?;
    Ok((tx, r, t))
}

async fn created(ctx: &Ctx, mut tx: Tx, r: &Rotation, t: &Task) -> Result<Output> {
    let out = show_task(ctx, &mut tx, r, t).await?;
    ctx.commit(tx).await?;
    let name = format::task_ref(&r.name, t);
    Ok(Output::new(
        format!(
            "Created {name}. Fill it by lottery with `/lotto task fill {name}`.\n\n{}",
            out.text
        ),
        out.json,
    ))
}

async fn assign(
    ctx: &Ctx,
    task: &TaskRef,
    users: &[UserRef],
    force: bool,
    add: bool,
) -> Result<Output> {
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
    let out = show_task(ctx, &mut tx, &r, &t).await?;
    ctx.commit(tx).await?;
    let name = format::task_ref(&r.name, &t);
    let text = if add {
        format!("Assigned {} to {name}.", format::people(&names))
    } else {
        format!("Took {} off {name}.", format::people(&names))
    };
    Ok(Output::new(format!("{text}\n\n{}", out.text), out.json))
}

async fn transition(ctx: &Ctx, task: &TaskRef, to: TaskState, force: bool) -> Result<Output> {
    let verb = match to {
        TaskState::Scheduled => "schedule",
        TaskState::Started => "start",
        TaskState::Finished => "finish",
        TaskState::Pending => "reopen",
    };
    let (mut tx, r, t) = for_owner(ctx, task, &format!("{verb} its tasks")).await?;
    let t = ops(ctx).transition(&mut tx, &r, &t, to, force).await?;
    let users = store::tasks::users(&mut tx, t.id).await?;
    let out = show_task(ctx, &mut tx, &r, &t).await?;
    ctx.commit(tx).await?;
    let told = if users.is_empty() {
        String::new()
    } else {
        format!(
            " The {} on it will get a DM.",
            if users.len() == 1 { "person" } else { "people" }
        )
    };
    Ok(Output::new(
        format!(
            "{} is now **{}**.{told}\n\n{}",
            format::task_ref(&r.name, &t),
            t.state,
            out.text
        ),
        out.json,
    ))
}

/// A task at a glance: who, when (reader's zone), and how its needs are met.
pub async fn show_task(ctx: &Ctx, conn: &mut Conn, r: &Rotation, t: &Task) -> Result<Output> {
    let tz = ctx.tz();
    let users = store::tasks::users(conn, t.id).await?;
    let names = ctx.names(conn, &users).await?;
    let require = store::tasks::needs(conn, t.id, NeedKind::Require).await?;
    let limit = store::tasks::needs(conn, t.id, NeedKind::Limit).await?;
    let mut skills = Vec::new();
    for u in &users {
        skills.push(store::users::skills(conn, u).await?);
    }
    let name = format::task_ref(&r.name, t);
    let (start, finish) = t.times.span();
    let mut text = format!(
        "#### {name}{}\n",
        t.summary
            .as_ref()
            .map(|s| format!(": {s}"))
            .unwrap_or_default()
    );
    text.push_str(&format!("- **State:** {}\n", t.state));
    text.push_str(&format!(
        "- **When:** {} → {} ({}, {})\n",
        format::time(start, tz),
        format::time(finish, tz),
        tz.name(),
        if start > ctx.now {
            format!("starts {}", format::relative(start, ctx.now))
        } else if finish > ctx.now {
            format!("ends {}", format::relative(finish, ctx.now))
        } else {
            format!("ended {}", format::relative(finish, ctx.now))
        }
    ));
    let who: Vec<String> = names
        .iter()
        .zip(&skills)
        .map(|(n, s)| format!("{n} ({})", format::skills(s)))
        .collect();
    text.push_str(&format!(
        "- **Who:** {}\n",
        if who.is_empty() {
            "nobody yet".to_string()
        } else {
            who.join(", ")
        }
    ));
    let mut needs_lines = Vec::new();
    for (sl, count) in &require {
        let have = skills.iter().filter(|s| sl.qualifies(s)).count() as u32;
        let mark = if have >= *count { "✅" } else { "❌" };
        needs_lines.push(format!("{mark} at least {count} {sl} (has {have})"));
    }
    for (sl, count) in &limit {
        let have = skills.iter().filter(|s| sl.qualifies(s)).count() as u32;
        let mark = if have <= *count { "✅" } else { "⚠️" };
        needs_lines.push(format!("{mark} at most {count} {sl} (has {have})"));
    }
    if !needs_lines.is_empty() {
        text.push_str(&format!("- **Needs:** {}\n", needs_lines.join("; ")));
    }
    if t.grace > chrono::TimeDelta::zero() {
        text.push_str(&format!(
            "- **Grace after:** {}\n",
            format::duration(t.grace)
        ));
    }
    let people = Value::Array(
        users
            .iter()
            .zip(&names)
            .zip(&skills)
            .map(|((id, n), s)| json!({ "id": id.as_str(), "username": n.trim_start_matches('@'), "skills": render::skills_json(s) }))
            .collect(),
    );
    Ok(Output::new(
        text.trim_end().to_string(),
        render::task_json(&r.name, t, people, &require, &limit),
    ))
}

async fn list(ctx: &Ctx, conn: &mut Conn, r: &Rotation, all: bool) -> Result<Output> {
    let tasks = store::tasks::of_rotation(conn, r.id, all).await?;
    if tasks.is_empty() {
        return Ok(Output::new(
            format!(
                "{} has no {}tasks. Create one with `/lotto task new {} {}`.",
                r.name,
                if all { "" } else { "open " },
                r.task_type,
                r.name
            ),
            json!([]),
        ));
    }
    let tz = ctx.tz();
    let mut rows = vec![format!("Tasks of **{}** (times in {}):", r.name, tz.name())];
    let mut items = Vec::new();
    for t in &tasks {
        let users: Vec<UserId> = store::tasks::users(conn, t.id).await?;
        let names = ctx.names(conn, &users).await?;
        rows.push(format::task_line(
            &format::task_ref(&r.name, t),
            &render::span(t, tz),
            &t.state.to_string(),
            &if names.is_empty() {
                "nobody yet".into()
            } else {
                format::people(&names)
            },
        ));
        let require = store::tasks::needs(conn, t.id, NeedKind::Require).await?;
        let limit = store::tasks::needs(conn, t.id, NeedKind::Limit).await?;
        let people = render::people_json(&users, &names);
        items.push(render::task_json(&r.name, t, people, &require, &limit));
    }
    Ok(Output::new(rows.join("\n"), Value::Array(items)))
}
