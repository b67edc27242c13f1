//! Every kind of DM, rendered from realistic fixed inputs and pinned with its stored kind and its
//! idempotency key (keys guard against double DMs across restarts, so their formats never change).

use chrono::{DateTime, TimeZone, Utc};
use insta::assert_snapshot;

use super::*;
use crate::lottery::TaskId;

const ANN: &str = "4xq9ann7k1u8nbd3yq6fz1ahre";

fn at(h: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2030, 3, 2, h, 0, 0)
        .single()
        .unwrap_or_default()
}

/// What a snapshot pins: the outbox row as it is stored.
fn shown(message: Message) -> String {
    let row = Queued {
        to: UserId::new(ANN),
        rotation_id: Some(RotationId(7)),
        message,
    }
    .to_outbox();
    format!("kind: {}\nkey: {}\n---\n{}", row.kind, row.key, row.message)
}

/// Ann on ICE#3 with Bob, read in Berlin; the autopilot acts on Saturday 09:00 UTC.
fn task_dm() -> TaskDm {
    TaskDm {
        task_id: TaskId(42),
        repeat_at: None,
        me: "@ann".into(),
        actor: "The autopilot".into(),
        task: "ICE#3".into(),
        rotation: "ICE".into(),
        summary: None,
        start: "Mon 2030-03-04 09:00 CET".into(),
        finish: "Mon 2030-03-11 09:00 CET".into(),
        zone: "Europe/Berlin".into(),
        starts_in: "in 2 days".into(),
        finishes_in: "in 9 days".into(),
        others: "@bob".into(),
        owners: "@olga".into(),
        needs: Some("2 any".into()),
        grace: Some("6d".into()),
        grace_until: "Sun 2030-03-17 09:00 CET".into(),
        next_task: None,
        covering_for: None,
    }
}

#[test]
fn every_template_compiles() {
    for t in Template::ALL {
        assert!(templates::env().get_template(t.name).is_ok(), "{}", t.name);
    }
    let mut names: Vec<&str> = Template::ALL.iter().map(|t| t.name).collect();
    names.sort_unstable();
    names.dedup();
    assert_eq!(
        names.len(),
        Template::ALL.len(),
        "a template is listed twice"
    );
}

#[test]
fn welcome() {
    let m = Message::Welcome(Welcome {
        rotation_id: RotationId(7),
        at: at(9),
        actor: Some("@olga".into()),
        rotation: "ICE".into(),
        task_type: "shift".into(),
        next_tasks: Some("ICE#3 (in 2 days), ICE#4 (in 9 days)".into()),
    });
    assert_snapshot!(shown(m), @r#"
    kind: welcome
    key: join:7:4xq9ann7k1u8nbd3yq6fz1ahre:1898672400
    ---
    #### Welcome to ICE!
    @olga added you to the **ICE** rotation. The solar lottery picks people for its shifts: whoever has waited longest is most likely next.
    Coming up: ICE#3 (in 2 days), ICE#4 (in 9 days).
    - See the rotation: `/lotto rotation show ICE`
    - Your skills: `/lotto user show` (owners pick by skill; add yours with `/lotto user qualify --skills webapp-2`)
    - Away for a while? `/lotto user unavailable --start <first day off> --finish <day back>` (dates like `2026-12-24`) and the lottery skips you.
    "#);
}

#[test]
fn welcome_when_joining_oneself() {
    let m = Message::Welcome(Welcome {
        rotation_id: RotationId(7),
        at: at(9),
        actor: None,
        rotation: "Support".into(),
        task_type: "ticket".into(),
        next_tasks: None,
    });
    assert_snapshot!(shown(m), @r#"
    kind: welcome
    key: join:7:4xq9ann7k1u8nbd3yq6fz1ahre:1898672400
    ---
    #### Welcome to Support!
    You joined the **Support** rotation. The solar lottery picks people for its tickets: whoever has waited longest is most likely next.
    - See the rotation: `/lotto rotation show Support`
    - Your skills: `/lotto user show` (owners pick by skill; add yours with `/lotto user qualify --skills webapp-2`)
    - Away for a while? `/lotto user unavailable --start <first day off> --finish <day back>` (dates like `2026-12-24`) and the lottery skips you.
    "#);
}

#[test]
fn removed() {
    let m = Message::Removed(Removed {
        rotation_id: RotationId(7),
        at: at(9),
        actor: Some("@olga".into()),
        rotation: "ICE".into(),
        open_tasks: Some("ICE#3".into()),
        owners: "@olga".into(),
    });
    assert_snapshot!(shown(m), @r#"
    kind: removed
    key: leave:7:4xq9ann7k1u8nbd3yq6fz1ahre:1898672400
    ---
    #### You left ICE
    @olga removed you from the **ICE** rotation. The lottery will not pick you for it any more.
    You are still on ICE#3: ask an owner of ICE (@olga) to unassign you if you can't make it.
    To join again: `/lotto user join ICE`
    "#);
}

#[test]
fn removed_when_leaving_oneself() {
    let m = Message::Removed(Removed {
        rotation_id: RotationId(7),
        at: at(9),
        actor: None,
        rotation: "ICE".into(),
        open_tasks: None,
        owners: "@olga".into(),
    });
    assert_snapshot!(shown(m), @r#"
    kind: removed
    key: leave:7:4xq9ann7k1u8nbd3yq6fz1ahre:1898672400
    ---
    #### You left ICE
    You left the **ICE** rotation. The lottery will not pick you for it any more.
    To join again: `/lotto user join ICE`
    "#);
}

#[test]
fn scheduled() {
    assert_snapshot!(shown(Message::Scheduled(task_dm())), @r#"
    kind: scheduled
    key: task:42:scheduled:4xq9ann7k1u8nbd3yq6fz1ahre
    ---
    #### You're on ICE#3
    The autopilot scheduled **ICE#3** (ICE).
    - **When:** Mon 2030-03-04 09:00 CET → Mon 2030-03-11 09:00 CET (Europe/Berlin), starts in 2 days
    - **With:** @bob
    - **Needs:** 2 any
    Can't make it? Tell an owner of ICE (@olga) so they can swap you: `/lotto task unassign ICE#3 @you`, then `/lotto task fill ICE#3`.
    "#);
}

#[test]
fn scheduled_by_being_added_to_a_started_task() {
    let m = Message::Scheduled(TaskDm {
        repeat_at: Some(at(9)),
        actor: "@olga".into(),
        summary: Some("database upgrade".into()),
        others: "@bob and @cat".into(),
        needs: None,
        ..task_dm()
    });
    assert_snapshot!(shown(m), @r#"
    kind: scheduled
    key: task:42:scheduled:4xq9ann7k1u8nbd3yq6fz1ahre:1898672400
    ---
    #### You're on ICE#3
    @olga scheduled **ICE#3** (ICE: database upgrade).
    - **When:** Mon 2030-03-04 09:00 CET → Mon 2030-03-11 09:00 CET (Europe/Berlin), starts in 2 days
    - **With:** @bob and @cat
    Can't make it? Tell an owner of ICE (@olga) so they can swap you: `/lotto task unassign ICE#3 @you`, then `/lotto task fill ICE#3`.
    "#);
}

#[test]
fn started() {
    let m = Message::Started(TaskDm {
        finishes_in: "in 7 days".into(),
        ..task_dm()
    });
    assert_snapshot!(shown(m), @r#"
    kind: started
    key: task:42:started:4xq9ann7k1u8nbd3yq6fz1ahre
    ---
    #### ICE#3 has started
    The autopilot started **ICE#3** (ICE). You're on it until Mon 2030-03-11 09:00 CET (Europe/Berlin), in 7 days.
    - **With:** @bob
    Details: `/lotto task show ICE#3`
    "#);
}

#[test]
fn finished() {
    assert_snapshot!(shown(Message::Finished(task_dm())), @r#"
    kind: finished
    key: task:42:finished:4xq9ann7k1u8nbd3yq6fz1ahre
    ---
    #### ICE#3 is finished
    The autopilot finished **ICE#3** (ICE) at Mon 2030-03-11 09:00 CET (Europe/Berlin). Thank you!
    The lottery leaves you out of ICE for 6d of grace, until Sun 2030-03-17 09:00 CET.
    "#);
}

#[test]
fn finished_without_grace() {
    let m = Message::Finished(TaskDm {
        grace: None,
        ..task_dm()
    });
    assert_snapshot!(shown(m), @r#"
    kind: finished
    key: task:42:finished:4xq9ann7k1u8nbd3yq6fz1ahre
    ---
    #### ICE#3 is finished
    The autopilot finished **ICE#3** (ICE) at Mon 2030-03-11 09:00 CET (Europe/Berlin). Thank you!
    "#);
}

#[test]
fn unassigned() {
    let m = Message::Unassigned(TaskDm {
        repeat_at: Some(at(9)),
        actor: "@olga".into(),
        ..task_dm()
    });
    assert_snapshot!(shown(m), @r#"
    kind: unassigned
    key: task:42:unassigned:4xq9ann7k1u8nbd3yq6fz1ahre:1898672400
    ---
    #### You're off ICE#3
    @olga took you off **ICE#3** (ICE), which runs Mon 2030-03-04 09:00 CET → Mon 2030-03-11 09:00 CET (Europe/Berlin). Nothing else to do.
    "#);
}

#[test]
fn remind_start() {
    let m = Message::RemindStart(TaskDm {
        starts_in: "in 23 hours".into(),
        ..task_dm()
    });
    assert_snapshot!(shown(m), @r#"
    kind: remind_start
    key: task:42:remind_start:4xq9ann7k1u8nbd3yq6fz1ahre
    ---
    #### Reminder: ICE#3 starts in 23 hours
    **ICE#3** (ICE) starts **Mon 2030-03-04 09:00 CET** and runs until Mon 2030-03-11 09:00 CET (Europe/Berlin).
    - **With:** @bob
    Can't make it? Tell an owner of ICE (@olga) now, so they can swap you in time: `/lotto task unassign ICE#3 @ann --force`, then `/lotto task assign ICE#3 @someone --force`.
    "#);
}

#[test]
fn remind_finish() {
    let m = Message::RemindFinish(TaskDm {
        finishes_in: "in 23 hours".into(),
        next_task: Some("ICE#4 (@cat and @dan)".into()),
        ..task_dm()
    });
    assert_snapshot!(shown(m), @r#"
    kind: remind_finish
    key: task:42:remind_finish:4xq9ann7k1u8nbd3yq6fz1ahre
    ---
    #### Reminder: ICE#3 ends in 23 hours
    **ICE#3** (ICE) ends **Mon 2030-03-11 09:00 CET** (Europe/Berlin).
    - **With:** @bob
    - **Next up:** ICE#4 (@cat and @dan)
    Hand over anything still open before then. Can't stay until the end? Tell an owner of ICE (@olga) now, so they can cover the rest or finish it early (`/lotto task finish ICE#3`).
    "#);
}

#[test]
fn fill_failed() {
    let m = Message::FillFailed(FillFailed {
        task_id: TaskId(42),
        alert: "3f2a9c81d04e".into(),
        task: "ICE#3".into(),
        rotation: "ICE".into(),
        start: "Mon 2030-03-04 09:00 CET".into(),
        zone: "Europe/Berlin".into(),
        starts_in: "in 2 days".into(),
        reason: "ICE#3 needs 2 any, and only 1 member can take it: @cat is unavailable.".into(),
    });
    assert_snapshot!(shown(m), @r#"
    kind: fill_failed
    key: alert:42:3f2a9c81d04e:4xq9ann7k1u8nbd3yq6fz1ahre
    ---
    #### ICE#3 could not be filled
    The autopilot tried to fill **ICE#3** (ICE), which starts Mon 2030-03-04 09:00 CET (Europe/Berlin, in 2 days), and could not:

    ICE#3 needs 2 any, and only 1 member can take it: @cat is unavailable.

    Once that is fixed, the autopilot fills it on its next run; or fill it yourself with `/lotto task fill ICE#3`, or pick someone with `/lotto task assign ICE#3 @someone`. You'll hear about ICE#3 again only if the reason changes, or if it fails again after being fixed.
    "#);
}

#[test]
fn delivery_failed() {
    let m = Message::DeliveryFailed(DeliveryFailed::new(
        "task:42:remind_start:u-bob",
        "@bob",
        "remind_start",
        "403 user is deactivated",
    ));
    assert_snapshot!(shown(m), @r#"
    kind: delivery_failed
    key: task:42:remind_start:u-bob:failed:4xq9ann7k1u8nbd3yq6fz1ahre
    ---
    #### A message could not be delivered
    Solar Lottery could not deliver a **remind start** message to @bob: 403 user is deactivated.
    They may be deactivated or unable to receive DMs from the bot. Please let them know yourself, or remove them from the rotation (`/lotto user leave <rotation> @bob`).
    "#);
}

mod calendar;
mod presence;
mod profile;
mod swap;
