//! `/lotto skill …`: the list of known skills.

use serde_json::json;

use super::context::Ctx;
use super::{Output, Result, ServiceError};
use crate::command::SkillCommand;
use crate::store;

pub async fn handle(ctx: &Ctx, cmd: SkillCommand) -> Result<Output> {
    match cmd {
        SkillCommand::List => {
            let mut conn = ctx.read().await?;
            let skills = store::skills::list(&mut conn).await?;
            let text = if skills.is_empty() {
                "No skills are known yet. `/lotto user qualify --skills webapp-2` adds one (and gives it to you).".to_string()
            } else {
                format!(
                    "Known skills: {}",
                    skills
                        .iter()
                        .map(|(s, n)| format!(
                            "**{s}** ({n} {})",
                            if *n == 1 { "person" } else { "people" }
                        ))
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            };
            Ok(Output::new(
                text,
                json!(
                    skills
                        .iter()
                        .map(|(s, n)| json!({"name": s.as_str(), "people": n}))
                        .collect::<Vec<_>>()
                ),
            ))
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
            Ok(Output::new(
                format!("Added **{skill}** to the known skills."),
                json!({"name": skill.as_str()}),
            ))
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
            Ok(Output::new(
                format!(
                    "Deleted **{skill}** from the known skills. People who have it keep it in their profile."
                ),
                json!({"name": skill.as_str()}),
            ))
        }
    }
}
