//! `/lotto skill …`: the list of known skills.

use super::context::Ctx;
use super::views::{SkillListView, SkillView, info::SkillCount};
use super::{Output, Result, ServiceError};
use crate::command::SkillCommand;
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
            ctx.commit(tx).await?;
            Ok(SkillView {
                name: skill.into(),
                added: false,
            }
            .into())
        }
    }
}
