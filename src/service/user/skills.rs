//! `user qualify|disqualify`: people's skills.

use super::{mentions, require_for_person, show};
use crate::command::{DisqualifySkills, Who};
use crate::lottery::Skills;
use crate::service::context::Ctx;
use crate::service::views::{PeopleEvent, PeopleView};
use crate::service::{Result, ServiceError, format};
use crate::store;

pub async fn qualify(ctx: &Ctx, who: &Who, skills: &Skills) -> Result<PeopleView> {
    let users = ctx.who(who).await?;
    let mut tx = ctx.begin().await?;
    require_for_person(ctx, &mut tx, &users, "set skills").await?;
    for (skill, level) in skills {
        store::skills::add(&mut tx, skill, ctx.now).await?;
        for u in &users {
            store::users::set_skill(&mut tx, &u.id, skill, *level).await?;
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
                store::users::remove_all_skills(&mut tx, &u.id).await?;
            }
            PeopleEvent::DisqualifiedAll
        }
        DisqualifySkills::These(names) => {
            let mut removed_any = false;
            for s in &names {
                for u in &users {
                    removed_any |= store::users::remove_skill(&mut tx, &u.id, s).await?;
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
