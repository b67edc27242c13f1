//! Snapshots of the calendar job's DMs.

use insta::assert_snapshot;

use super::{at, shown};
use crate::lottery::TaskId;
use crate::notify::message::*;

#[test]
fn calendar_notice() {
    let m = Message::CalendarNotice(CalendarNotice {
        at: at(9),
        lines: vec![
            "Status set to **Do not disturb** until 11:00 (Quarterly review).".into(),
            "The lottery skips you from Mon 2030-03-04 09:00 to Fri 2030-03-08 17:00.".into(),
        ],
        zone: "Europe/Berlin".into(),
        pause_hint: "To keep me from changing your status for a while, type \
            `/lotto calendar pause 2h` (any duration); `/lotto calendar resume` hands it back."
            .into(),
    });
    assert_snapshot!(shown(m), @r#"
    kind: calendar_notice
    key: calendar:notice:4xq9ann7k1u8nbd3yq6fz1ahre:1898672400
    ---
    #### Your calendar changed your status
    - Status set to **Do not disturb** until 11:00 (Quarterly review).
    - The lottery skips you from Mon 2030-03-04 09:00 to Fri 2030-03-08 17:00.

    Times are in Europe/Berlin. To keep me from changing your status for a while, type `/lotto calendar pause 2h` (any duration); `/lotto calendar resume` hands it back. Turn these messages off with `/lotto calendar set notices off`.
    "#);
}

#[test]
fn calendar_source_failed() {
    let m = Message::CalendarSourceFailed(CalendarProblem {
        at: at(9),
        error: "The ICS feed answered 404 Not Found.".into(),
    });
    assert_snapshot!(shown(m), @r#"
    kind: calendar_problem
    key: calendar:source:4xq9ann7k1u8nbd3yq6fz1ahre:1898672400
    ---
    #### Your calendar could not be read
    The ICS feed answered 404 Not Found.

    Until it can be read again your status stays as it is. The bot tries again on every run and will not tell you again about this problem; `/lotto calendar show` shows how things stand.
    "#);
}

#[test]
fn calendar_forbidden() {
    let m = Message::CalendarForbidden(CalendarProblem {
        at: at(9),
        error: "403: You do not have the appropriate permissions.".into(),
    });
    assert_snapshot!(shown(m), @r#"
    kind: calendar_problem
    key: calendar:forbidden:4xq9ann7k1u8nbd3yq6fz1ahre:1898672400
    ---
    #### The bot may not change your status
    Mattermost refused to let Solar Lottery change your status (403: You do not have the appropriate permissions.). A Mattermost system admin has to give the bot account the **system_admin** role (System Console → Integrations → Bot Accounts → solar-lottery → Role); your bot admins have been told.

    Your out-of-office time still keeps rotations from picking you. You will not hear about this again unless it starts failing anew.
    "#);
}

#[test]
fn calendar_admin_alert() {
    let m = Message::CalendarAdminAlert(CalendarAdminAlert {
        at: at(9),
        kind: "status_forbidden".into(),
        error: "403: You do not have the appropriate permissions.".into(),
        bot_id: "9bot6k1u8nbd3yq6fz1ahrexyz".into(),
    });
    assert_snapshot!(shown(m), @r#"
    kind: calendar_alert
    key: calendar:alert:status_forbidden:1898672400:4xq9ann7k1u8nbd3yq6fz1ahre
    ---
    #### Calendar status sync needs an admin
    Mattermost refuses to let Solar Lottery change people's status (HTTP 403), so calendar-driven status does nothing. Give the bot account the **system_admin** role: System Console → Integrations → Bot Accounts → solar-lottery → Role: System Admin (or `PUT /api/v4/users/9bot6k1u8nbd3yq6fz1ahrexyz/roles` with `{"roles":"system_user system_admin"}`).

    What Mattermost said: 403: You do not have the appropriate permissions.

    You hear about this once; if it is fixed and happens again, you will hear again.
    "#);
}

#[test]
fn calendar_admin_alert_on_disabled_custom_statuses() {
    let m = Message::CalendarAdminAlert(CalendarAdminAlert {
        at: at(9),
        kind: "custom_status_disabled".into(),
        error: "501: Custom statuses are disabled.".into(),
        bot_id: "9bot6k1u8nbd3yq6fz1ahrexyz".into(),
    });
    assert_snapshot!(shown(m), @r#"
    kind: calendar_alert
    key: calendar:alert:custom_status_disabled:1898672400:4xq9ann7k1u8nbd3yq6fz1ahre
    ---
    #### Calendar status sync needs an admin
    Custom statuses are turned off on this Mattermost server, so the bot cannot show "Out of office" next to people's names. Turn them on in System Console → Site Configuration → Users and Teams → Enable Custom Statuses, or ignore this if you prefer them off (statuses and rotations are unaffected).

    What Mattermost said: 501: Custom statuses are disabled.

    You hear about this once; if it is fixed and happens again, you will hear again.
    "#);
}

#[test]
fn calendar_owner_oof() {
    let m = Message::CalendarOwnerOof(CalendarOwnerOof {
        task_id: TaskId(42),
        user_id: UserId::new("u-bob"),
        away_start: at(0),
        username: "bob".into(),
        rotation: "ICE".into(),
        task: "ICE#3".into(),
        state: "scheduled".into(),
        start: "2030-03-02 01:00".into(),
        finish: "2030-03-09 01:00".into(),
        task_start: "2030-03-04 09:00".into(),
        task_finish: "2030-03-11 09:00".into(),
        zone: "Europe/Berlin".into(),
    });
    assert_snapshot!(shown(m), @r#"
    kind: calendar_owner_oof
    key: calendar:oof:42:u-bob:1898640000:4xq9ann7k1u8nbd3yq6fz1ahre
    ---
    #### @bob is out of office during ICE#3
    @bob's calendar shows them out of office from 2030-03-02 01:00 to 2030-03-09 01:00 (Europe/Berlin), which overlaps **ICE#3** (ICE, scheduled, 2030-03-04 09:00 → 2030-03-11 09:00).

    To cover it, assign someone else (`/lotto task assign ICE#3 @someone`) and take @bob off (`/lotto task unassign ICE#3 @bob`). You hear about this once.
    "#);
}
