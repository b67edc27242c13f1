//! `/lotto skill …`: the list of known skills.

use super::context::Ctx;
use super::views::{SkillListView, SkillView, info::SkillCount};
use super::{Output, Result, ServiceError};
use crate::command::SkillCommand;
use crate::lottery::{HistoryEvent, SkillName};
use crate::store;

pub async fn handle(ctx: &Ctx, cmd: SkillCommand) -> Result<Output> {
    match cmd {
        SkillCommand::List => {
            let mut conn = ctx.read().await?;
            let skills = store::skills::list(&mut conn).await?;
            Ok(SkillListView {
                skills: skills
                    .into_iter()
                    .map(|(s, people)| SkillCount {
                        name: s.into(),
                        people,
                    })
                    .collect(),
            }
            .into())
        }
        SkillCommand::New(skill) => {
            ctx.require_admin("add skills (anyone can qualify themselves with `/lotto user qualify --skills …`, which adds the skill too)")?;
            let mut tx = ctx.begin().await?;
            if !store::skills::add(&mut tx, &skill, ctx.now).await? {
                return Err(ServiceError::Conflict(format!(
                    "**{skill}** is already a known skill."
                )));
            }
            listed(ctx, &mut tx, &skill, true).await?;
            ctx.commit(tx).await?;
            Ok(SkillView {
                name: skill.into(),
                added: true,
            }
            .into())
        }
        SkillCommand::Delete(skill) => {
            ctx.require_admin("delete skills")?;
            let mut tx = ctx.begin().await?;
            if !store::skills::delete(&mut tx, &skill).await? {
                return Err(ServiceError::NotFound(format!(
                    "**{skill}** is not a known skill. See them with `/lotto skill list`."
                )));
            }
            listed(ctx, &mut tx, &skill, false).await?;
            ctx.commit(tx).await?;
            Ok(SkillView {
                name: skill.into(),
                added: false,
            }
            .into())
        }
    }
}

/// Records a change to the list of known skills once, for every rotation (as everyone's holidays
/// are): the list is shared, and a change to it alters no rotation's needs or anyone's skills, so
/// no single rotation owns it, yet each owner reading their history may want to know.
async fn listed(
    ctx: &Ctx,
    conn: &mut crate::store::Conn,
    skill: &SkillName,
    added: bool,
) -> Result<()> {
    let event = HistoryEvent::SkillListed {
        skill: skill.to_string(),
        added,
    };
    ctx.record(conn, None, None, event).await
}
