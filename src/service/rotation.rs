//! `/lotto rotation …`

use chrono::{DateTime, TimeDelta, Utc};
use rand::RngExt;
use serde_json::{Value, json};

use super::context::Ctx;
use super::ops::TaskOps;
use super::{Output, Result, ServiceError, format, render};
use crate::command::{self, NeedAction, NeedChange, RotationCommand, RotationName};
use crate::config::RotationCreators;
use crate::lottery::{self, AutopilotChange, SkillLevel, TaskType};
use crate::store::rotations::{NeedKind, NewRotation, Rotation};
use crate::store::{self, Conn, StoreError};

/// How many upcoming shifts `rotation show` lists.
const SHOW_UPCOMING: usize = 4;
/// How many members `rotation show` describes before it points at `--members`: a rotation of
/// hundreds would otherwise outgrow one Mattermost post.
const MEMBERS_LISTED: usize = 30;

pub async fn handle(ctx: &Ctx, cmd: RotationCommand) -> Result<Output> {
    match cmd {
        RotationCommand::New(n) => new(ctx, n).await,
        RotationCommand::List => list(ctx).await,
        RotationCommand::Show { rotation, members } => {
            let mut conn = ctx.read().await?;
            let r = ctx.rotation(&mut conn, &rotation).await?;
            let out = show(ctx, &mut conn, &r).await?;
            if members {
                Ok(Output::new(
                    member_list(ctx, &mut conn, &r).await?,
                    out.json,
                ))
            } else {
                Ok(out)
            }
        }
        RotationCommand::Archive(name) => archive(ctx, &name).await,
        RotationCommand::Autopilot(name) => super::autopilot_cmd::one(ctx, &name).await,
        RotationCommand::SetAutopilot { rotation, change } => {
            set_autopilot(ctx, &rotation, change).await
        }
        RotationCommand::SetFill {
            rotation,
            seed,
            fuzz,
        } => set_fill(ctx, &rotation, seed, fuzz).await,
        RotationCommand::SetRequire(c) => set_need(ctx, NeedKind::Require, c).await,
        RotationCommand::SetLimit(c) => set_need(ctx, NeedKind::Limit, c).await,
        RotationCommand::SetTask {
            rotation,
            duration,
            grace,
        } => set_task(ctx, &rotation, duration, grace).await,
        RotationCommand::OwnerAdd { rotation, users } => owners(ctx, &rotation, &users, true).await,
        RotationCommand::OwnerRemove { rotation, users } => {
            owners(ctx, &rotation, &users, false).await
        }
    }
}

async fn new(ctx: &Ctx, n: command::NewRotation) -> Result<Output> {
    if ctx.svc.deps.rotation_creators == RotationCreators::Admins {
        ctx.require_admin("create rotations (LOTTO_ROTATION_CREATORS=admins)")?;
    }
    let tz = n.tz.unwrap_or_else(|| ctx.tz());
    let beginning = match &n.beginning {
        Some(b) => b
            .resolve(tz, ctx.now)
            .map_err(|e| ServiceError::invalid(e.to_string()))?,
        // Handovers at midnight of the day it was created, not at whatever minute that was.
        None => start_of_day(ctx.now, tz),
    };
    let new = NewRotation {
        name: n.name.as_str().to_string(),
        tz,
        task_type: n.task_type,
        period: n.period,
        beginning,
        seed: n.seed.unwrap_or_else(|| rand::rng().random::<u32>() as u64),
        fuzz: n.fuzz,
        created_by: ctx.actor.user.id.clone(),
    };
    let mut tx = ctx.begin().await?;
    let id = match store::rotations::insert(&mut tx, &new, ctx.now).await {
        Ok(id) => id,
        Err(StoreError::Conflict) => {
            return Err(ServiceError::Conflict(format!(
                "There is already an active rotation called `{}`. Pick another name, or archive the old one first.",
                n.name
            )));
        }
        Err(e) => return Err(e.into()),
    };
    store::rotations::add_owner(&mut tx, id, &ctx.actor.user.id).await?;
    // Every task needs at least one person unless the owners say otherwise.
    store::rotations::set_need(&mut tx, id, NeedKind::Require, &SkillLevel::Any, 1).await?;
    let r = store::rotations::get(&mut tx, id).await?;
    let out = show(ctx, &mut tx, &r).await?;
    ctx.commit(tx).await?;
    let when = if n.beginning.is_none() {
        format!(
            " Its {}s begin at {} (the start of today); to choose another time, archive it and create it again with e.g. `--beginning \"{} 09:00\"`.",
            r.task_type.as_str(),
            format::time(beginning, ctx.tz()),
            lottery::local_time::to_local(beginning, tz).format("%Y-%m-%d"),
        )
    } else {
        String::new()
    };
    Ok(Output::new(
        format!(
            "Created rotation **{}**.{when} Add people with `/lotto user join {} @someone`, set what each task needs with `/lotto rotation set require {} --skill any --count 2`.\n\n{}",
            r.name, r.name, r.name, out.text
        ),
        out.json,
    ))
}

/// Midnight of `now`'s day in `tz` (where a DST change skips midnight, the moment the clock
/// jumps to).
fn start_of_day(now: DateTime<Utc>, tz: chrono_tz::Tz) -> DateTime<Utc> {
    let midnight = lottery::local_time::to_local(now, tz)
        .date()
        .and_time(chrono::NaiveTime::MIN);
    lottery::local_time::resolve_local(midnight, tz).unwrap_or(now)
}

async fn list(ctx: &Ctx) -> Result<Output> {
    let mut conn = ctx.read().await?;
    let rotations = store::rotations::list_active(&mut conn).await?;
    if rotations.is_empty() {
        return Ok(Output::new(
            "There are no active rotations. Create one with `/lotto rotation new <name>`.",
            json!([]),
        ));
    }
    let mut lines = vec!["Active rotations:".to_string()];
    let mut items = Vec::new();
    for r in &rotations {
        let members = store::rotations::members(&mut conn, r.id).await?.len();
        lines.push(format!(
            "- **{}**: {} {}s · {} member{} · autopilot {}",
            r.name,
            r.period,
            r.task_type,
            members,
            if members == 1 { "" } else { "s" },
            if r.autopilot.is_on() { "on" } else { "off" }
        ));
        let mut j = render::rotation_json(r);
        j["member_count"] = json!(members);
        items.push(j);
    }
    Ok(Output::new(lines.join("\n"), Value::Array(items)))
}

/// The rotation at a glance: who, what each task needs, settings in words, and what's next.
pub async fn show(ctx: &Ctx, conn: &mut Conn, r: &Rotation) -> Result<Output> {
    let tz = ctx.tz();
    // One statement however many members and tasks: this is the busiest read.
    let store::overview::Overview {
        members,
        skills,
        require,
        limit,
        owners: owner_ids,
        tasks,
        mut task_users,
        mut task_needs,
        profiles,
    } = store::overview::of_rotation(conn, r.id).await?;
    let mention = |id: &crate::lottery::UserId| match profiles.get(id) {
        Some(p) => format!("@{}", p.username),
        None => format!("user `{id}`"),
    };
    let owner_names: Vec<String> = owner_ids.iter().map(mention).collect();

    let mut text = format!(
        "#### {}{}\n{} {}s in {} · beginning {}\n",
        r.name,
        if r.archived_at.is_some() {
            " (archived)"
        } else {
            ""
        },
        format::capitalise(&r.period.to_string()),
        r.task_type,
        r.tz.name(),
        format::time(r.beginning, tz),
    );
    text.push_str(&format!(
        "- **Owners:** {}\n",
        if owner_names.is_empty() {
            "none".into()
        } else {
            owner_names.join(", ")
        }
    ));
    let member_text: Vec<String> = members
        .iter()
        .take(MEMBERS_LISTED)
        .map(|m| {
            let name = profiles
                .get(&m.user_id)
                .map(|p| format!("@{}", p.username))
                .unwrap_or_else(|| m.user_id.to_string());
            let s = skills
                .get(&m.user_id)
                .map(format::skills)
                .unwrap_or_else(|| "no skills".into());
            let served = match m.last_served {
                Some(t) if t > ctx.now => format!("on a task until {}", format::short_time(t, tz)),
                Some(t) => format!("served {}", format::relative(t, ctx.now)),
                None => "not served yet".into(),
            };
            format!("{name} ({s}; {served})")
        })
        .collect();
    text.push_str(&format!(
        "- **Members ({}):** {}{}\n",
        members.len(),
        if member_text.is_empty() {
            format!("nobody yet: `/lotto user join {}`", r.name)
        } else {
            member_text.join(", ")
        },
        if members.len() > MEMBERS_LISTED {
            format!(
                " and {} more: `/lotto rotation show {} --members`",
                members.len() - MEMBERS_LISTED,
                r.name
            )
        } else {
            String::new()
        }
    ));
    text.push_str(&format!(
        "- **Each task needs:** at least {}{}\n",
        format::needs(&require),
        if limit.is_empty() {
            String::new()
        } else {
            format!("; at most {}", format::needs(&limit))
        }
    ));
    let length = if r.task_duration > TimeDelta::zero() {
        format::duration(r.task_duration)
    } else if r.task_type == TaskType::Shift {
        "a whole period".to_string()
    } else {
        "30m".to_string()
    };
    text.push_str(&format!(
        "- **Tasks:** last {length}; {}; lottery fuzz {}\n",
        if r.grace.is_zero() {
            "no grace after serving".to_string()
        } else {
            format!("grace after serving {}", format::duration(r.grace))
        },
        r.fuzz
    ));
    let ap = r.autopilot.describe();
    text.push_str(&format!(
        "- **Autopilot:** {}\n",
        if ap.is_empty() {
            format!(
                "off (turn it on with `/lotto rotation set autopilot {} --create --schedule …`)",
                r.name
            )
        } else {
            format!("on: {}", ap.join(", "))
        }
    ));

    // What's next: open tasks, then shifts not created yet.
    let mut rows = Vec::new();
    let mut tasks_json = Vec::new();
    for t in &tasks {
        let users = task_users.remove(&t.id).unwrap_or_default();
        let names: Vec<String> = users.iter().map(mention).collect();
        let store::tasks::TaskNeeds {
            require: need,
            limit: lim,
        } = task_needs.remove(&t.id).unwrap_or_default();
        rows.push(format::task_line(
            &format::task_ref(&r.name, t),
            &render::span(t, tz),
            &t.state.to_string(),
            &if names.is_empty() {
                format!("nobody yet (needs {})", format::needs(&need))
            } else {
                format::people(&names)
            },
        ));
        let people = render::people_json(&users, &names);
        tasks_json.push(render::task_json(&r.name, t, people, &need, &lim));
    }
    if r.task_type == TaskType::Shift && r.archived_at.is_none() {
        let mut n = TaskOps::next_shift_number(conn, r, ctx.now).await?;
        while rows.len() < SHOW_UPCOMING {
            if store::tasks::by_number(conn, r.id, n).await?.is_none() {
                if let Ok((start, dur)) = TaskOps::shift_times(r, n) {
                    rows.push(format::task_line(
                        &format!("{}#{n}", r.name),
                        &format!(
                            "{} → {}",
                            format::time(start, tz),
                            format::time(start + dur, tz)
                        ),
                        "not created yet",
                        "",
                    ));
                } else {
                    break;
                }
            }
            n += 1;
        }
    }
    if !rows.is_empty() {
        text.push_str(&format!("\n**Next** (times in {}):\n", tz.name()));
        text.push_str(&rows.join("\n"));
    }

    let mut j = render::rotation_json(r);
    j["owners"] = render::people_json(&owner_ids, &owner_names);
    j["members"] = Value::Array(
        members
            .iter()
            .map(|m| {
                json!({
                    "id": m.user_id.as_str(),
                    "username": profiles.get(&m.user_id).map(|p| p.username.clone()),
                    "skills": skills.get(&m.user_id).map(render::skills_json).unwrap_or_else(|| json!({})),
                    "joined_at": render::rfc3339(m.joined_at),
                    "last_served": m.last_served.map(render::rfc3339),
                })
            })
            .collect(),
    );
    j["require"] = render::needs_json(&require);
    j["limit"] = render::needs_json(&limit);
    j["tasks"] = Value::Array(tasks_json);
    Ok(Output::new(text.trim_end().to_string(), j))
}

/// `rotation show --members`: every member on a line of their own (a long list goes out as
/// several posts).
async fn member_list(ctx: &Ctx, conn: &mut Conn, r: &Rotation) -> Result<String> {
    let store::overview::Overview {
        members,
        skills,
        profiles,
        ..
    } = store::overview::of_rotation(conn, r.id).await?;
    if members.is_empty() {
        return Ok(format!(
            "**{}** has no members yet: `/lotto user join {}`",
            r.name, r.name
        ));
    }
    let tz = ctx.tz();
    let mut lines = vec![format!("Members of **{}** ({}):", r.name, members.len())];
    for m in &members {
        let name = profiles
            .get(&m.user_id)
            .map(|p| format!("@{}", p.username))
            .unwrap_or_else(|| m.user_id.to_string());
        let s = skills
            .get(&m.user_id)
            .map(format::skills)
            .unwrap_or_else(|| "no skills".into());
        let served = match m.last_served {
            Some(t) if t > ctx.now => format!("on a task until {}", format::short_time(t, tz)),
            Some(t) => format!("served {}", format::relative(t, ctx.now)),
            None => "not served yet".into(),
        };
        lines.push(format!("- {name} ({s}; {served})"));
    }
    Ok(lines.join("\n"))
}

/// Loads a rotation for a change by its owners, in the command's transaction.
async fn for_owner(
    ctx: &Ctx,
    name: &RotationName,
    what: &str,
) -> Result<(super::context::Tx, Rotation)> {
    let mut tx = ctx.begin().await?;
    let r = ctx.rotation(&mut tx, name).await?;
    ctx.require_owner(&mut tx, &r, what).await?;
    Ok((tx, r))
}

async fn archive(ctx: &Ctx, name: &RotationName) -> Result<Output> {
    let (mut tx, r) = for_owner(ctx, name, "archive it").await?;
    store::rotations::archive(&mut tx, r.id, ctx.now).await?;
    let r = store::rotations::get(&mut tx, r.id).await?;
    ctx.commit(tx).await?;
    Ok(Output::new(
        format!(
            "Archived **{}**: it no longer runs or shows in `rotation list`, and its name is free again.",
            r.name
        ),
        render::rotation_json(&r),
    ))
}

async fn set_autopilot(
    ctx: &Ctx,
    name: &RotationName,
    change: command::AutopilotChange,
) -> Result<Output> {
    let (mut tx, r) = for_owner(ctx, name, "change its autopilot").await?;
    let creates = matches!(change, AutopilotChange::Update(u) if u.create == Some(true));
    if creates && r.task_type == TaskType::Ticket {
        return Err(ServiceError::invalid(format!(
            "{} has tickets, which are created on request: the autopilot can't create them. It can still fill, schedule, start, finish and remind.",
            r.name
        )));
    }
    let settings = r.autopilot.apply(&change);
    store::rotations::set_autopilot(&mut tx, r.id, &settings).await?;
    let r = store::rotations::get(&mut tx, r.id).await?;
    ctx.commit(tx).await?;
    let words = settings.describe();
    let text = if words.is_empty() {
        format!("The autopilot of **{}** is off.", r.name)
    } else {
        format!("The autopilot of **{}** {}.", r.name, words.join(", "))
    };
    Ok(Output::new(text, render::rotation_json(&r)))
}

async fn set_fill(
    ctx: &Ctx,
    name: &RotationName,
    seed: Option<u64>,
    fuzz: Option<u32>,
) -> Result<Output> {
    let (mut tx, r) = for_owner(ctx, name, "change how it fills").await?;
    let seed = seed.unwrap_or(r.seed);
    let fuzz = fuzz.unwrap_or(r.fuzz);
    store::rotations::set_fill(&mut tx, r.id, seed, fuzz).await?;
    let r = store::rotations::get(&mut tx, r.id).await?;
    ctx.commit(tx).await?;
    Ok(Output::new(
        format!(
            "**{}** now fills with seed {} and fuzz {} (higher fuzz = more random picks).",
            r.name, r.seed, r.fuzz
        ),
        render::rotation_json(&r),
    ))
}

async fn set_need(ctx: &Ctx, kind: NeedKind, c: NeedChange) -> Result<Output> {
    let (mut tx, r) = for_owner(ctx, &c.rotation, "change what its tasks need").await?;
    let word = if kind == NeedKind::Require {
        "at least"
    } else {
        "at most"
    };
    let mut done = Vec::new();
    for sl in &c.skills {
        match c.action {
            NeedAction::Count(n) => {
                store::rotations::set_need(&mut tx, r.id, kind, sl, n).await?;
                done.push(format!("{word} {n} {sl}"));
            }
            NeedAction::Clear => {
                if !store::rotations::clear_need(&mut tx, r.id, kind, sl).await? {
                    return Err(ServiceError::NotFound(format!(
                        "{} has no {} for {sl}, so there is nothing to clear.",
                        r.name,
                        if kind == NeedKind::Require {
                            "requirement"
                        } else {
                            "limit"
                        }
                    )));
                }
                done.push(format!(
                    "no {} for {sl}",
                    if kind == NeedKind::Require {
                        "requirement"
                    } else {
                        "limit"
                    }
                ));
            }
        }
    }
    let require = store::rotations::needs(&mut tx, r.id, NeedKind::Require).await?;
    let limit = store::rotations::needs(&mut tx, r.id, NeedKind::Limit).await?;
    ctx.commit(tx).await?;
    let mut j = render::rotation_json(&r);
    j["require"] = render::needs_json(&require);
    j["limit"] = render::needs_json(&limit);
    Ok(Output::new(
        format!(
            "New tasks of **{}** will have {}. Now: at least {}{}. (Existing tasks keep their own needs.)",
            r.name,
            done.join(", "),
            format::needs(&require),
            if limit.is_empty() {
                String::new()
            } else {
                format!("; at most {}", format::needs(&limit))
            }
        ),
        j,
    ))
}

async fn set_task(
    ctx: &Ctx,
    name: &RotationName,
    duration: Option<TimeDelta>,
    grace: Option<TimeDelta>,
) -> Result<Output> {
    let (mut tx, r) = for_owner(ctx, name, "change its task settings").await?;
    let duration = duration.unwrap_or(r.task_duration);
    let grace = grace.unwrap_or(r.grace);
    store::rotations::set_task_settings(&mut tx, r.id, duration, grace).await?;
    let r = store::rotations::get(&mut tx, r.id).await?;
    ctx.commit(tx).await?;
    let length = if duration.is_zero() {
        if r.task_type == TaskType::Shift {
            "a whole period".into()
        } else {
            "30m".into()
        }
    } else {
        format::duration(duration)
    };
    Ok(Output::new(
        format!(
            "New tasks of **{}** last {length}, with {} of grace after serving.",
            r.name,
            format::duration(grace)
        ),
        render::rotation_json(&r),
    ))
}

async fn owners(
    ctx: &Ctx,
    name: &RotationName,
    users: &[command::UserRef],
    add: bool,
) -> Result<Output> {
    let people = ctx.users(users).await?;
    let (mut tx, r) = for_owner(ctx, name, "change its owners").await?;
    let mut changed = Vec::new();
    for u in &people {
        let did = if add {
            store::rotations::add_owner(&mut tx, r.id, &u.id).await?
        } else {
            store::rotations::remove_owner(&mut tx, r.id, &u.id).await?
        };
        if did {
            changed.push(format!("@{}", u.username));
        }
    }
    let owners = super::ops::owners_text(&mut tx, r.id).await?;
    ctx.commit(tx).await?;
    let text = if changed.is_empty() {
        format!("Nothing changed. Owners of **{}**: {owners}.", r.name)
    } else {
        format!(
            "{} {} {} **{}**. Owners now: {owners}.",
            if add { "Added" } else { "Removed" },
            changed.join(", "),
            if add {
                "as owners of"
            } else {
                "from the owners of"
            },
            r.name
        )
    };
    Ok(Output::new(
        text,
        json!({ "rotation": r.name, "owners": owners }),
    ))
}
