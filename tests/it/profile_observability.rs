//! What operators see of profile presets: `stats.yaml` counts them, `diagnostics.yaml` shows the
//! WebSocket listener's state, `/metrics` exports the engine's counters and the listener's gauges.

use std::io::Read;

use crate::profile::image_server;
use crate::support::app::{Spawn, TestApp, spawn_app_with};
use crate::support::wait::eventually;

const ADMIN_TOKEN: &str = "admintoken-5ecret-0123456789";

fn live() -> Spawn {
    Spawn {
        settings: vec![
            ("allow_private_urls", "true"),
            ("websocket", "on"),
            ("admin_token", ADMIN_TOKEN),
        ],
        ..Spawn::default()
    }
}

/// One file of the support packet.
async fn packet_part(t: &TestApp, name: &str) -> String {
    let bytes = reqwest::Client::new()
        .get(format!("{}/admin/support-packet", t.url))
        .bearer_auth(ADMIN_TOKEN)
        .send()
        .await
        .expect("the bot answers")
        .bytes()
        .await
        .expect("a body");
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes.to_vec())).expect("a zip");
    let mut file = archive.by_name(name).expect("the part");
    let mut text = String::new();
    file.read_to_string(&mut text).expect("text");
    text
}

#[tokio::test]
async fn the_support_packet_counts_presets_and_shows_the_websocket_listener() {
    let t = spawn_app_with(live()).await;
    t.mm.add_user("ann").time_zone("UTC");
    t.mm.add_user("bob").time_zone("UTC");
    t.mm.bot().system_admin();
    let images = image_server().await;
    for (user, emoji) in [("ann", "palm_tree"), ("ann", "house"), ("bob", "car")] {
        let out = t
            .run(
                user,
                &format!("profile preset add :{emoji}: --image {images}/beach.png"),
            )
            .await;
        assert!(out.contains(emoji), "{out}");
    }
    let stats = packet_part(&t, "stats.yaml").await;
    assert!(
        stats.contains("profile_presets:\n  people: 2\n  presets: 3"),
        "{stats}"
    );

    eventually("the listener to connect", async || {
        (t.mm.live_websockets() > 0).then_some(())
    })
    .await;
    // An event reaches the listener (the emoji has a preset: the engine applies it).
    t.mm.user("ann").custom_status("house", "Home", None);
    let diagnostics = eventually("an event in diagnostics.yaml", async || {
        let d = packet_part(&t, "diagnostics.yaml").await;
        (d.contains("last_event_at: ") && !d.contains("last_event_at: null")).then_some(d)
    })
    .await;
    assert!(
        diagnostics.contains("websocket:\n  enabled: true\n  connected: true\n  last_event_at: "),
        "{diagnostics}"
    );
    let metrics = eventually("the engine's counters", async || {
        let text = reqwest::get(format!("{}/metrics", t.url))
            .await
            .ok()?
            .text()
            .await
            .ok()?;
        let applied = text
            .lines()
            .find_map(|l| l.strip_prefix("lotto_profile_applied_total "))?
            .parse::<f64>()
            .ok()?;
        (applied >= 1.0).then_some(text)
    })
    .await;
    for expected in [
        "# TYPE lotto_profile_writes_total counter",
        "# TYPE lotto_profile_overflowed_total counter",
        "# TYPE lotto_profile_rate_limited_total counter",
        "# TYPE lotto_websocket_connected gauge",
        "lotto_websocket_last_event_timestamp_seconds ",
    ] {
        assert!(
            metrics.contains(expected),
            "{expected} missing from\n{metrics}"
        );
    }
}

#[tokio::test]
async fn with_the_websocket_off_diagnostics_say_so() {
    let t = spawn_app_with(Spawn {
        settings: vec![("admin_token", ADMIN_TOKEN)],
        ..Spawn::default()
    })
    .await;
    let diagnostics = packet_part(&t, "diagnostics.yaml").await;
    assert!(
        diagnostics
            .contains("websocket:\n  enabled: false\n  connected: false\n  last_event_at: null"),
        "{diagnostics}"
    );
    let stats = packet_part(&t, "stats.yaml").await;
    assert!(
        stats.contains("profile_presets:\n  people: 0\n  presets: 0"),
        "{stats}"
    );
}
