//! Who actually serves at a moment of a task: the people on it, each replaced by whoever covers for
//! them then (`task override`). The reminders and the "started" DM go to them, not to the people
//! an override relieves.

use std::collections::HashMap;

use chrono::{DateTime, TimeDelta, Utc};

use crate::lottery::UserId;
use crate::service::Result;
use crate::store::overrides::Override;
use crate::store::tasks::Task;
use crate::store::{self, Conn};

/// The moment of a task whose people are asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Moment {
    /// Its first second.
    Start,
    /// Its last second (an override ending with the task covers its finish).
    Finish,
}

/// Who serves at a moment: the people in order, and for each one covering, whom they cover.
#[derive(Debug, Clone, Default, PartialEq)]
pub(super) struct Serving {
    pub users: Vec<UserId>,
    /// Covering person → the person on the task they serve instead of.
    pub covering: HashMap<UserId, UserId>,
}

/// Pure: `on_task` with each person replaced by the one covering for them at `at` (the latest
/// override in force wins); nobody appears twice.
pub(super) fn serving_at(on_task: &[UserId], overrides: &[Override], at: DateTime<Utc>) -> Serving {
    let mut out = Serving::default();
    for user in on_task {
        let cover = overrides.iter().rfind(|o| &o.from == user && o.covers(at));
        let serves = cover.map_or(user, |o| &o.to);
        if out.users.contains(serves) {
            continue;
        }
        out.users.push(serves.clone());
        if let Some(o) = cover {
            out.covering.insert(o.to.clone(), o.from.clone());
        }
    }
    out
}

/// Who serves on `task` at `moment`, given the people on it.
pub(super) async fn serving(
    conn: &mut Conn,
    task: &Task,
    on_task: &[UserId],
    moment: Moment,
) -> Result<Serving> {
    let overrides = store::overrides::of_task(conn, task.id).await?;
    let (start, finish) = task.times.span();
    let at = match moment {
        Moment::Start => start,
        Moment::Finish => (finish - TimeDelta::seconds(1)).max(start),
    };
    Ok(serving_at(on_task, &overrides, at))
}

/// Who serves on `task` from its start to its finish: the people on it, each replaced by someone
/// covering for them the whole time. (Who wore the on-call status of a task started before the
/// status followed partial overrides too: see `handover`.)
pub(super) async fn serving_throughout(
    conn: &mut Conn,
    task: &Task,
    on_task: &[UserId],
) -> Result<Vec<UserId>> {
    let (start, finish) = task.times.span();
    let last = (finish - TimeDelta::seconds(1)).max(start);
    let whole: Vec<Override> = store::overrides::of_task(conn, task.id)
        .await?
        .into_iter()
        .filter(|o| o.covers(start) && o.covers(last))
        .collect();
    Ok(serving_at(on_task, &whole, start).users)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lottery::TaskId;
    use chrono::TimeZone;

    fn t(h: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2030, 3, 4, h, 0, 0).unwrap()
    }

    fn over(from: &str, to: &str, start: u32, finish: u32) -> Override {
        Override {
            id: 1,
            task_id: TaskId(1),
            from: UserId(from.into()),
            to: UserId(to.into()),
            start: t(start),
            finish: t(finish),
        }
    }

    fn ids(names: &[&str]) -> Vec<UserId> {
        names.iter().map(|n| UserId((*n).into())).collect()
    }

    #[test]
    fn the_person_covering_at_the_moment_serves_instead_and_the_others_stay() {
        let overrides = [over("ann", "bob", 8, 12), over("ann", "cat", 12, 20)];
        let s = serving_at(&ids(&["ann", "dan"]), &overrides, t(9));
        assert_eq!(s.users, ids(&["bob", "dan"]));
        assert_eq!(
            s.covering.get(&UserId("bob".into())),
            Some(&UserId("ann".into()))
        );
        let s = serving_at(&ids(&["ann", "dan"]), &overrides, t(12));
        assert_eq!(s.users, ids(&["cat", "dan"]));
        let s = serving_at(&ids(&["ann", "dan"]), &overrides, t(20));
        assert_eq!(s.users, ids(&["ann", "dan"]));
        assert!(s.covering.is_empty());
    }

    #[test]
    fn someone_covering_who_is_also_on_the_task_is_named_once() {
        let overrides = [over("ann", "dan", 8, 12)];
        let s = serving_at(&ids(&["ann", "dan"]), &overrides, t(9));
        assert_eq!(s.users, ids(&["dan"]));
    }
}
