//! Reading rotations: `rotation list` and `rotation show`.

use crate::lottery::{ShiftOnHoliday, TaskType, UserId};
use crate::service::Result;
use crate::service::context::Ctx;
use crate::service::ops::TaskOps;
use crate::service::views::{
    MemberView, PersonRef, PlannedShift, RotationDetailView, RotationListView, RotationView,
    TaskPerson, TaskView, rotation::RotationListItem,
};
use crate::store::rotations::Rotation;
use crate::store::{self, Conn};

/// How many upcoming shifts `rotation show` lists.
const SHOW_UPCOMING: usize = 4;

pub async fn list(ctx: &Ctx) -> Result<RotationListView> {
    let mut conn = ctx.read().await?;
    let mut rotations = Vec::new();
    for r in store::rotations::list_active(&mut conn).await? {
        let member_count = store::members::members(&mut conn, r.id).await?.len();
        rotations.push(RotationListItem {
            rotation: RotationView::new(&r),
            member_count,
        });
    }
    Ok(RotationListView { rotations })
}

/// The rotation at a glance: who, what each task needs, its settings, and what's next.
pub async fn detail(ctx: &Ctx, conn: &mut Conn, r: &Rotation) -> Result<RotationDetailView> {
    // One statement however many members and tasks: this is the busiest read.
    let store::overview::Overview {
        members,
        mut skills,
        require,
        limit,
        owners,
        tasks,
        mut task_users,
        mut task_needs,
        profiles,
    } = store::overview::of_rotation(conn, r.id).await?;
    let mention = |id: &UserId| match profiles.get(id) {
        Some(p) => format!("@{}", p.username),
        None => format!("user `{id}`"),
    };
    let person = |id: &UserId| PersonRef::named(id, mention(id));

    let mut task_views = Vec::with_capacity(tasks.len());
    for t in &tasks {
        let users = task_users
            .remove(&t.id)
            .unwrap_or_default()
            .iter()
            .map(|id| TaskPerson {
                person: person(id),
                skills: None,
            })
            .collect();
        let needs = task_needs.remove(&t.id).unwrap_or_default();
        task_views.push(TaskView::new(&r.name, t, users, needs.require, needs.limit));
    }
    let planned = if r.task_type == TaskType::Shift && r.archived_at.is_none() {
        planned_shifts(ctx, conn, r, SHOW_UPCOMING.saturating_sub(task_views.len())).await?
    } else {
        Vec::new()
    };
    Ok(RotationDetailView {
        rotation: RotationView::new(r),
        owners: owners.iter().map(person).collect(),
        members: members
            .into_iter()
            .map(|m| MemberView {
                id: m.user_id.as_str().to_string(),
                username: profiles.get(&m.user_id).map(|p| p.username.clone()),
                skills: skills.remove(&m.user_id).unwrap_or_default(),
                joined_at: m.joined_at,
                last_served: m.last_served,
            })
            .collect(),
        require,
        limit,
        tasks: task_views,
        planned,
        members_only: false,
    })
}

/// The next `count` shifts that don't exist yet.
async fn planned_shifts(
    ctx: &Ctx,
    conn: &mut Conn,
    r: &Rotation,
    count: usize,
) -> Result<Vec<PlannedShift>> {
    let mut planned = Vec::new();
    let mut n = TaskOps::next_shift_number(conn, r, ctx.now).await?;
    let holidays = TaskOps::holidays(conn, r, ctx.now).await?;
    // Bounded: a long run of holidays must not make `rotation show` loop for ever.
    let last = n + 400;
    while planned.len() < count && n < last {
        if store::tasks::by_number(conn, r.id, n).await?.is_none() {
            let Ok(plan) = TaskOps::planned_shift(r, n, &holidays) else {
                break;
            };
            // Shifts skipped for a holiday are not planned.
            if let ShiftOnHoliday::Keep { start, duration }
            | ShiftOnHoliday::Moved {
                start, duration, ..
            } = plan
            {
                planned.push(PlannedShift {
                    number: n,
                    start,
                    finish: start + duration,
                });
            }
        }
        n += 1;
    }
    Ok(planned)
}
