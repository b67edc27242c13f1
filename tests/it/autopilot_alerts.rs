//! A task the autopilot cannot fill: it blocks nothing else, and the rotation's owners hear about it
//! once per reason — again when the reason changes, or when it was fixed and fails again — never once
//! per tick.

use crate::support::app::{TestApp, spawn_app};
use chrono::{DateTime, TimeZone, Utc};
use solar_lottery::autopilot;

fn at(d: u32, m: u32, h: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2030, m, d, h, 0, 0).unwrap()
}

async fn autopilot_at(t: &TestApp, now: &str) -> String {
    let reply = t
        .run("admin", &format!("rotation autopilot ICE --now={now}"))
        .await;
    t.deliver().await;
    reply
}

fn fill_line(reply: &str) -> &str {
    reply
        .lines()
        .find_map(|l| l.strip_prefix("- fill and schedule: "))
        .unwrap_or_else(|| panic!("no fill line in {reply}"))
}

/// Each owner's DMs.
fn owner_dms(t: &TestApp) -> (Vec<String>, Vec<String>) {
    (t.mm.dms_to("admin"), t.mm.dms_to("olga"))
}

#[tokio::test]
async fn owners_hear_once_per_reason_and_again_after_a_fix_fails() {
    let t = spawn_app().await;
    for u in ["olga", "ann", "bob", "eve", "cat", "dan"] {
        t.mm.add_user(u).time_zone("UTC");
    }
    for cmd in [
        "rotation new ICE --period weekly --beginning 2030-03-04T09:00 --tz UTC",
        "rotation owner add ICE @olga",
        "user join ICE @ann @bob",
        "rotation set require ICE --skill any --count 2",
        "user unavailable @bob --start 2030-03-04T09:00 --finish 2030-03-11T09:00",
        "rotation set autopilot ICE --create-prior 2w --schedule-prior 2w",
        // A second rotation, to show a failing task stops nothing elsewhere.
        "rotation new OPS --period weekly --beginning 2030-03-04T09:00 --tz UTC",
        "user join OPS @cat @dan",
        "rotation set autopilot OPS --create-prior 2w --schedule-prior 2w",
    ] {
        let out = t.run("admin", cmd).await;
        assert!(!out.contains("Usage"), "{cmd}: {out}");
    }
    t.deliver().await;
    let welcomes = owner_dms(&t);
    assert_eq!((welcomes.0.len(), welcomes.1.len()), (0, 0));

    // The background tick: ICE#0 (bob away) can't be filled; ICE#1 and both OPS shifts can.
    let svc = t.app.as_ref().unwrap().service.clone();
    let report = autopilot::tick(&svc, at(26, 2, 9)).await.unwrap();
    assert_eq!(
        (report.rotations, report.acted, report.failed),
        (2, 2, 1),
        "one task failed, the rest went on"
    );
    t.deliver().await;
    let states = t.task_states().await;
    let states: Vec<(&str, &str)> = states
        .iter()
        .map(|(task, state)| (task.as_str(), state.as_str()))
        .collect();
    assert_eq!(
        states,
        [
            ("ICE#0", "pending"),
            ("ICE#1", "scheduled"),
            ("OPS#0", "scheduled"),
            ("OPS#1", "scheduled"),
        ]
    );
    let (admin, olga) = owner_dms(&t);
    assert_eq!((admin.len(), olga.len()), (1, 1), "{admin:#?} {olga:#?}");
    for dm in [&admin[0], &olga[0]] {
        assert!(
            dm.starts_with(
                "#### ICE#0 could not be filled\nThe autopilot tried to fill **ICE#0** (ICE), \
                 which starts Mon 2030-03-04 09:00 UTC (UTC, in 6 days), and could not:"
            ),
            "{dm}"
        );
        assert!(
            dm.contains("it needs 2 more any and only 1 eligible member qualifies"),
            "{dm}"
        );
        assert!(dm.contains("- @bob: unavailable (personal)"), "{dm}");
        // The lottery's remedies name the rotation, ready to copy.
        assert!(
            dm.contains("`/lotto user join ICE @user`") && !dm.contains("<rotation>"),
            "{dm}"
        );
        assert!(dm.contains("You'll hear about ICE#0 again only if"), "{dm}");
    }

    // Later runs still fail (and say so), but tell nobody again.
    for now in ["2030-02-26T10:00", "2030-02-27T09:00"] {
        let reply = autopilot_at(&t, now).await;
        assert!(
            fill_line(&reply).starts_with("failed: ICE#0 (Couldn't fill ICE#0:"),
            "{reply}"
        );
    }
    assert_eq!(owner_dms(&t).0.len(), 1);
    assert_eq!(owner_dms(&t).1.len(), 1);

    // The reason changes (eve joins, but is away too): told once more.
    t.run("admin", "user join ICE @eve").await;
    t.run(
        "admin",
        "user unavailable @eve --start 2030-03-04T09:00 --finish 2030-03-11T09:00",
    )
    .await;
    autopilot_at(&t, "2030-02-27T10:00").await;
    autopilot_at(&t, "2030-02-28T09:00").await;
    let (admin, olga) = owner_dms(&t);
    assert_eq!((admin.len(), olga.len()), (2, 2), "{admin:#?}");
    assert!(
        admin[1].contains("- @eve: unavailable (personal)"),
        "{}",
        admin[1]
    );
    assert!(
        admin[1].contains("- @bob: unavailable (personal)"),
        "{}",
        admin[1]
    );
    let second_reason = admin[1].clone();

    // An owner fixes it by hand (bob can make it after all) and fills the task...
    t.run("admin", "user unavailable @bob --clear").await;
    let out = t.run("admin", "task fill ICE#0").await;
    assert!(out.contains("The lottery picked"), "{out}");
    // ...then it falls apart again: bob is away after all, and both are taken off.
    t.run("admin", "task unassign ICE#0 @ann @bob").await;
    t.run(
        "admin",
        "user unavailable @bob --start 2030-03-04T09:00 --finish 2030-03-11T09:00",
    )
    .await;
    // The same reason as before, but after a fix: the owners hear again, once.
    autopilot_at(&t, "2030-02-28T10:00").await;
    autopilot_at(&t, "2030-03-01T09:00").await;
    let (admin, olga) = owner_dms(&t);
    assert_eq!((admin.len(), olga.len()), (3, 3), "{admin:#?}");
    assert_eq!(
        admin[2].replace("in 3 days", "in 4 days"),
        second_reason,
        "the same reason, told again"
    );

    // Fixed for good: eve is back. The task is filled and scheduled; the owners hear nothing more.
    t.run("admin", "user unavailable @eve --clear").await;
    let reply = autopilot_at(&t, "2030-03-01T10:00").await;
    // Only ann and eve can serve; the order is the lottery's.
    assert!(
        [
            "scheduled ICE#0 (@ann, @eve)",
            "scheduled ICE#0 (@eve, @ann)"
        ]
        .contains(&fill_line(&reply)),
        "{reply}"
    );
    autopilot_at(&t, "2030-03-02T09:00").await;
    let (admin, olga) = owner_dms(&t);
    assert_eq!((admin.len(), olga.len()), (3, 3));
    assert_eq!(
        t.autopilot_alerts().await,
        0,
        "a scheduled task has no open alert"
    );
    assert!(
        t.mm.dms_to("eve")
            .last()
            .unwrap()
            .starts_with("#### You're on ICE#0")
    );
}

#[tokio::test]
async fn an_empty_rotation_tells_its_owner_to_add_people_once() {
    let t = spawn_app().await;
    t.mm.add_user("ann").time_zone("UTC");
    for cmd in [
        "rotation new ICE --period weekly --beginning 2030-03-04T09:00 --tz UTC",
        "rotation set autopilot ICE --create-prior 1w --schedule-prior 1w",
    ] {
        t.run("admin", cmd).await;
    }
    let reply = autopilot_at(&t, "2030-02-26T10:00").await;
    assert!(reply.contains("- create shifts: created ICE#0"), "{reply}");
    assert!(
        fill_line(&reply).starts_with("failed: ICE#0 (Couldn't fill ICE#0:"),
        "{reply}"
    );
    // Nobody in the rotation at all: the one owner is told, once.
    autopilot_at(&t, "2030-02-26T11:00").await;
    let admin = t.mm.dms_to("admin");
    assert_eq!(admin.len(), 1, "{admin:#?}");
    assert!(admin[0].contains("add people to the rotation (`/lotto user join ICE @user`)"));
}
