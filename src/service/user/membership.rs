//! `user join|leave`: people in and out of a rotation, each told by DM.

use chrono::{DateTime, Utc};

use super::require_for_rotation;
use crate::command::{RotationName, Who};
use crate::lottery::{HistoryEvent, Person};
use crate::notify::message::{Removed, Welcome};
use crate::notify::{self, Message, Queued};
use crate::service::context::Ctx;
use crate::service::views::{JoinedView, LeftView, PersonRef};
use crate::service::{Result, ServiceError, format};
use crate::store::rotations::Rotation;
use crate::store::users::User;
use crate::store::{self, Conn};

pub async fn join(
    ctx: &Ctx,
    name: &RotationName,
    who: &Who,
    starting: Option<DateTime<Utc>>,
) -> Result<JoinedView> {
    let users = ctx.who(who).await?;
    let mut tx = ctx.begin().await?;
    let r = ctx.rotation(&mut tx, name).await?;
    require_for_rotation(ctx, &mut tx, &r, &users, "add").await?;
    let joined_at = starting.unwrap_or(ctx.now);
    let mut added = Vec::new();
    let mut already = Vec::new();
    for u in &users {
        if store::members::add_member(&mut tx, r.id, &u.id, joined_at).await? {
            added.push(u.clone());
        } else {
            already.push(format!("@{}", u.username));
        }
    }
    if added.is_empty() {
        return Err(ServiceError::Conflict(format!(
            "{} already in {}.",
            already.join(", ") + if already.len() == 1 { " is" } else { " are" },
            r.name
        )));
    }
    let people = added.iter().map(person).collect();
    ctx.record(&mut tx, Some(r.id), None, HistoryEvent::Joined { people })
        .await?;
    let next = next_tasks_text(&mut tx, &r, ctx).await?;
    for u in &added {
        let welcome = Welcome {
            rotation_id: r.id,
            at: ctx.now,
            actor: (u.id != ctx.actor.user.id).then(|| format!("@{}", ctx.actor.user.username)),
            rotation: r.name.clone(),
            task_type: r.task_type.as_str().to_string(),
            next_tasks: next.clone(),
        };
        let queued = Queued {
            to: u.id.clone(),
            rotation_id: Some(r.id),
            message: Message::Welcome(welcome),
        };
        notify::queue(&mut tx, &queued, ctx.now).await?;
    }
    ctx.commit(tx).await?;
    Ok(JoinedView {
        rotation: r.name,
        added: added.iter().map(PersonRef::of).collect(),
        joined_at,
        already,
    })
}

async fn next_tasks_text(conn: &mut Conn, r: &Rotation, ctx: &Ctx) -> Result<Option<String>> {
    let tasks = store::tasks::of_rotation(conn, r.id, false).await?;
    let names: Vec<String> = tasks
        .iter()
        .take(3)
        .map(|t| {
            format!(
                "{} ({})",
                format::task_ref(&r.name, t),
                format::relative(t.times.start(), ctx.now)
            )
        })
        .collect();
    Ok((!names.is_empty()).then(|| names.join(", ")))
}

pub async fn leave(ctx: &Ctx, name: &RotationName, who: &Who) -> Result<LeftView> {
    let users = ctx.who(who).await?;
    let mut tx = ctx.begin().await?;
    let r = ctx.rotation(&mut tx, name).await?;
    require_for_rotation(ctx, &mut tx, &r, &users, "remove").await?;
    let mut removed = Vec::new();
    let mut not_members = Vec::new();
    for u in &users {
        if store::members::remove_member(&mut tx, r.id, &u.id).await? {
            removed.push(u.clone());
        } else {
            not_members.push(format!("@{}", u.username));
        }
    }
    if removed.is_empty() {
        return Err(ServiceError::NotFound(format!(
            "{} not in {}.",
            not_members.join(", ")
                + if not_members.len() == 1 {
                    " is"
                } else {
                    " are"
                },
            r.name
        )));
    }
    let people = removed.iter().map(person).collect();
    ctx.record(&mut tx, Some(r.id), None, HistoryEvent::Left { people })
        .await?;
    let owners = crate::service::ops::owners_text(&mut tx, r.id).await?;
    for u in &removed {
        let open: Vec<String> = store::tasks::open_tasks_of_user(&mut tx, &u.id)
            .await?
            .into_iter()
            .filter(|(rn, _)| *rn == r.name)
            .map(|(rn, t)| format::task_ref(&rn, &t))
            .collect();
        let removed_msg = Removed {
            rotation_id: r.id,
            at: ctx.now,
            actor: (u.id != ctx.actor.user.id).then(|| format!("@{}", ctx.actor.user.username)),
            rotation: r.name.clone(),
            open_tasks: (!open.is_empty()).then(|| open.join(", ")),
            owners: owners.clone(),
        };
        let queued = Queued {
            to: u.id.clone(),
            rotation_id: Some(r.id),
            message: Message::Removed(removed_msg),
        };
        notify::queue(&mut tx, &queued, ctx.now).await?;
    }
    ctx.commit(tx).await?;
    Ok(LeftView {
        rotation: r.name,
        removed: removed.iter().map(PersonRef::of).collect(),
    })
}

fn person(u: &User) -> Person {
    Person::new(u.id.clone(), &u.username)
}
