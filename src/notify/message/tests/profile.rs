//! DMs about what the bot could not do for someone: change their profile (presets), read a holiday feed.

use insta::assert_snapshot;

use super::{at, shown};
use crate::notify::message::*;

#[test]
fn profile_unmanageable_without_permission() {
    assert_snapshot!(shown(Message::ProfileUnmanageable(ProfileProblem {
        at: at(9),
        emoji: "palm_tree".into(),
        synced: false,
        error: "HTTP 403: You do not have the appropriate permissions.".into(),
    })), @r"
    kind: profile_unmanageable
    key: profile:unmanageable:4xq9ann7k1u8nbd3yq6fz1ahre:1898672400
    ---
    #### The bot can't change your profile
    You have a profile preset for :palm_tree:, but Mattermost refused to let Solar Lottery change your nickname or picture (HTTP 403: You do not have the appropriate permissions.).
    Mattermost lets a bot change other people's profiles only with the **system_admin** role (and a system admin's profile only then); a Mattermost system admin can give it that role (System Console → Integrations → Bot Accounts → solar-lottery → Role).
    The bot stops trying for now; adding a preset again (`/lotto profile preset add …`) makes it try once more. You will not hear about this again until then.
    ");
}

#[test]
fn profile_unmanageable_when_synced() {
    assert_snapshot!(shown(Message::ProfileUnmanageable(ProfileProblem {
        at: at(9),
        emoji: "palm_tree".into(),
        synced: true,
        error: "HTTP 409: the nickname is synced by LDAP".into(),
    })), @r"
    kind: profile_unmanageable
    key: profile:unmanageable:4xq9ann7k1u8nbd3yq6fz1ahre:1898672400
    ---
    #### The bot can't change your profile
    You have a profile preset for :palm_tree:, but Mattermost refused to let Solar Lottery change your nickname or picture (HTTP 409: the nickname is synced by LDAP).
    Your profile is synced from your organisation's directory (LDAP or SAML), so only the directory can change it.
    The bot stops trying for now; adding a preset again (`/lotto profile preset add …`) makes it try once more. You will not hear about this again until then.
    ");
}

#[test]
fn holiday_feed_failed_for_a_rotation() {
    assert_snapshot!(shown(Message::HolidayFeedFailed(HolidayFeedProblem {
        at: at(9),
        feed_id: 3,
        rotation: Some("ICE".into()),
        source: "https://calendar.example.com/…".into(),
        error: "The calendar server answered HTTP 404".into(),
    })), @r"
    kind: holiday_feed_failed
    key: holiday_feed:3:4xq9ann7k1u8nbd3yq6fz1ahre:1898672400
    ---
    #### A holiday feed can't be read
    The holidays of **ICE** come from https://calendar.example.com/…, but reading it failed. The calendar server answered HTTP 404.

    The holidays it already gave stay as they are, and the bot tries again every few hours. See how it stands with `/lotto holiday list --rotation ICE`; point it elsewhere with `/lotto holiday feed <url> --rotation ICE`, or stop it with `/lotto holiday feed off --rotation ICE`. You will not hear about this again until it has worked once more.
    ");
}
