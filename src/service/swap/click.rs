//! A click on an invitation's button, as Mattermost forwards it to `POST /actions`. Nothing in the
//! request is trusted until the context's signature checks out; the clicker is the user Mattermost
//! names and must be the invitee. Then the answer is decided in one write transaction: a request is
//! decided once (replays and double clicks change nothing), an Accept re-checks every rule.

use chrono::{DateTime, Utc};
use serde_json::{Map, Value};

use super::sign::{Action, ButtonContext, Forged};
use super::{at_names, can_take, news_for, signing_key};
use crate::lottery::history::{HistoryActor, HistoryEntry, HistoryEvent, Person};
use crate::lottery::{TaskState, UserId};
use crate::notify::message::{Audience, SwapClosed, SwapOutcome};
use crate::notify::{self, Message, Queued, rich_post};
use crate::service::{Result, Service, ServiceError, TaskOps, error, render};
use crate::store::rotations::Rotation;
use crate::store::swaps::{self, InvitationState, RequestState, SwapRequest};
use crate::store::tasks::Task;
use crate::store::{self, Conn};

/// What Mattermost forwarded: who clicked, and the button's context.
#[derive(Debug, Clone)]
pub struct ActionClick {
    pub user_id: String,
    pub context: Value,
}

/// The answer to a click: the post's new text (the buttons go), and a note only the clicker sees.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ActionAnswer {
    pub update: Option<(String, Map<String, Value>)>,
    pub ephemeral_text: Option<String>,
}

const FORGED: &str =
    "This button was not made by Solar Lottery (or was changed on the way), so nothing was done.";

impl ActionAnswer {
    fn refuse(text: impl Into<String>) -> Self {
        ActionAnswer {
            update: None,
            ephemeral_text: Some(text.into()),
        }
    }

    fn closed(closed: SwapClosed, note: Option<String>) -> Self {
        ActionAnswer {
            update: Some((Message::SwapClosed(closed).render(), Map::new())),
            ephemeral_text: note,
        }
    }
}

impl Service {
    /// Answers a button click (see the module doc). Errors on our side are logged here and the
    /// clicker reads that nothing changed.
    pub async fn button_click(&self, click: &ActionClick, now: DateTime<Utc>) -> ActionAnswer {
        match decide(self, click, now).await {
            Ok(answer) => answer,
            Err(e) => {
                let reference = error::new_reference();
                tracing::error!(error = %e, reference, "a button click failed");
                ActionAnswer::refuse(e.user_message(Some(&reference)))
            }
        }
    }
}

async fn decide(svc: &Service, click: &ActionClick, now: DateTime<Utc>) -> Result<ActionAnswer> {
    let key = {
        let mut conn = svc.db().read().await?;
        signing_key(&mut conn).await?
    };
    let ctx = match ButtonContext::verify(&click.context, &key) {
        Ok(c) => c,
        Err(Forged::Malformed | Forged::BadSignature) => {
            tracing::warn!("refused a button click with a context the bot did not sign");
            return Ok(ActionAnswer::refuse(FORGED));
        }
    };
    if click.user_id != ctx.invitee.as_str() {
        return Ok(ActionAnswer::refuse(
            "This invitation was sent to someone else: only they can answer it. Nothing was changed.",
        ));
    }
    let mut tx = svc.db().begin_write().await?;
    let Some(req) = swaps::get_request(&mut tx, ctx.request).await? else {
        return Ok(ActionAnswer::refuse(FORGED));
    };
    let invitations = swaps::invitations(&mut tx, req.id).await?;
    let Some(mine) = invitations.iter().find(|i| i.invitee == ctx.invitee) else {
        return Ok(ActionAnswer::refuse(FORGED));
    };
    if req.task_id != ctx.task {
        return Ok(ActionAnswer::refuse(FORGED));
    }
    let task = store::tasks::get(&mut tx, req.task_id).await?;
    let r = store::rotations::get(&mut tx, task.rotation_id).await?;
    let name = render::task_ref(&r.name, &task);
    let (_, names) = at_names(&mut tx, &[req.requester.clone(), ctx.invitee.clone()]).await?;
    let requester = names.get(&req.requester).cloned().unwrap_or_default();
    let closed = |outcome, acceptor: Option<String>| SwapClosed {
        request_id: req.id.0,
        outcome,
        requester: requester.clone(),
        task: name.clone(),
        acceptor,
    };
    // Decided already: a replay, a double click, or a click on a stale post.
    if req.state != RequestState::Open || mine.state != InvitationState::Open {
        let text = match (req.state, mine.state) {
            (_, InvitationState::Declined) => "You already declined this request.".to_string(),
            (RequestState::Accepted, _) => {
                let who = match &req.accepted_by {
                    Some(u) if u == &ctx.invitee => "you".to_string(),
                    Some(u) => at_names(&mut tx, std::slice::from_ref(u))
                        .await?
                        .1
                        .remove(u)
                        .unwrap_or_default(),
                    None => "someone".to_string(),
                };
                format!(
                    "This request was already decided: {who} took {requester}'s place on {name}. Nothing was changed."
                )
            }
            (RequestState::Expired, _) => {
                format!("This request expired when {name} started. Nothing was changed.")
            }
            _ => "This request is closed. Nothing was changed.".to_string(),
        };
        return Ok(ActionAnswer::refuse(text));
    }
    if task.state != TaskState::Pending && task.state != TaskState::Scheduled
        || task.times.span().0 <= now
    {
        expire(&mut tx, &req, &r, &task, now).await?;
        commit(svc, tx).await?;
        return Ok(ActionAnswer::closed(
            closed(SwapOutcome::Expired, None),
            Some(format!(
                "Too late: {name} has started, so this request expired. Nothing else was changed."
            )),
        ));
    }
    let answer = match ctx.action {
        Action::Decline => {
            decline(&mut tx, &req, &r, &task, &ctx.invitee, &names, now).await?;
            ActionAnswer::closed(closed(SwapOutcome::YouDeclined, None), None)
        }
        Action::Accept => {
            match accept(&mut tx, &req, &r, &task, &ctx.invitee, &names, now).await? {
                Ok(()) => ActionAnswer::closed(closed(SwapOutcome::YouTookIt, None), None),
                // Nothing was written: the transaction is dropped (rolled back).
                Err(refusal) => return Ok(ActionAnswer::refuse(refusal)),
            }
        }
    };
    commit(svc, tx).await?;
    Ok(answer)
}

/// A person as the history names them, from the `@names` already read.
fn person(id: &UserId, names: &std::collections::HashMap<UserId, String>) -> Person {
    let username = names
        .get(id)
        .and_then(|n| n.strip_prefix('@'))
        .unwrap_or_default();
    Person::new(id.clone(), username)
}

async fn commit(svc: &Service, tx: store::Tx) -> Result<()> {
    store::commit(tx).await?;
    svc.wake_sender();
    Ok(())
}

async fn decline(
    conn: &mut Conn,
    req: &SwapRequest,
    r: &Rotation,
    t: &Task,
    invitee: &UserId,
    names: &std::collections::HashMap<UserId, String>,
    now: DateTime<Utc>,
) -> Result<()> {
    swaps::decide_invitation(conn, req.id, invitee, InvitationState::Declined, now).await?;
    let by = person(invitee, names);
    let event = HistoryEvent::SwapDeclined {
        from: person(&req.requester, names),
        by: by.clone(),
    };
    let entry = HistoryEntry::task(r.id, t.id, now, HistoryActor::Person(by), event);
    store::history::record(conn, &entry).await?;
    let still_open = swaps::invitations(conn, req.id)
        .await?
        .iter()
        .any(|i| i.state == InvitationState::Open);
    if !still_open {
        swaps::decide_request(conn, req.id, RequestState::Cancelled, None, now).await?;
    }
    let requester = store::users::get(conn, &req.requester).await?;
    let mut news = news_for(
        requester.as_ref(),
        req.id,
        Audience::Requester,
        names.get(&req.requester).map_or("", String::as_str),
        names.get(invitee).cloned(),
        r,
        t,
        still_open,
    );
    news.decided_by = Some(invitee.clone());
    let queued = Queued {
        to: req.requester.clone(),
        rotation_id: Some(r.id),
        message: Message::SwapDeclined(news),
    };
    notify::queue(conn, &queued, now).await?;
    Ok(())
}

/// Puts `acceptor` in the requester's place, re-checking every rule. The outer `Err` is our
/// failure; the inner one why the acceptor can't take the place (nothing written then).
async fn accept(
    conn: &mut Conn,
    req: &SwapRequest,
    r: &Rotation,
    t: &Task,
    acceptor: &UserId,
    names: &std::collections::HashMap<UserId, String>,
    now: DateTime<Utc>,
) -> Result<Result<(), String>> {
    let name = render::task_ref(&r.name, t);
    let requester = names.get(&req.requester).cloned().unwrap_or_default();
    let on_task = store::tasks::users(conn, t.id).await?;
    if !on_task.contains(&req.requester) {
        return Ok(Err(format!(
            "{requester} is no longer on {name}, so there is no place to take. Nothing was changed."
        )));
    }
    if on_task.contains(acceptor) {
        return Ok(Err(format!(
            "You're already on {name}. Nothing was changed."
        )));
    }
    let by = person(acceptor, names);
    let fill = TaskOps::new(HistoryActor::Person(by.clone()), now)
        .fill_request(conn, r, t)
        .await?;
    let Some(me) = fill.candidates.iter().find(|c| &c.user == acceptor) else {
        return Ok(Err(format!(
            "You're no longer in {}, so you can't take a place on its tasks. Nothing was changed.",
            r.name
        )));
    };
    if let Err(why) = can_take(&fill, &req.requester, me) {
        let why = why.replace(acceptor.as_str(), "you");
        return Ok(Err(format!(
            "You can't take {requester}'s place on {name} now: {why}. Nothing was changed."
        )));
    }
    if !swaps::decide_request(conn, req.id, RequestState::Accepted, Some(acceptor), now).await? {
        return Ok(Err(format!(
            "Someone else took {requester}'s place on {name} first. Nothing was changed."
        )));
    }
    if !swaps::replace_user(conn, t.id, &req.requester, acceptor).await? {
        return Err(ServiceError::Conflict(format!(
            "{requester} left {name} meanwhile"
        )));
    }
    swaps::decide_invitation(conn, req.id, acceptor, InvitationState::Accepted, now).await?;
    let event = HistoryEvent::SwapAccepted {
        from: person(&req.requester, names),
        to: by.clone(),
    };
    let entry = HistoryEntry::task(r.id, t.id, now, HistoryActor::Person(by), event);
    store::history::record(conn, &entry).await?;
    let acceptor_name = names.get(acceptor).cloned();
    for other in swaps::invitations(conn, req.id).await? {
        if other.state != InvitationState::Open {
            continue;
        }
        swaps::decide_invitation(conn, req.id, &other.invitee, InvitationState::Closed, now)
            .await?;
        let text = Message::SwapClosed(SwapClosed {
            request_id: req.id.0,
            outcome: SwapOutcome::TakenBySomeoneElse,
            requester: requester.clone(),
            task: name.clone(),
            acceptor: acceptor_name.clone(),
        });
        rich_post::queue_update(
            conn,
            &other.invitee,
            Some(r.id),
            &other.outbox_key,
            &text,
            now,
        )
        .await?;
    }
    // The requester, the acceptor and the owners hear, each in their zone.
    let owners = store::members::owner_ids(conn, r.id).await?;
    let mut told: Vec<(UserId, Audience)> = vec![
        (req.requester.clone(), Audience::Requester),
        (acceptor.clone(), Audience::Acceptor),
    ];
    for o in owners {
        if !told.iter().any(|(u, _)| u == &o) {
            told.push((o, Audience::Owner));
        }
    }
    let ids: Vec<UserId> = told.iter().map(|(u, _)| u.clone()).collect();
    let profiles = store::users::get_many(conn, &ids).await?;
    for (to, audience) in told {
        let news = news_for(
            profiles.get(&to),
            req.id,
            audience,
            &requester,
            acceptor_name.clone(),
            r,
            t,
            false,
        );
        let queued = Queued {
            to,
            rotation_id: Some(r.id),
            message: Message::SwapAccepted(news),
        };
        notify::queue(conn, &queued, now).await?;
    }
    Ok(Ok(()))
}

/// Ends an open request whose task has started: the open invitations' posts say so and the
/// requester hears.
pub(super) async fn expire(
    conn: &mut Conn,
    req: &SwapRequest,
    r: &Rotation,
    t: &Task,
    now: DateTime<Utc>,
) -> Result<()> {
    if !swaps::decide_request(conn, req.id, RequestState::Expired, None, now).await? {
        return Ok(());
    }
    let (profiles, names) = at_names(conn, std::slice::from_ref(&req.requester)).await?;
    let requester = names.get(&req.requester).cloned().unwrap_or_default();
    let name = render::task_ref(&r.name, t);
    for inv in swaps::invitations(conn, req.id).await? {
        if inv.state != InvitationState::Open {
            continue;
        }
        swaps::decide_invitation(conn, req.id, &inv.invitee, InvitationState::Closed, now).await?;
        let text = Message::SwapClosed(SwapClosed {
            request_id: req.id.0,
            outcome: SwapOutcome::Expired,
            requester: requester.clone(),
            task: name.clone(),
            acceptor: None,
        });
        rich_post::queue_update(conn, &inv.invitee, Some(r.id), &inv.outbox_key, &text, now)
            .await?;
    }
    let news = news_for(
        profiles.get(&req.requester),
        req.id,
        Audience::Requester,
        &requester,
        None,
        r,
        t,
        false,
    );
    let queued = Queued {
        to: req.requester.clone(),
        rotation_id: Some(r.id),
        message: Message::SwapExpired(news),
    };
    notify::queue(conn, &queued, now).await?;
    Ok(())
}

/// Expires every open request whose task has started or was due to (the autopilot's tick runs
/// this). Returns how many.
pub async fn expire_due(svc: &Service, now: DateTime<Utc>) -> Result<usize> {
    // Most ticks have nothing to expire: look before taking the write lock.
    let any = {
        let mut conn = svc.db().read().await?;
        !swaps::open_requests_due(&mut conn, now).await?.is_empty()
    };
    if !any {
        return Ok(0);
    }
    let mut tx = svc.db().begin_write().await?;
    let due = swaps::open_requests_due(&mut tx, now).await?;
    for req in &due {
        let task = store::tasks::get(&mut tx, req.task_id).await?;
        let r = store::rotations::get(&mut tx, task.rotation_id).await?;
        expire(&mut tx, req, &r, &task, now).await?;
    }
    commit(svc, tx).await?;
    Ok(due.len())
}
