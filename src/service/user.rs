//! `/lotto user …`: rotations people are in, their skills and their time off.

use chrono::{DateTime, TimeDelta, Utc};
use serde::Serialize;
use serde_json::{Value, json};

use super::context::{Ctx, Tx};
use super::{Output, Result, ServiceError, format, messages, render};
use crate::command::{DisqualifySkills, RotationName, UnavailableChange, UserCommand, Who};
use crate::lottery::{Interval, Skills};
use crate::store::outbox::{self, NewMessage};
use crate::store::rotations::Rotation;
use crate::store::unavailability::Stored;
use crate::store::users::User;
use crate::store::{self, Conn};

/// Longest single stretch of personal unavailability.
const MAX_UNAVAILABLE: TimeDelta = TimeDelta::days(366);

pub async fn handle(ctx: &Ctx, cmd: UserCommand) -> Result<Output> {
    match cmd {
        UserCommand::Join {
            rotation,
            who,
            starting,
        } => {
            let starting = match starting {
                Some(s) => Some(
                    s.resolve(ctx.tz(), ctx.now)
                        .map_err(|e| ServiceError::invalid(e.to_string()))?,
                ),
                None => None,
            };
            join(ctx, &rotation, &who, starting).await
        }
        UserCommand::Leave { rotation, who } => leave(ctx, &rotation, &who).await,
        UserCommand::Qualify { who, skills } => qualify(ctx, &who, &skills).await,
        UserCommand::Disqualify { who, skills } => disqualify(ctx, &who, skills).await,
        UserCommand::Show { who } => show(ctx, &who).await,
        UserCommand::Unavailable { who, change } => unavailable(ctx, &who, change).await,
    }
}

fn mentions(users: &[User]) -> Vec<String> {
    users.iter().map(|u| format!("@{}", u.username)).collect()
}

/// Owners may act on others in their rotation; anyone may act on themselves; admins on anyone.
async fn require_for_rotation(
    ctx: &Ctx,
    conn: &mut Conn,
    r: &Rotation,
    users: &[User],
    what: &str,
) -> Result<()> {
    if ctx.is_self(users) {
        return Ok(());
    }
    ctx.require_owner(conn, r, &format!("{what} other people"))
        .await
}

/// Changing someone else's skills or time off: a bot admin, or an owner of a rotation they are in.
async fn require_for_person(ctx: &Ctx, conn: &mut Conn, users: &[User], what: &str) -> Result<()> {
    if ctx.is_self(users) || ctx.actor.is_bot_admin {
        return Ok(());
    }
    for u in users {
        if u.id == ctx.actor.user.id {
            continue;
        }
        let mut allowed = false;
        for (rid, _) in store::rotations::memberships(conn, &u.id).await? {
            if store::rotations::owner_ids(conn, rid)
                .await?
                .contains(&ctx.actor.user.id)
            {
                allowed = true;
                break;
            }
        }
        if !allowed {
            return Err(ServiceError::Forbidden(format!(
                "You can {what} only for yourself, or for members of a rotation you own (@{} isn't). Bot admins can do it for anyone.",
                u.username
            )));
        }
    }
    Ok(())
}

async fn join(
    ctx: &Ctx,
    name: &RotationName,
    who: &Who,
    starting: Option<DateTime<Utc>>,
) -> Result<Output> {
    let users = ctx.who(who).await?;
    let mut tx = ctx.begin().await?;
    let r = ctx.rotation(&mut tx, name).await?;
    require_for_rotation(ctx, &mut tx, &r, &users, "add").await?;
    let joined_at = starting.unwrap_or(ctx.now);
    let mut added = Vec::new();
    let mut already = Vec::new();
    for u in &users {
        if store::rotations::add_member(&mut tx, r.id, &u.id, joined_at).await? {
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
    let next = next_tasks_text(&mut tx, &r, ctx).await?;
    for u in &added {
        #[derive(Serialize)]
        struct W<'a> {
            /// Who added them; `None` when they joined themselves.
            actor: Option<String>,
            rotation: &'a str,
            task_type: &'a str,
            next_tasks: Option<String>,
        }
        let actor = (u.id != ctx.actor.user.id).then(|| format!("@{}", ctx.actor.user.username));
        let message = messages::render(
            "welcome_rotation",
            &W {
                actor,
                rotation: &r.name,
                task_type: r.task_type.as_str(),
                next_tasks: next.clone(),
            },
        );
        outbox::enqueue(
            &mut tx,
            &NewMessage {
                key: format!("join:{}:{}:{}", r.id, u.id, ctx.now.timestamp()),
                user_id: u.id.clone(),
                kind: "welcome",
                message,
                rotation_id: Some(r.id),
            },
            ctx.now,
        )
        .await?;
    }
    ctx.commit(tx).await?;
    let mut text = format!(
        "Added {} to **{}**.",
        format::people(&mentions(&added)),
        r.name
    );
    if starting.is_some_and(|s| s > ctx.now) {
        text.push_str(&format!(
            " They take part in the lottery for tasks from {} on.",
            format::time(joined_at, ctx.tz())
        ));
    }
    if !already.is_empty() {
        text.push_str(&format!(" ({} already in it.)", already.join(", ")));
    }
    Ok(Output::new(
        text,
        json!({ "rotation": r.name, "added": added.iter().map(|u| render::person_json(u.id.as_str(), &u.username)).collect::<Vec<_>>(), "joined_at": render::rfc3339(joined_at) }),
    ))
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

async fn leave(ctx: &Ctx, name: &RotationName, who: &Who) -> Result<Output> {
    let users = ctx.who(who).await?;
    let mut tx = ctx.begin().await?;
    let r = ctx.rotation(&mut tx, name).await?;
    require_for_rotation(ctx, &mut tx, &r, &users, "remove").await?;
    let mut removed = Vec::new();
    let mut not_members = Vec::new();
    for u in &users {
        if store::rotations::remove_member(&mut tx, r.id, &u.id).await? {
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
    let owners = super::ops::owners_text(&mut tx, r.id).await?;
    for u in &removed {
        let open: Vec<String> = store::tasks::open_tasks_of_user(&mut tx, &u.id)
            .await?
            .into_iter()
            .filter(|(rn, _)| *rn == r.name)
            .map(|(rn, t)| format::task_ref(&rn, &t))
            .collect();
        #[derive(Serialize)]
        struct L<'a> {
            /// Who removed them; `None` when they left themselves.
            actor: Option<String>,
            rotation: &'a str,
            open_tasks: Option<String>,
            owners: &'a str,
        }
        let actor = (u.id != ctx.actor.user.id).then(|| format!("@{}", ctx.actor.user.username));
        let message = messages::render(
            "removed_rotation",
            &L {
                actor,
                rotation: &r.name,
                open_tasks: (!open.is_empty()).then(|| open.join(", ")),
                owners: &owners,
            },
        );
        outbox::enqueue(
            &mut tx,
            &NewMessage {
                key: format!("leave:{}:{}:{}", r.id, u.id, ctx.now.timestamp()),
                user_id: u.id.clone(),
                kind: "removed",
                message,
                rotation_id: Some(r.id),
            },
            ctx.now,
        )
        .await?;
    }
    ctx.commit(tx).await?;
    Ok(Output::new(
        format!(
            "Removed {} from **{}**.",
            format::people(&mentions(&removed)),
            r.name
        ),
        json!({ "rotation": r.name, "removed": removed.iter().map(|u| render::person_json(u.id.as_str(), &u.username)).collect::<Vec<_>>() }),
    ))
}

async fn qualify(ctx: &Ctx, who: &Who, skills: &Skills) -> Result<Output> {
    let users = ctx.who(who).await?;
    let mut tx = ctx.begin().await?;
    require_for_person(ctx, &mut tx, &users, "set skills").await?;
    for (skill, level) in skills {
        store::skills::add(&mut tx, skill, ctx.now).await?;
        for u in &users {
            store::users::set_skill(&mut tx, &u.id, skill, *level).await?;
        }
    }
    let out = people_json(&mut tx, &users).await?;
    ctx.commit(tx).await?;
    Ok(Output::new(
        format!(
            "{} now {} {}.",
            format::people(&mentions(&users)),
            if users.len() == 1 { "has" } else { "have" },
            format::skills(skills)
        ),
        out,
    ))
}

async fn disqualify(ctx: &Ctx, who: &Who, skills: DisqualifySkills) -> Result<Output> {
    let users = ctx.who(who).await?;
    let mut tx = ctx.begin().await?;
    require_for_person(ctx, &mut tx, &users, "remove skills").await?;
    let text = match skills {
        DisqualifySkills::All => {
            for u in &users {
                store::users::remove_all_skills(&mut tx, &u.id).await?;
            }
            format!(
                "Removed every skill from {}.",
                format::people(&mentions(&users))
            )
        }
        DisqualifySkills::These(names) => {
            let mut removed_any = false;
            for s in &names {
                for u in &users {
                    removed_any |= store::users::remove_skill(&mut tx, &u.id, s).await?;
                }
            }
            if !removed_any {
                return Err(ServiceError::NotFound(format!(
                    "{} {} none of {}, so nothing was removed.",
                    format::people(&mentions(&users)),
                    if users.len() == 1 { "has" } else { "have" },
                    names
                        .iter()
                        .map(|n| n.to_string())
                        .collect::<Vec<_>>()
                        .join(", ")
                )));
            }
            format!(
                "Removed {} from {}.",
                names
                    .iter()
                    .map(|n| n.to_string())
                    .collect::<Vec<_>>()
                    .join(", "),
                format::people(&mentions(&users))
            )
        }
    };
    let out = people_json(&mut tx, &users).await?;
    ctx.commit(tx).await?;
    Ok(Output::new(text, out))
}

async fn unavailable(ctx: &Ctx, who: &Who, change: UnavailableChange) -> Result<Output> {
    let users = ctx.who(who).await?;
    let tz = ctx.tz();
    let mut tx: Tx = ctx.begin().await?;
    require_for_person(ctx, &mut tx, &users, "change time off").await?;
    let text = match change {
        UnavailableChange::Add { start, finish } => {
            let (s, f) = (resolve(&start, tz, ctx)?, resolve(&finish, tz, ctx)?);
            if f <= s {
                return Err(ServiceError::invalid(format!(
                    "The finish ({}) must be after the start ({}).",
                    format::time(f, tz),
                    format::time(s, tz)
                )));
            }
            if f - s > MAX_UNAVAILABLE {
                return Err(ServiceError::invalid(
                    "A stretch of time off can be at most a year; add several if you need more."
                        .to_string(),
                ));
            }
            for u in &users {
                store::unavailability::add(
                    &mut tx,
                    &u.id,
                    Stored::Personal,
                    Interval::new(s, f),
                    ctx.now,
                )
                .await?;
            }
            format!(
                "{} {} unavailable from {} to {} ({}): the lottery won't pick {} for anything overlapping.",
                format::people(&mentions(&users)),
                if users.len() == 1 { "is" } else { "are" },
                format::time(s, tz),
                format::time(f, tz),
                tz.name(),
                if users.len() == 1 && ctx.is_self(&users) {
                    "you"
                } else {
                    "them"
                }
            )
        }
        UnavailableChange::Clear { range } => {
            let window = match range {
                Some((s, f)) => Some(Interval::new(resolve(&s, tz, ctx)?, resolve(&f, tz, ctx)?)),
                None => None,
            };
            let mut n = 0;
            for u in &users {
                n += store::unavailability::clear(&mut tx, &u.id, Stored::Personal, window).await?;
            }
            if n == 0 {
                return Err(ServiceError::NotFound(format!(
                    "{} no personal time off {}, so nothing was cleared.",
                    format::people(&mentions(&users))
                        + if users.len() == 1 { " has" } else { " have" },
                    if window.is_some() {
                        "in that range"
                    } else {
                        "recorded"
                    }
                )));
            }
            format!(
                "Cleared {n} stretch{} of time off for {}.",
                if n == 1 { "" } else { "es" },
                format::people(&mentions(&users))
            )
        }
    };
    let out = people_json(&mut tx, &users).await?;
    ctx.commit(tx).await?;
    Ok(Output::new(text, out))
}

fn resolve(d: &crate::command::DateTimeArg, tz: chrono_tz::Tz, ctx: &Ctx) -> Result<DateTime<Utc>> {
    d.resolve(tz, ctx.now)
        .map_err(|e| ServiceError::invalid(e.to_string()))
}

async fn show(ctx: &Ctx, who: &Who) -> Result<Output> {
    let users = ctx.who(who).await?;
    let mut conn = ctx.read().await?;
    let tz = ctx.tz();
    let mut text = String::new();
    for u in &users {
        let skills = store::users::skills(&mut conn, &u.id).await?;
        let rotations = store::rotations::memberships(&mut conn, &u.id).await?;
        let tasks = store::tasks::open_tasks_of_user(&mut conn, &u.id).await?;
        let away = store::unavailability::of_user_from(&mut conn, &u.id, ctx.now).await?;
        text.push_str(&format!("#### @{}\n", u.username));
        text.push_str(&format!("- **Skills:** {}\n", format::skills(&skills)));
        text.push_str(&format!(
            "- **Rotations:** {}\n",
            if rotations.is_empty() {
                "none".into()
            } else {
                rotations
                    .iter()
                    .map(|(_, n)| n.clone())
                    .collect::<Vec<_>>()
                    .join(", ")
            }
        ));
        let t: Vec<String> = tasks
            .iter()
            .map(|(rn, t)| {
                format!(
                    "{} ({}, {})",
                    format::task_ref(rn, t),
                    t.state,
                    format::time(t.times.start(), tz)
                )
            })
            .collect();
        text.push_str(&format!(
            "- **Tasks:** {}\n",
            if t.is_empty() {
                "none".into()
            } else {
                t.join(", ")
            }
        ));
        let a: Vec<String> = away
            .iter()
            .map(|e| {
                format!(
                    "{} → {} ({})",
                    format::time(e.unavailability.interval.start, tz),
                    format::time(e.unavailability.interval.finish, tz),
                    reason(&e.unavailability.reason)
                )
            })
            .collect();
        text.push_str(&format!(
            "- **Unavailable:** {}\n",
            if a.is_empty() {
                "no time off coming up".into()
            } else {
                a.join("; ")
            }
        ));
        if let Some(z) = u.tz {
            text.push_str(&format!("- **Time zone:** {}\n", z.name()));
        }
    }
    let json = people_json(&mut conn, &users).await?;
    Ok(Output::new(text.trim_end().to_string(), json))
}

fn reason(r: &crate::lottery::Reason) -> &'static str {
    match r {
        crate::lottery::Reason::Personal => "personal",
        crate::lottery::Reason::Calendar => "calendar",
        crate::lottery::Reason::Task { .. } => "task",
        crate::lottery::Reason::Grace { .. } => "grace",
    }
}

/// One object for one person, an array for several.
async fn people_json(conn: &mut Conn, users: &[User]) -> Result<Value> {
    let mut items = Vec::new();
    for u in users {
        let skills = store::users::skills(conn, &u.id).await?;
        let rotations = store::rotations::memberships(conn, &u.id).await?;
        let tasks = store::tasks::open_tasks_of_user(conn, &u.id).await?;
        let away =
            store::unavailability::of_user_from(conn, &u.id, Utc::now() - TimeDelta::days(3650))
                .await?;
        items.push(json!({
            "id": u.id.as_str(),
            "username": u.username,
            "time_zone": u.tz.map(|z| z.name().to_string()),
            "skills": render::skills_json(&skills),
            "rotations": rotations.iter().map(|(_, n)| n.clone()).collect::<Vec<_>>(),
            "tasks": tasks.iter().map(|(rn, t)| json!({"id": format::task_ref(rn, t), "state": t.state.to_string(), "start": render::rfc3339(t.times.start()), "finish": render::rfc3339(t.times.finish())})).collect::<Vec<_>>(),
            "unavailable": away.iter().map(|e| json!({"start": render::rfc3339(e.unavailability.interval.start), "finish": render::rfc3339(e.unavailability.interval.finish), "reason": reason(&e.unavailability.reason)})).collect::<Vec<_>>(),
        }));
    }
    Ok(if items.len() == 1 {
        items.remove(0)
    } else {
        Value::Array(items)
    })
}
