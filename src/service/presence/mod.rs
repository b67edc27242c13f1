//! `who [<rot>]`, `rotation set presence`, `rotation set oncall-status`, and the on-call custom
//! status that follows a task's start, finish and changes of people (see `oncall`).

pub mod oncall;
mod settings;

use std::collections::{HashMap, HashSet};

pub use settings::{set_oncall_status, set_presence, status_text};

use crate::command::RotationName;
use crate::lottery::{TaskState, UserId};
use crate::service::context::Ctx;
use crate::service::views::PersonRef;
use crate::service::views::presence::{WhoCustomStatus, WhoPerson, WhoRotation, WhoTask, WhoView};
use crate::service::{Result, render};
use crate::store;
use crate::store::tasks::Task;

/// A task and the people on it.
type OnTask = (Task, Vec<UserId>);

/// Who covers for whom now (`task override`): the one serving → the one they replace.
type Covering = HashMap<UserId, UserId>;

/// Who is on call now in each active rotation (or one): the people on tasks that are started, or
/// scheduled with their interval covering now, with their Mattermost status and custom status
/// (asked live, in one batched request each), and who is next.
pub async fn who(ctx: &Ctx, rotation: Option<&RotationName>) -> Result<WhoView> {
    let mut conn = ctx.read().await?;
    let rotations = match rotation {
        Some(name) => vec![ctx.rotation(&mut conn, name).await?],
        None => store::rotations::list_active(&mut conn).await?,
    };
    // (rotation name, tasks now, next task), each task with its people.
    let mut plan: Vec<(String, Vec<OnTask>, Option<OnTask>)> = Vec::new();
    let mut everyone: Vec<UserId> = Vec::new();
    let mut covering: Covering = HashMap::new();
    for r in &rotations {
        let tasks = store::tasks::of_rotation(&mut conn, r.id, false).await?;
        let mut now = Vec::new();
        let mut next = None;
        for t in tasks {
            let (start, finish) = t.times.span();
            let running = t.state == TaskState::Started
                || (t.state == TaskState::Scheduled && start <= ctx.now && ctx.now < finish);
            if running || (next.is_none() && start > ctx.now) {
                let mut users = store::tasks::users(&mut conn, t.id).await?;
                if running {
                    let overrides = store::overrides::of_task(&mut conn, t.id).await?;
                    for o in overrides.iter().filter(|o| o.covers(ctx.now)) {
                        if let Some(slot) = users.iter_mut().find(|u| **u == o.from) {
                            *slot = o.to.clone();
                            covering.insert(o.to.clone(), o.from.clone());
                            everyone.push(o.from.clone());
                        }
                    }
                }
                everyone.extend(users.iter().cloned());
                if running {
                    now.push((t, users));
                } else {
                    next = Some((t, users));
                }
            }
        }
        plan.push((r.name.clone(), now, next));
    }
    let mut seen_ids = HashSet::new();
    everyone.retain(|u| seen_ids.insert(u.clone()));
    let profiles = store::users::get_many(&mut conn, &everyone).await?;
    let seen = store::presence::seen(&mut conn, &everyone).await?;
    drop(conn);

    let mm = ctx.svc.mattermost();
    let live = async {
        if everyone.is_empty() {
            return Ok((HashMap::new(), HashMap::new()));
        }
        let statuses = mm.get_statuses_by_ids(&everyone).await?;
        let users = mm.get_users_by_ids(&everyone).await?;
        Ok::<_, crate::mattermost::MattermostError>((
            statuses
                .into_iter()
                .map(|s| (s.user_id.clone(), s.status.as_str().to_string()))
                .collect::<HashMap<UserId, String>>(),
            users
                .into_iter()
                .filter_map(|u| u.custom_status().map(|c| (u.id.clone(), c)))
                .collect::<HashMap<UserId, _>>(),
        ))
    };
    let (statuses, custom, statuses_known) = match live.await {
        Ok((s, c)) => (s, c, true),
        Err(e) => {
            tracing::warn!(error = %e, "who: Mattermost statuses unavailable");
            (HashMap::new(), HashMap::new(), false)
        }
    };
    let person_ref = |id: &UserId| match profiles.get(id) {
        Some(u) => PersonRef::of(u),
        None => PersonRef::named(id, format!("user `{id}`")),
    };
    let person = |id: &UserId| {
        let status = statuses.get(id).cloned();
        WhoPerson {
            person: person_ref(id),
            covering_for: covering.get(id).map(person_ref),
            offline_since: (status.as_deref() == Some("offline"))
                .then(|| seen.get(id).and_then(|s| s.offline_since))
                .flatten(),
            status,
            custom_status: custom.get(id).filter(|c| !c.is_expired(ctx.now)).map(|c| {
                WhoCustomStatus {
                    emoji: c.emoji.clone(),
                    text: c.text.clone(),
                    expires_at: c.expires_at,
                }
            }),
        }
    };
    let task_view = |name: &str, (t, users): &(Task, Vec<UserId>)| {
        let (start, finish) = t.times.span();
        WhoTask {
            task: render::task_ref(name, t),
            state: t.state.to_string(),
            start,
            finish,
            people: users.iter().map(&person).collect(),
        }
    };
    let rotations = plan
        .iter()
        .map(|(name, now, next)| WhoRotation {
            rotation: name.clone(),
            now: now.iter().map(|t| task_view(name, t)).collect(),
            next: next.as_ref().map(|t| task_view(name, t)),
        })
        .collect();
    Ok(WhoView {
        rotations,
        statuses_known,
    })
}
