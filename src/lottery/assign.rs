//! Who may be put on or taken off a task, and when a task may be filled or scheduled
//! (upstream §4.1–4.2, with its gaps closed).
//!
//! - **Assign and unassign**: without force only a pending task; with force also a scheduled or
//!   started one; never a finished one. A manual assign without force must respect the limits,
//!   counting users already on the task (`check_assign_limits`); requirements are not checked on
//!   assign, since people are usually added one at a time.
//! - **Fill** only a pending task, as upstream.
//! - **Scheduling checks the requirements** (upstream never did). A team that schedules a task
//!   expects it to be staffed, so `check_schedule` refuses while a requirement is unmet, unless
//!   forced (the command's `--force`). The autopilot fills before it schedules, so it always passes.

use super::fill::Assigned;
use super::ids::UserId;
use super::needs::Needs;
use super::skill::SkillLevel;
use super::task_state::TaskState;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AssignError {
    #[error("the task is {0}: add `--force` to change who is on it anyway")]
    NeedsForce(TaskState),
    #[error("the task is finished: who served on it can't change any more")]
    Finished,
    #[error(
        "only a pending task can be filled, and this one is {0}: use `/lotto task assign <task> @user --force` to change its users"
    )]
    FillNotPending(TaskState),
    #[error(
        "adding {user} would put the task over its limit of {limit} {skill_level}: relax the limit or add `--force`"
    )]
    OverLimit {
        user: UserId,
        skill_level: SkillLevel,
        limit: u32,
    },
}

impl AssignError {
    /// The message with user ids rendered by `name` (e.g. as `@name`).
    pub fn describe(&self, name: &dyn Fn(&UserId) -> String) -> String {
        match self {
            AssignError::OverLimit {
                user,
                skill_level,
                limit,
            } => format!(
                "Adding {} would put the task over its limit of {limit} {skill_level}: relax the limit (`/lotto rotation set limit <rotation> --skill {} --count N`) or add `--force`.",
                name(user),
                skill_level.to_input()
            ),
            other => capitalised(&other.to_string()),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ScheduleError {
    #[error(
        "the task still needs {}: fill it (`/lotto task fill <task>`), assign people, or add `--force` to schedule it anyway",
        render(.unmet)
    )]
    Unmet { unmet: Vec<(SkillLevel, u32)> },
}

fn render(needs: &[(SkillLevel, u32)]) -> String {
    needs
        .iter()
        .map(|(sl, n)| format!("{n} {sl}"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn capitalised(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(first) => first.to_uppercase().chain(c).collect::<String>() + ".",
        None => String::new(),
    }
}

/// Whether users may be added to a task in `state`.
pub fn check_assign(state: TaskState, force: bool) -> Result<(), AssignError> {
    match state {
        TaskState::Pending => Ok(()),
        TaskState::Finished => Err(AssignError::Finished),
        _ if force => Ok(()),
        s => Err(AssignError::NeedsForce(s)),
    }
}

/// Whether users may be taken off a task in `state`: the same rules as `check_assign`.
pub fn check_unassign(state: TaskState, force: bool) -> Result<(), AssignError> {
    check_assign(state, force)
}

/// Whether the lottery may fill a task in `state` (only a pending one, as upstream).
pub fn check_fill(state: TaskState) -> Result<(), AssignError> {
    match state {
        TaskState::Pending => Ok(()),
        s => Err(AssignError::FillNotPending(s)),
    }
}

/// For a manual assign without `--force`: adds `adding` one by one, in order, on top of `current`,
/// and reports the first user who would exceed a limit. Users already on the task are skipped.
pub fn check_assign_limits(
    limit: &Needs,
    current: &[Assigned],
    adding: &[Assigned],
) -> Result<(), AssignError> {
    let mut left: Vec<(&SkillLevel, i64, u32)> = limit
        .iter()
        .map(|(sl, n)| {
            let on = current.iter().filter(|a| sl.qualifies(&a.skills)).count();
            (sl, i64::from(n) - i64::try_from(on).unwrap_or(i64::MAX), n)
        })
        .collect();
    let mut seen: Vec<&UserId> = current.iter().map(|a| &a.user).collect();
    for a in adding {
        if seen.contains(&&a.user) {
            continue;
        }
        seen.push(&a.user);
        for (sl, remaining, configured) in &mut left {
            if sl.qualifies(&a.skills) {
                if *remaining <= 0 {
                    return Err(AssignError::OverLimit {
                        user: a.user.clone(),
                        skill_level: (*sl).clone(),
                        limit: *configured,
                    });
                }
                *remaining -= 1;
            }
        }
    }
    Ok(())
}

/// Whether a task with `users` on it may be scheduled: every requirement met, unless `force`.
pub fn check_schedule(
    require: &Needs,
    users: &[Assigned],
    force: bool,
) -> Result<(), ScheduleError> {
    if force {
        return Ok(());
    }
    let unmet: Vec<(SkillLevel, u32)> = require
        .count_qualified(users.iter().map(|a| &a.skills))
        .into_iter()
        .zip(require.iter())
        .filter_map(|((sl, have), (_, want))| (have < want).then(|| (sl, want - have)))
        .collect();
    if unmet.is_empty() {
        Ok(())
    } else {
        Err(ScheduleError::Unmet { unmet })
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::lottery::skill::{Level, Skills};
    use TaskState::*;

    /// Someone on a task with these skills (also the swap rules' tests).
    pub(crate) fn user(id: &str, skills: &[(&str, Level)]) -> Assigned {
        Assigned {
            user: UserId::new(id),
            skills: skills
                .iter()
                .map(|(s, l)| (s.parse().unwrap(), *l))
                .collect::<Skills>(),
        }
    }

    pub(crate) fn needs(items: &[(&str, u32)]) -> Needs {
        items
            .iter()
            .map(|(s, n)| (s.parse().unwrap(), *n))
            .collect()
    }

    #[test]
    fn assign_and_unassign_follow_upstream_state_rules() {
        for check in [check_assign, check_unassign] {
            assert_eq!(check(Pending, false), Ok(()));
            assert_eq!(check(Pending, true), Ok(()));
            assert_eq!(
                check(Scheduled, false),
                Err(AssignError::NeedsForce(Scheduled))
            );
            assert_eq!(check(Started, false), Err(AssignError::NeedsForce(Started)));
            assert_eq!(check(Scheduled, true), Ok(()));
            assert_eq!(check(Started, true), Ok(()));
            assert_eq!(check(Finished, true), Err(AssignError::Finished));
            assert_eq!(check(Finished, false), Err(AssignError::Finished));
        }
        assert_eq!(check_fill(Pending), Ok(()));
        assert_eq!(
            check_fill(Scheduled),
            Err(AssignError::FillNotPending(Scheduled))
        );
    }

    #[test]
    fn manual_assign_reports_the_first_user_over_a_limit() {
        // Upstream: "user @test-user2 failed max constraints server-◉".
        let limit = needs(&[("server", 1)]);
        let current = [user("u1", &[("server", Level::Beginner)])];
        let adding = [
            user("u1", &[("server", Level::Beginner)]),
            user("u3", &[]),
            user("u2", &[("server", Level::Expert)]),
        ];
        let err = check_assign_limits(&limit, &current, &adding).unwrap_err();
        assert_eq!(
            err,
            AssignError::OverLimit {
                user: UserId::new("u2"),
                skill_level: "server".parse().unwrap(),
                limit: 1
            }
        );
        let msg = err.describe(&|u| format!("@{u}"));
        assert!(
            msg.starts_with("Adding @u2 would put the task over its limit of 1 server-◉"),
            "{msg}"
        );
        assert_eq!(
            check_assign_limits(&limit, &[], &adding),
            Err(AssignError::OverLimit {
                user: UserId::new("u2"),
                skill_level: "server".parse().unwrap(),
                limit: 1
            })
        );
        assert_eq!(check_assign_limits(&limit, &[], &adding[..2]), Ok(()));
        assert_eq!(
            check_assign_limits(&Needs::new(), &current, &adding),
            Ok(())
        );
    }

    #[test]
    fn scheduling_needs_the_requirements_met_unless_forced() {
        let require = needs(&[("any", 2), ("webapp-2", 1)]);
        let users = [user("a", &[("webapp", Level::Beginner)])];
        let err = check_schedule(&require, &users, false).unwrap_err();
        assert_eq!(
            err,
            ScheduleError::Unmet {
                unmet: vec![(SkillLevel::Any, 1), ("webapp-2".parse().unwrap(), 1)]
            }
        );
        assert!(
            err.to_string()
                .starts_with("the task still needs 1 any, 1 webapp-▣")
        );
        assert_eq!(check_schedule(&require, &users, true), Ok(()));
        let users = [user("a", &[("webapp", Level::Advanced)]), user("b", &[])];
        assert_eq!(check_schedule(&require, &users, false), Ok(()));
    }
}
