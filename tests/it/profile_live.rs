//! Profile presets end to end: the status emoji is set in (fake) Mattermost, the event travels over
//! the real WebSocket to the listener, and the engine changes the nickname and picture — also
//! across dropped connections, a server that forgot the connection, and a bot restart.

use solar_lottery::service::profile::picture;

use crate::profile::{image_server, nickname_becomes, png};
use crate::support::app::{Spawn, TestApp, spawn_app_with, start};
use crate::support::wait::eventually;

fn live() -> Spawn {
    Spawn {
        settings: vec![("allow_private_urls", "true"), ("websocket", "on")],
        ..Spawn::default()
    }
}

async fn listening(t: &TestApp) {
    eventually("the listener to connect", async || {
        (t.mm.live_websockets() > 0).then_some(())
    })
    .await;
}

#[tokio::test]
async fn setting_the_emoji_in_mattermost_switches_the_profile_across_drops_and_restarts() {
    let mut t = spawn_app_with(live()).await;
    t.mm.add_user("ann").time_zone("UTC");
    t.mm.set_nickname_as_user("ann", "Ann");
    t.mm.bot().system_admin();
    let images = image_server().await;
    let out = t
        .run(
            "ann",
            &format!(
                "profile preset add :palm_tree: --nickname \"Ann (away)\" --image {images}/beach.png"
            ),
        )
        .await;
    assert!(out.contains("palm_tree"), "{out}");
    let original_picture = t.mm.picture_of("ann");
    let beach = picture::normalise(&png(300, 200, [250, 200, 40]))
        .unwrap()
        .png;
    listening(&t).await;

    // No signal from the test: only what Mattermost publishes on its WebSocket.
    t.mm.user("ann").custom_status("palm_tree", "Beach", None);
    nickname_becomes(&t, "ann", "Ann (away)").await;
    eventually("the beach picture", async || {
        (t.mm.picture_of("ann") == beach).then_some(())
    })
    .await;

    // A dropped connection resumes; what happened meanwhile is replayed.
    t.mm.drop_websockets();
    t.mm.clear_custom_status_as_user("ann");
    nickname_becomes(&t, "ann", "Ann").await;
    eventually("the original picture", async || {
        (t.mm.picture_of("ann") == original_picture).then_some(())
    })
    .await;

    // The server forgot the connection (a restart): the listener reconciles.
    t.mm.forget_websockets();
    t.mm.user("ann").custom_status("palm_tree", "Beach", None);
    nickname_becomes(&t, "ann", "Ann (away)").await;

    // The bot is down while the status is cleared; the next bot process catches up at start.
    t.app.take().unwrap().shutdown().await;
    t.mm.clear_custom_status_as_user("ann");
    t.app = Some(start(&t.mm, &t.db_url, &live()).await);
    nickname_becomes(&t, "ann", "Ann").await;
}
