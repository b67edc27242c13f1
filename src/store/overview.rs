//! Everything `rotation show` needs about one rotation, read in a single statement: the busiest
//! read of the bot (see the module note in `store` on why one row of JSON beats many rows).

use std::collections::HashMap;
use std::sync::LazyLock;

use super::dialect::portable;
use super::members::{Member, members_from_rows};
use super::rotations::split_needs;
use super::tasks::{
    JSON_COLUMNS, Task, TaskNeeds, TaskTuple, group_task_needs, group_task_users, task_from_tuple,
};
use super::users::{User, UserTuple, skills_by_user, users_by_id};
use super::{Conn, Result, json_rows};
use crate::lottery::{RotationId, SkillLevel, Skills, TaskId, UserId};

/// A rotation's people, needs and open tasks, with the profiles of everyone mentioned.
#[derive(Debug, Clone, Default)]
pub struct Overview {
    /// In join order.
    pub members: Vec<Member>,
    pub skills: HashMap<UserId, Skills>,
    pub require: Vec<(SkillLevel, u32)>,
    pub limit: Vec<(SkillLevel, u32)>,
    /// In the order they became owners.
    pub owners: Vec<UserId>,
    /// Tasks not finished yet, in start order.
    pub tasks: Vec<Task>,
    pub task_users: HashMap<TaskId, Vec<UserId>>,
    pub task_needs: HashMap<TaskId, TaskNeeds>,
    /// Members, owners and the people on the open tasks.
    pub profiles: HashMap<UserId, User>,
}

/// The statement, built once (it splices in the task columns).
static SQL: LazyLock<String> = LazyLock::new(|| {
    format!(
        "SELECT
           (SELECT json_group_array(json_array(m.user_id, m.position, m.joined_at,
              (SELECT MAX(COALESCE(t.actual_finish, COALESCE(t.actual_start, t.expected_start) + t.expected_duration))
               FROM task_users tu JOIN tasks t ON t.id = tu.task_id
               WHERE tu.user_id = m.user_id AND t.rotation_id = m.rotation_id)))
            FROM rotation_members m WHERE m.rotation_id = $1),
           (SELECT json_group_array(json_array(s.user_id, s.skill, s.level)) FROM user_skills s
            JOIN rotation_members m ON m.user_id = s.user_id WHERE m.rotation_id = $1),
           (SELECT json_group_array(json_array(kind, skill_level, count)) FROM rotation_needs
            WHERE rotation_id = $1),
           (SELECT json_group_array(json_array(rowid, user_id)) FROM rotation_owners
            WHERE rotation_id = $1),
           (SELECT json_group_array({JSON_COLUMNS}) FROM tasks t
            WHERE t.rotation_id = $1 AND t.state != 'finished'),
           (SELECT json_group_array(json_array(tu.task_id, tu.position, tu.user_id)) FROM task_users tu
            JOIN tasks t ON t.id = tu.task_id WHERE t.rotation_id = $1 AND t.state != 'finished'),
           (SELECT json_group_array(json_array(n.task_id, n.kind, n.skill_level, n.count)) FROM task_needs n
            JOIN tasks t ON t.id = n.task_id WHERE t.rotation_id = $1 AND t.state != 'finished'),
           (SELECT json_group_array(json_array(id, username, tz, email, is_admin, refreshed_at)) FROM users
            WHERE id IN (SELECT user_id FROM rotation_members WHERE rotation_id = $1
                         UNION SELECT user_id FROM rotation_owners WHERE rotation_id = $1
                         UNION SELECT tu.user_id FROM task_users tu JOIN tasks t ON t.id = tu.task_id
                               WHERE t.rotation_id = $1 AND t.state != 'finished'))"
    )
});

pub async fn of_rotation(conn: &mut Conn, id: RotationId) -> Result<Overview> {
    let row: (
        String,
        String,
        String,
        String,
        String,
        String,
        String,
        String,
    ) = sqlx::query_as(portable!(conn, SQL.as_str()))
        .bind(id.0)
        .fetch_one(&mut *conn)
        .await?;
    let (members, skills, needs, owners, tasks, task_users, task_needs, profiles) = row;
    let (require, limit) = split_needs(json_rows(&needs)?)?;
    let mut owners: Vec<(i64, String)> = json_rows(&owners)?;
    owners.sort_by_key(|o| o.0);
    let mut tasks = json_rows::<TaskTuple>(&tasks)?
        .into_iter()
        .map(task_from_tuple)
        .collect::<Result<Vec<Task>>>()?;
    tasks.sort_by_key(|t| (t.times.expected_start, t.number));
    let task_ids: Vec<TaskId> = tasks.iter().map(|t| t.id).collect();
    Ok(Overview {
        members: members_from_rows(json_rows(&members)?)?,
        skills: skills_by_user(json_rows(&skills)?),
        require,
        limit,
        owners: owners.into_iter().map(|(_, u)| UserId(u)).collect(),
        task_users: group_task_users(json_rows(&task_users)?),
        task_needs: group_task_needs(json_rows(&task_needs)?, &task_ids)?,
        tasks,
        profiles: users_by_id(json_rows::<UserTuple>(&profiles)?),
    })
}
