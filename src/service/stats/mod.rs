//! `rotation stats <rot> [--since T]`: services and hours per member and per skill, the coefficient
//! of variation, who is above or below the average, and a bar chart sent as a DM attachment (a
//! slash reply can't carry a file). Reads only; the chart is posted straight away, not through the
//! outbox: it is made for this one request and is of no use later, so a failure is said at once.

mod chart;

use std::collections::{BTreeMap, BTreeSet};

use super::context::Ctx;
use super::views::stats::{ChartNote, MemberStats, SkillStats, StatsView};
use super::{Result, ServiceError};
use crate::command::{DateTimeArg, RotationName};
use crate::lottery::fairness::{coefficient_of_variation, mean, standing};
use crate::lottery::{SkillName, UserId};
use crate::mattermost::NewPost;
use crate::store;

/// Longest DM text sent with the chart; a longer table stays in the reply only.
const MAX_DM_CHARS: usize = 12_000;

pub async fn stats(
    ctx: &Ctx,
    name: &RotationName,
    since: Option<&DateTimeArg>,
) -> Result<StatsView> {
    let since = since
        .map(|s| s.resolve(ctx.tz(), ctx.now))
        .transpose()
        .map_err(|e| ServiceError::invalid(format!("`--since`: {e}")))?;
    let mut conn = ctx.read().await?;
    let r = ctx.rotation(&mut conn, name).await?;
    let members = store::members::members(&mut conn, r.id).await?;
    let skills = store::users::skills_of_members(&mut conn, r.id.0).await?;
    let services = store::fairness::services(&mut conn, r.id).await?;

    // Per person: tasks and seconds, counted as `task show` spans them.
    let mut tally: BTreeMap<UserId, (u32, i64)> = BTreeMap::new();
    let mut tasks = BTreeSet::new();
    for (user, t) in &services {
        let (start, finish) = t.times.span();
        if since.is_some_and(|s| start < s) {
            continue;
        }
        tasks.insert(t.id);
        let e = tally.entry(user.clone()).or_default();
        e.0 += 1;
        e.1 += (finish - start).num_seconds();
    }
    let member_ids: Vec<UserId> = members.iter().map(|m| m.user_id.clone()).collect();
    // Members in join order, then anyone who served and has left since.
    let mut people = member_ids.clone();
    people.extend(tally.keys().filter(|u| !member_ids.contains(u)).cloned());
    let names = ctx.names(&mut conn, &people).await?;
    drop(conn);

    let of = |u: &UserId| tally.get(u).copied().unwrap_or_default();
    let services_of =
        |ids: &[&UserId]| -> Vec<f64> { ids.iter().map(|u| f64::from(of(u).0)).collect() };
    let hours_of = |ids: &[&UserId]| -> Vec<f64> { ids.iter().map(|u| hours(of(u).1)).collect() };
    let current: Vec<&UserId> = member_ids.iter().collect();
    let (svc, hrs) = (services_of(&current), hours_of(&current));
    let (mean_services, mean_hours) = (mean(&svc), mean(&hrs));

    let rows: Vec<MemberStats> = people
        .iter()
        .zip(names)
        .map(|(u, mention)| {
            let (n, secs) = of(u);
            let member = member_ids.contains(u);
            MemberStats {
                person: super::views::PersonRef::named(u, mention),
                member,
                services: n,
                hours: round1(hours(secs)),
                standing: member.then(|| standing(f64::from(n), mean_services)),
                versus_mean: member.then(|| round2(f64::from(n) - mean_services)),
            }
        })
        .collect();

    // Skill groups: members with the skill at any level.
    let mut groups: BTreeMap<SkillName, Vec<&UserId>> = BTreeMap::new();
    for u in &member_ids {
        for skill in skills.get(u).into_iter().flat_map(|s| s.keys()) {
            groups.entry(skill.clone()).or_default().push(u);
        }
    }
    let skill_rows = groups
        .into_iter()
        .map(|(skill, ids)| {
            let (s, h) = (services_of(&ids), hours_of(&ids));
            SkillStats {
                skill: skill.to_string(),
                members: ids.len(),
                services: s.iter().sum::<f64>() as u32,
                hours: round1(h.iter().sum()),
                mean_services: round2(mean(&s)),
                cv_services: round3(coefficient_of_variation(&s)),
            }
        })
        .collect();

    let mut view = StatsView {
        rotation: r.name.clone(),
        since,
        tasks: tasks.len(),
        mean_services: round2(mean_services),
        mean_hours: round1(mean_hours),
        cv_services: round3(coefficient_of_variation(&svc)),
        cv_hours: round3(coefficient_of_variation(&hrs)),
        members: rows,
        skills: skill_rows,
        chart: ChartNote::NotSent(String::new()),
    };
    view.chart = send_chart(ctx, &view).await;
    Ok(view)
}

/// Draws the chart and DMs it to whoever asked, with the numbers; what happened, for the reply.
async fn send_chart(ctx: &Ctx, view: &StatsView) -> ChartNote {
    let bars: Vec<(String, f64)> = view
        .members
        .iter()
        .filter(|m| m.member)
        .map(|m| (m.person.mention.clone(), f64::from(m.services)))
        .collect();
    if bars.is_empty() {
        return ChartNote::NotSent("the rotation has no members to chart".into());
    }
    let title = format!("{}: services per member", view.rotation);
    let png = match chart::bar_chart(&title, &bars, view.mean_services) {
        Ok(png) => png,
        Err(e) => {
            tracing::error!(error = %e, rotation = %view.rotation, "the stats chart could not be drawn");
            return ChartNote::NotSent("the chart could not be drawn".into());
        }
    };
    let filename = format!("{}-stats-{}.png", view.rotation, ctx.now.format("%Y-%m-%d"));
    let reader = ctx.reader();
    let mut text = super::View::markdown(view, &reader);
    if text.chars().count() > MAX_DM_CHARS {
        text = view.summary(&reader);
    }
    match post_png(ctx, &filename, png, text).await {
        Ok(()) => ChartNote::Sent(filename),
        Err(reason) => ChartNote::NotSent(reason),
    }
}

async fn post_png(
    ctx: &Ctx,
    filename: &str,
    png: Vec<u8>,
    text: String,
) -> std::result::Result<(), String> {
    let mm = ctx.svc.mattermost();
    let channel = mm
        .create_direct_channel(ctx.svc.bot_id(), &ctx.actor.user.id)
        .await
        .map_err(|e| mattermost_trouble(ctx, &e))?;
    let file = mm
        .upload_file(&channel.id, filename, "image/png", png)
        .await
        .map_err(|e| match e.status() {
            Some(reqwest::StatusCode::NOT_IMPLEMENTED) => {
                "Mattermost has file attachments turned off".to_string()
            }
            Some(reqwest::StatusCode::FORBIDDEN) => {
                "Mattermost does not let the bot upload files".to_string()
            }
            _ => mattermost_trouble(ctx, &e),
        })?;
    let post = NewPost::new(channel.id, text).with_file_ids(vec![file.id]);
    mm.create_post(&post)
        .await
        .map_err(|e| mattermost_trouble(ctx, &e))?;
    Ok(())
}

fn mattermost_trouble(ctx: &Ctx, e: &crate::mattermost::MattermostError) -> String {
    tracing::warn!(error = %e, by = %ctx.actor.user.username, "the stats chart could not be sent");
    "Mattermost did not take it (try again in a minute)".to_string()
}

fn hours(seconds: i64) -> f64 {
    seconds as f64 / 3600.0
}

fn round1(x: f64) -> f64 {
    (x * 10.0).round() / 10.0
}

fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

fn round3(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}
