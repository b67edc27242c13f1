//! The profile-preset DM: Mattermost refuses to let the bot change someone's profile.

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
