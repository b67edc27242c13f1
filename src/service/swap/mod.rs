//! Swaps and overrides (issue 14).
//!
//! `task swap`: someone on a task asks others to take their place; each gets a DM with Accept and
//! Decline buttons whose contexts are signed (`sign`). A click (`click`) is verified, then decided
//! in one write transaction that re-checks every rule; the first Accept wins. `task override`
//! (`cover`): an owner has someone serve instead of someone else for all of a task or part of it.

mod click;
mod cover;
pub mod sign;

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use serde_json::{Map, Value, json};

pub use click::{ActionAnswer, ActionClick, expire_due};
pub use cover::cover;

use super::context::Ctx;
use super::views::PersonRef;
use super::views::swap::SwapRequestedView;
use super::{Output, Result, ServiceError, TaskOps, render};
use crate::command::{TaskRef, UserRef};
use crate::lottery::history::{HistoryEntry, HistoryEvent, Person};
use crate::lottery::{self, Assigned, Candidate, FillRequest, TaskState, UserId, swap::exclusions};
use crate::notify::message::{SwapInvite, SwapNews};
use crate::notify::rich_post;
use crate::notify::{Message, Queued};
use crate::store::rotations::Rotation;
use crate::store::swaps::{self, SwapRequestId};
use crate::store::tasks::Task;
use crate::store::users::User;
use crate::store::{self, Conn};
use sign::{Action, ButtonContext};

/// How many people one request may invite (a DM each).
const MAX_INVITED: usize = 50;

/// `task swap <task> [@with…]`.
pub async fn request(ctx: &Ctx, task: &TaskRef, with: &[UserRef]) -> Result<Output> {
    let Some(public_url) = ctx.svc.deps.public_url.clone() else {
        return Err(ServiceError::invalid(
            "Swap requests come with Accept and Decline buttons, which Mattermost sends to the bot at \
             `LOTTO_PUBLIC_URL/actions`, and that setting is not set. Ask your admin to set \
             `LOTTO_PUBLIC_URL` to the address where Mattermost reaches the bot (e.g. \
             `https://lotto.example.com`) and restart it.",
        ));
    };
    let named = ctx.users(with).await?;
    let mut tx = ctx.begin().await?;
    let (r, t) = ctx.task(&mut tx, task).await?;
    let name = render::task_ref(&r.name, &t);
    let me = ctx.actor.user.id.clone();
    open_for_swaps(&r, &t, ctx.now)?;
    let on_task = store::tasks::users(&mut tx, t.id).await?;
    if !on_task.contains(&me) {
        return Err(ServiceError::Forbidden(format!(
            "You're not on {name}, so there is no place of yours to swap. Only people on a task can ask to swap it; owners can use `/lotto task override {name} @from @to`."
        )));
    }
    if let Some(open) = swaps::open_request(&mut tx, t.id, &me).await? {
        return Err(ServiceError::Conflict(format!(
            "You already asked to swap {name} (request {}), and it is still open: the people asked can accept it until the task starts.",
            open.id
        )));
    }
    let req = ops(ctx).fill_request(&mut tx, &r, &t).await?;
    let invited = if named.is_empty() {
        everyone_eligible(&req, &me, &name)?
    } else {
        check_named(&mut tx, &r, &req, &me, &name, &named).await?
    };
    let id = swaps::insert_request(&mut tx, t.id, &me, ctx.now).await?;
    let key = signing_key(&mut tx).await?;
    let profiles = store::users::get_many(&mut tx, &invited).await?;
    let invited_names: Vec<String> = invited
        .iter()
        .map(|u| {
            profiles
                .get(u)
                .map_or_else(|| format!("user `{u}`"), |p| format!("@{}", p.username))
        })
        .collect();
    let (start, finish) = t.times.span();
    for user in &invited {
        let Some(profile) = profiles.get(user) else {
            continue;
        };
        let tz = profile.zone();
        let invite = Message::SwapInvite(SwapInvite {
            request_id: id.0,
            requester: format!("@{}", ctx.actor.user.username),
            task: name.clone(),
            rotation: r.name.clone(),
            start: render::time(start, tz),
            finish: render::time(finish, tz),
            zone: tz.name().to_string(),
            starts_in: render::relative(start, ctx.now),
            invited: render::people(&invited_names),
        });
        let queued = Queued {
            to: user.clone(),
            rotation_id: Some(r.id),
            message: invite,
        };
        let outbox_key = queued.message.key(user);
        let props = buttons(&public_url, &key, t.id, id, user, &name);
        rich_post::queue_rich(&mut tx, &queued, props, ctx.now).await?;
        swaps::insert_invitation(&mut tx, id, user, &outbox_key).await?;
    }
    let event = HistoryEvent::SwapRequested {
        from: Person::new(me.clone(), &ctx.actor.user.username),
        with: named
            .iter()
            .map(|u| Person::new(u.id.clone(), &u.username))
            .collect(),
    };
    let entry = HistoryEntry::task(r.id, t.id, ctx.now, ctx.by(), event);
    store::history::record(&mut tx, &entry).await?;
    ctx.commit(tx).await?;
    Ok(SwapRequestedView {
        request: id.0,
        task: name,
        invited: PersonRef::all(&invited, invited_names),
    }
    .into())
}

fn ops(ctx: &Ctx) -> TaskOps {
    TaskOps::new(ctx.by(), ctx.now).read_in(ctx.tz())
}

/// Swaps are for tasks that have not started: a request ends when its task starts.
fn open_for_swaps(r: &Rotation, t: &Task, now: DateTime<Utc>) -> Result<()> {
    let name = render::task_ref(&r.name, t);
    match t.state {
        TaskState::Finished => Err(ServiceError::invalid(format!(
            "{name} is finished: who served on it can't change any more."
        ))),
        TaskState::Started => Err(ServiceError::invalid(format!(
            "{name} has started, so it can't be swapped any more. An owner can have someone cover: `/lotto task override {name} @from @to`."
        ))),
        _ if t.times.span().0 <= now => Err(ServiceError::invalid(format!(
            "{name} was due to start already, so it can't be swapped any more. An owner can have someone cover: `/lotto task override {name} @from @to`."
        ))),
        _ => Ok(()),
    }
}

/// Whether `c` could take `leaving`'s place: free then (time off, other tasks, grace) and the
/// task's needs and limits still hold. `Err` says why not.
fn can_take(req: &FillRequest, leaving: &UserId, c: &Candidate) -> Result<(), String> {
    let reasons = exclusions(req, c);
    if !reasons.is_empty() {
        return Err(lottery::SwapError::Unavailable {
            joining: c.user.clone(),
            reasons,
        }
        .to_string());
    }
    let joining = Assigned {
        user: c.user.clone(),
        skills: c.skills.clone(),
    };
    lottery::check_replacement(&req.require, &req.limit, &req.assigned, leaving, &joining)
        .map_err(|e| e.to_string())
}

fn everyone_eligible(req: &FillRequest, me: &UserId, name: &str) -> Result<Vec<UserId>> {
    let eligible: Vec<UserId> = req
        .candidates
        .iter()
        .filter(|c| can_take(req, me, c).is_ok())
        .map(|c| c.user.clone())
        .take(MAX_INVITED)
        .collect();
    if eligible.is_empty() {
        return Err(ServiceError::invalid(format!(
            "Nobody else in the rotation can take your place on {name}: everyone is on it already, away, on another task, resting after one, or lacks the skills it needs. Ask an owner to change the task."
        )));
    }
    Ok(eligible)
}

async fn check_named(
    conn: &mut Conn,
    r: &Rotation,
    req: &FillRequest,
    me: &UserId,
    name: &str,
    named: &[User],
) -> Result<Vec<UserId>> {
    if named.len() > MAX_INVITED {
        return Err(ServiceError::invalid(format!(
            "Ask at most {MAX_INVITED} people at once."
        )));
    }
    let members: Vec<UserId> = store::members::members(conn, r.id)
        .await?
        .into_iter()
        .map(|m| m.user_id)
        .collect();
    let mut out = Vec::new();
    for u in named {
        let who = format!("@{}", u.username);
        if &u.id == me {
            return Err(ServiceError::invalid(
                "You can't swap with yourself: name someone else, or nobody to ask everyone who can.",
            ));
        }
        if req.assigned.iter().any(|a| a.user == u.id) {
            return Err(ServiceError::invalid(format!(
                "{who} is already on {name}."
            )));
        }
        if !members.contains(&u.id) {
            return Err(ServiceError::invalid(format!(
                "{who} is not in {}: only its members can take a place on its tasks (`/lotto user join {} {who}`).",
                r.name, r.name
            )));
        }
        let Some(c) = req.candidates.iter().find(|c| c.user == u.id) else {
            return Err(ServiceError::invalid(format!(
                "{who} only joins {} after {name}, so they can't take it.",
                r.name
            )));
        };
        if let Err(why) = can_take(req, me, c) {
            let why = why.replace(u.id.as_str(), &who);
            return Err(ServiceError::invalid(format!(
                "{who} can't take your place on {name}: {why}. Nothing was sent."
            )));
        }
        if !out.contains(&u.id) {
            out.push(u.id.clone());
        }
    }
    Ok(out)
}

/// The key the buttons are signed with (made on first use).
pub(super) async fn signing_key(conn: &mut Conn) -> Result<Vec<u8>> {
    let hex_key = swaps::action_key(conn, sign::new_key).await?;
    hex::decode(hex_key).map_err(|_| {
        ServiceError::Store(store::StoreError::Corrupt(
            "the action key is not hex".into(),
        ))
    })
}

/// The attachment with the Accept and Decline buttons, each with its signed context.
fn buttons(
    public_url: &str,
    key: &[u8],
    task: lottery::TaskId,
    request: SwapRequestId,
    invitee: &UserId,
    name: &str,
) -> Map<String, Value> {
    let url = format!("{}/actions", public_url.trim_end_matches('/'));
    let button = |action: Action, label: &str, style: &str| {
        let context = ButtonContext {
            task,
            request,
            invitee: invitee.clone(),
            action,
        }
        .signed(key);
        // Action ids must be letters and digits only (MM-49350).
        json!({
            "id": action.as_str(),
            "name": label,
            "type": "button",
            "style": style,
            "integration": {"url": url, "context": context},
        })
    };
    let mut props = Map::new();
    props.insert(
        "attachments".into(),
        json!([{
            "fallback": format!("Swap request for {name}"),
            "actions": [
                button(Action::Accept, "Accept", "primary"),
                button(Action::Decline, "Decline", "default"),
            ],
        }]),
    );
    props
}

/// Swap news for one reader, in their zone.
#[allow(clippy::too_many_arguments)]
pub(super) fn news_for(
    reader: Option<&User>,
    request: SwapRequestId,
    audience: crate::notify::message::Audience,
    requester: &str,
    other: Option<String>,
    r: &Rotation,
    t: &Task,
    still_open: bool,
) -> SwapNews {
    let tz = reader.map_or(chrono_tz::Tz::UTC, User::zone);
    let (start, finish) = t.times.span();
    SwapNews {
        request_id: request.0,
        decided_by: None,
        audience,
        requester: requester.to_string(),
        other,
        task: render::task_ref(&r.name, t),
        rotation: r.name.clone(),
        start: render::time(start, tz),
        finish: render::time(finish, tz),
        zone: tz.name().to_string(),
        still_open,
    }
}

/// `@name` of each id, by what the store knows.
pub(super) async fn at_names(
    conn: &mut Conn,
    ids: &[UserId],
) -> Result<(HashMap<UserId, User>, HashMap<UserId, String>)> {
    let profiles = store::users::get_many(conn, ids).await?;
    let names = ids
        .iter()
        .map(|id| {
            let n = profiles
                .get(id)
                .map_or_else(|| format!("user `{id}`"), |p| format!("@{}", p.username));
            (id.clone(), n)
        })
        .collect();
    Ok((profiles, names))
}
