//! Who may take someone's place on a task (a swap, or an owner's override), by the same rules as a
//! fill: time off, overlapping tasks of any rotation and grace after a task of this rotation exclude;
//! and the task's staffing may not get worse: a requirement met before stays met, and a limit is
//! not broken (or, if it was already, not broken further).

use super::fill::{Assigned, Candidate, Exclusion, FillRequest, unavailable_reasons};
use super::ids::UserId;
use super::needs::Needs;
use super::skill::SkillLevel;

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum SwapError {
    #[error("{joining} can't serve then: {}", describe_exclusions(.reasons))]
    Unavailable {
        joining: UserId,
        reasons: Vec<Exclusion>,
    },
    #[error("the task would no longer have {want} {skill_level} (it would have {have})")]
    Requirement {
        skill_level: SkillLevel,
        want: u32,
        have: u32,
    },
    #[error("the task would have {have} {skill_level}, over its limit of {limit}")]
    Limit {
        skill_level: SkillLevel,
        limit: u32,
        have: u32,
    },
}

fn describe_exclusions(reasons: &[Exclusion]) -> String {
    reasons
        .iter()
        .map(|r| match r {
            Exclusion::Unavailable { .. } => "time off overlaps the task",
            Exclusion::BusyOnTask { .. } => "already on an overlapping task",
            Exclusion::Grace { .. } => "resting (grace) after a recent task",
            Exclusion::Limit { .. } => "over a limit",
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// Why `candidate` can't serve during the task of `req` (its interval, the rotation): empty when
/// they can. The same rules the fill applies.
pub fn exclusions(req: &FillRequest, candidate: &Candidate) -> Vec<Exclusion> {
    unavailable_reasons(req, candidate)
}

/// Whether `joining` may take `leaving`'s place among `on_task` (which includes `leaving`) without
/// making the task's staffing worse: every requirement met before stays met, and no limit ends up
/// broken beyond what it already was.
pub fn check_replacement(
    require: &Needs,
    limit: &Needs,
    on_task: &[Assigned],
    leaving: &UserId,
    joining: &Assigned,
) -> Result<(), SwapError> {
    let before: Vec<&Assigned> = on_task.iter().collect();
    let after: Vec<&Assigned> = on_task
        .iter()
        .filter(|a| &a.user != leaving)
        .chain(std::iter::once(joining))
        .collect();
    let count = |needs: &Needs, people: &[&Assigned]| {
        needs.count_qualified(people.iter().map(|a| &a.skills))
    };
    let (req_before, req_after) = (count(require, &before), count(require, &after));
    for ((sl, want), ((_, was), (_, now))) in require.iter().zip(req_before.iter().zip(&req_after))
    {
        if *now < want && now < was {
            return Err(SwapError::Requirement {
                skill_level: sl.clone(),
                want,
                have: *now,
            });
        }
    }
    let (lim_before, lim_after) = (count(limit, &before), count(limit, &after));
    for ((sl, max), ((_, was), (_, now))) in limit.iter().zip(lim_before.iter().zip(&lim_after)) {
        if *now > max && now > was {
            return Err(SwapError::Limit {
                skill_level: sl.clone(),
                limit: max,
                have: *now,
            });
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lottery::assign::tests::{needs, user as person};
    use crate::lottery::skill::Level;

    #[test]
    fn a_replacement_keeps_the_requirements_it_found_met() {
        let require = needs(&[("server", 1)]);
        let on = [
            person("ann", &[("server", Level::Beginner)]),
            person("cat", &[]),
        ];
        let bob = person("bob", &[]);
        let err =
            check_replacement(&require, &Needs::new(), &on, &UserId::new("ann"), &bob).unwrap_err();
        assert!(
            matches!(
                err,
                SwapError::Requirement {
                    have: 0,
                    want: 1,
                    ..
                }
            ),
            "{err}"
        );
        // Cat leaving changes nothing the requirement counts.
        assert_eq!(
            check_replacement(&require, &Needs::new(), &on, &UserId::new("cat"), &bob),
            Ok(())
        );
        // A requirement that was not met before does not block a swap that keeps it as it was.
        let require = needs(&[("server", 2)]);
        let dan = person("dan", &[("server", Level::Expert)]);
        assert_eq!(
            check_replacement(&require, &Needs::new(), &on, &UserId::new("ann"), &dan),
            Ok(())
        );
    }

    #[test]
    fn a_replacement_does_not_break_a_limit() {
        let limit = needs(&[("server-3", 1)]);
        let on = [
            person("ann", &[("server", Level::Expert)]),
            person("cat", &[]),
        ];
        let dan = person("dan", &[("server", Level::Expert)]);
        assert_eq!(
            check_replacement(&Needs::new(), &limit, &on, &UserId::new("ann"), &dan),
            Ok(())
        );
        let err =
            check_replacement(&Needs::new(), &limit, &on, &UserId::new("cat"), &dan).unwrap_err();
        assert!(
            matches!(
                err,
                SwapError::Limit {
                    have: 2,
                    limit: 1,
                    ..
                }
            ),
            "{err}"
        );
    }
}
