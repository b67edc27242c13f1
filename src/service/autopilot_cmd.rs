//! `/lotto rotation autopilot <rot>` (one rotation, every step listed) and `/lotto autopilot`
//! (every rotation with the autopilot on, one summary line each), both on the autopilot's own path.

use serde_json::json;

use super::context::Ctx;
use super::{AutopilotReport, Output, Result, format, render};
use crate::command::RotationName;
use crate::store;

pub async fn one(ctx: &Ctx, name: &RotationName) -> Result<Output> {
    let r = {
        let mut conn = ctx.read().await?;
        let r = ctx.rotation(&mut conn, name).await?;
        ctx.require_owner(&mut conn, &r, "run its autopilot")
            .await?;
        r
    };
    let actor = format!("@{}", ctx.actor.user.username);
    let report = super::autopilot::run_rotation(&ctx.svc, r.id, &actor, ctx.now).await?;
    let mut text = format!(
        "Ran the autopilot on **{}** for {}:",
        r.name,
        format::time(ctx.now, ctx.tz())
    );
    for (step, line) in &report.lines {
        text.push_str(&format!("\n- {step}: {line}"));
    }
    Ok(Output::new(
        text,
        json!({
            "rotation": r.name,
            "now": render::rfc3339(ctx.now),
            "steps": steps_json(&report),
        }),
    ))
}

pub async fn all(ctx: &Ctx) -> Result<Output> {
    ctx.require_admin("run every rotation's autopilot (owners can run theirs with `/lotto rotation autopilot <rotation>`)")?;
    let rotations = {
        let mut conn = ctx.read().await?;
        store::rotations::list_autopilot(&mut conn).await?
    };
    let when = format::time(ctx.now, ctx.tz());
    if rotations.is_empty() {
        return Ok(Output::new(
            "No rotation has the autopilot on. Turn it on with `/lotto rotation set autopilot <rotation> --create --schedule --start-finish`.",
            json!({ "now": render::rfc3339(ctx.now), "rotations": [] }),
        ));
    }
    let actor = format!("@{}", ctx.actor.user.username);
    let mut lines = vec![format!(
        "Ran the autopilot of {} rotation{} for {when}:",
        rotations.len(),
        if rotations.len() == 1 { "" } else { "s" }
    )];
    let mut json_rotations = Vec::with_capacity(rotations.len());
    for r in &rotations {
        let report = super::autopilot::run_rotation(&ctx.svc, r.id, &actor, ctx.now).await?;
        lines.push(format!("- **{}**: {}", r.name, summary(&report)));
        json_rotations.push(json!({ "rotation": r.name, "steps": steps_json(&report) }));
    }
    Ok(Output::new(
        lines.join("\n"),
        json!({ "now": render::rfc3339(ctx.now), "rotations": json_rotations }),
    ))
}

/// The steps that did something (or failed), on one line; "nothing to do" when none did.
fn summary(report: &AutopilotReport) -> String {
    let acted: Vec<String> = report
        .lines
        .iter()
        .filter(|(_, line)| !is_idle(line))
        .map(|(step, line)| format!("{step}: {line}"))
        .collect();
    if acted.is_empty() {
        "nothing to do".into()
    } else {
        acted.join("; ")
    }
}

fn is_idle(line: &str) -> bool {
    line == "nothing to do"
        || line == "not configured"
        || line.starts_with("tickets are created on request")
}

fn steps_json(report: &AutopilotReport) -> Vec<serde_json::Value> {
    report
        .lines
        .iter()
        .map(|(s, l)| json!({"step": s, "result": l}))
        .collect()
}
