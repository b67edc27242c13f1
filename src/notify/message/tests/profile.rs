//! The profile-preset DM: Mattermost refuses to let the bot change someone's profile.

use insta::assert_snapshot;

use super::{at, shown};
use crate::notify::message::*;

#[test]
fn profile_unmanageable_for_an_admin() {
    assert_snapshot!(shown(Message::ProfileUnmanageable(ProfileProblem {
        at: at(9),
        emoji: "palm_tree".into(),
        synced: false,
        error: "HTTP 403: You do not have the appropriate permissions.".into(),
    })), @"");
}

#[test]
fn profile_unmanageable_when_synced() {
    assert_snapshot!(shown(Message::ProfileUnmanageable(ProfileProblem {
        at: at(9),
        emoji: "palm_tree".into(),
        synced: true,
        error: "HTTP 409: the nickname is synced by LDAP".into(),
    })), @"");
}
