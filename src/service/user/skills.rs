//! `user qualify|disqualify`: people's skills.

use super::{mentions, require_for_person, show};
use crate::command::{DisqualifySkills, Who};
use crate::lottery::{HistoryEvent, Person, SkillName, Skills};
use crate::service::context::Ctx;
use crate::service::views::{PeopleEvent, PeopleView};
use crate::service::{Result, ServiceError, format};
use crate::store;
use crate::store::users::User;

pub async fn qualify(ctx: &Ctx, who: &Who, skills: &Skills) -> Result<PeopleView> {
    let users = ctx.who(who).await?;
    let mut tx = ctx.begin().await?;
    require_for_person(ctx, &mut tx, &users, "set skills").await?;
    for (skill, level) in skills {
        store::skills::add(&mut tx, skill, ctx.now).await?;
        for u in &users {
            store::users::set_skill(&mut tx, &u.id, skill, *level).await?;
            record(ctx, &mut tx, u, skill, Some(level.name().to_string())).await?;
        }
    }
    let people = show::people(ctx, &mut tx, &users).await?;
    ctx.commit(tx).await?;
    Ok(PeopleView {
        event: PeopleEvent::Qualified(skills.clone()),
        people,
    })
}

pub async fn disqualify(ctx: &Ctx, who: &Who, skills: DisqualifySkills) -> Result<PeopleView> {
    let users = ctx.who(who).await?;
    let mut tx = ctx.begin().await?;
    require_for_person(ctx, &mut tx, &users, "remove skills").await?;
    let event = match skills {
        DisqualifySkills::All => {
            for u in &users {
                for skill in store::users::skills(&mut tx, &u.id).await?.keys() {
                    record(ctx, &mut tx, u, skill, None).await?;
                }
                store::users::remove_all_skills(&mut tx, &u.id).await?;
            }
            PeopleEvent::DisqualifiedAll
        }
        DisqualifySkills::These(names) => {
            let mut removed_any = false;
            for s in &names {
                for u in &users {
                    if store::users::remove_skill(&mut tx, &u.id, s).await? {
                        removed_any = true;
                        record(ctx, &mut tx, u, s, None).await?;
                    }
                }
            }
            let names: Vec<String> = names.iter().map(|n| n.to_string()).collect();
            if !removed_any {
                return Err(ServiceError::NotFound(format!(
                    "{} {} none of {}, so nothing was removed.",
                    format::people(&mentions(&users)),
                    if users.len() == 1 { "has" } else { "have" },
                    names.join(", ")
                )));
            }
            PeopleEvent::Disqualified(names)
        }
    };
    let people = show::people(ctx, &mut tx, &users).await?;
    ctx.commit(tx).await?;
    Ok(PeopleView { event, people })
}

/// Records a skill change in the history of every rotation the person is a member of (where it
/// matters to fills).
async fn record(
    ctx: &Ctx,
    conn: &mut store::Conn,
    user: &User,
    skill: &SkillName,
    level: Option<String>,
) -> Result<()> {
    for (rotation, _) in store::members::memberships(conn, &user.id).await? {
        let event = HistoryEvent::SkillChanged {
            person: Person::new(user.id.clone(), &user.username),
            skill: skill.to_string(),
            level: level.clone(),
        };
        ctx.record(conn, Some(rotation), None, event).await?;
    }
    Ok(())
}
