//! `user show`, and the people every skill and time-off command answers with.

use chrono::{TimeDelta, Utc};

use crate::command::Who;
use crate::service::Result;
use crate::service::context::Ctx;
use crate::service::format;
use crate::service::views::person::{AwayView, PersonTask};
use crate::service::views::{PeopleEvent, PeopleView, PersonView};
use crate::store::users::User;
use crate::store::{self, Conn};

/// How far back a person's time off goes in `--json`.
const AWAY_HISTORY: TimeDelta = TimeDelta::days(3650);

pub async fn show(ctx: &Ctx, who: &Who) -> Result<PeopleView> {
    let users = ctx.who(who).await?;
    let mut conn = ctx.read().await?;
    Ok(PeopleView {
        event: PeopleEvent::Shown,
        people: people(ctx, &mut conn, &users).await?,
    })
}

/// Each person's skills, rotations, open tasks and time off.
pub async fn people(ctx: &Ctx, conn: &mut Conn, users: &[User]) -> Result<Vec<PersonView>> {
    // The JSON has always counted history back from the real time; the Markdown shows what is
    // ahead of the command's time (`--now`), so read from the earlier of the two.
    let since = ctx.now.min(Utc::now()) - AWAY_HISTORY;
    let mut people = Vec::with_capacity(users.len());
    for u in users {
        let skills = store::users::skills(conn, &u.id).await?;
        let rotations = store::members::memberships(conn, &u.id).await?;
        let tasks = store::tasks::open_tasks_of_user(conn, &u.id).await?;
        let away = store::unavailability::of_user_from(conn, &u.id, since).await?;
        people.push(PersonView {
            id: u.id.as_str().to_string(),
            username: u.username.clone(),
            time_zone: u.tz,
            skills,
            rotations: rotations.into_iter().map(|(_, name)| name).collect(),
            tasks: tasks
                .iter()
                .map(|(rotation, t)| PersonTask {
                    id: format::task_ref(rotation, t),
                    state: t.state,
                    start: t.times.start(),
                    finish: t.times.finish(),
                })
                .collect(),
            unavailable: away
                .iter()
                .map(|e| {
                    let u = &e.unavailability;
                    AwayView::new(u.interval.start, u.interval.finish, &u.reason)
                })
                .collect(),
        });
    }
    Ok(people)
}
