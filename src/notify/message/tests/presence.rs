//! The presence alerts to a rotation's owners and channel.

use insta::assert_snapshot;

use super::{at, shown};
use crate::lottery::{TaskId, UserId};
use crate::notify::message::*;

fn alert() -> PresenceAlert {
    PresenceAlert {
        task_id: TaskId(42),
        user_id: UserId::new("u-bob"),
        offline_since: at(9),
        person: "@bob".into(),
        task: "ICE#3".into(),
        rotation: "ICE".into(),
        since: "Sat 2030-03-02 10:00 CET".into(),
        zone: "Europe/Berlin".into(),
        for_how_long: "20 minutes".into(),
    }
}

#[test]
fn presence_absent() {
    assert_snapshot!(shown(Message::PresenceAbsent(alert())), @r"
    kind: presence_absent
    key: presence_absent:42:u-bob:1898672400:4xq9ann7k1u8nbd3yq6fz1ahre
    ---
    #### @bob is offline during ICE#3
    @bob is on **ICE#3** (ICE) and has been offline since Sat 2030-03-02 10:00 CET (Europe/Berlin), 20 minutes now.

    You hear about this once; a note follows when they are back. To cover it: `/lotto task assign ICE#3 @someone`.
    ");
}

#[test]
fn presence_back() {
    assert_snapshot!(shown(Message::PresenceBack(alert())), @r"
    kind: presence_back
    key: presence_back:42:u-bob:1898672400:4xq9ann7k1u8nbd3yq6fz1ahre
    ---
    #### @bob is back
    @bob is online again, on **ICE#3** (ICE), after being offline since Sat 2030-03-02 10:00 CET (Europe/Berlin), 20 minutes.
    ");
}

#[test]
fn oncall_status_failed() {
    let m = Message::DeliveryFailed(DeliveryFailed::new(
        "oncall:set:42:u-bob",
        "@bob",
        crate::notify::status_op::KIND,
        "403 You do not have the appropriate permissions.",
    ));
    assert_snapshot!(shown(m), @r"
    kind: delivery_failed
    key: oncall:set:42:u-bob:failed:4xq9ann7k1u8nbd3yq6fz1ahre
    ---
    #### An on-call status could not be changed
    Solar Lottery could not set or clear the on-call custom status of @bob. Mattermost said: 403 You do not have the appropriate permissions.
    Changing someone else's custom status needs the bot to have the `system_admin` role (System Console → Integrations → Bot Accounts). Until then, turn it off with `/lotto rotation set oncall-status <rotation> --off`.
    ");
}
