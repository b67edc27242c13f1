//! Several bot processes on one database: one of them (the `profile-engine` lease holder) runs the
//! preset engine; the others hand what they hear over through reconciliation marks, and a new holder
//! re-reads everyone, restoring expiries that passed while no engine ran — also when the holder died
//! between writing a preset to Mattermost and finishing.

use std::time::Duration;

use chrono::Utc;
use solar_lottery::profile::{holding, listener};
use solar_lottery::store::{Db, leases};

use crate::profile::nickname_becomes;
use crate::support::app::{Spawn, TestApp, spawn_app_with, start};
use crate::support::fake_mattermost::{LostResponse, RouteKind};
use crate::support::wait::eventually;

fn process(instance: &'static str, websocket: &'static str) -> Spawn {
    Spawn {
        settings: vec![("allow_private_urls", "true"), ("websocket", websocket)],
        instance: Some(instance),
        lease_every: Some(Duration::from_secs(1)),
        ..Spawn::default()
    }
}

async fn holder(db: &Db, lease: &str) -> Option<String> {
    let mut conn = db.read().await.expect("connection");
    leases::holder(&mut conn, lease, Utc::now())
        .await
        .expect("lease")
}

async fn held_by(db: &Db, lease: &'static str, instance: &str) {
    eventually(&format!("{instance} to hold {lease}"), async || {
        (holder(db, lease).await.as_deref() == Some(instance)).then_some(())
    })
    .await;
}

fn ann(t: &TestApp) {
    t.mm.add_user("ann").time_zone("UTC");
    t.mm.set_nickname_as_user("ann", "Ann");
    t.mm.bot().system_admin();
}

/// Adding a preset marks the person for reconciliation, so the engine reads their status.
async fn add_preset(t: &TestApp) {
    let out = t
        .run(
            "ann",
            "profile preset add :palm_tree: --nickname \"Ann (away)\"",
        )
        .await;
    assert!(out.contains("palm_tree"), "{out}");
}

/// Shows ann's preset through holder "a", which dies in the middle of it: Mattermost carries the
/// nickname write out but its answer never comes, so "a" is stuck right after its first write to
/// Mattermost, before anything it would do after that write, and is killed there.
async fn holder_dies_right_after_writing_the_preset(t: &mut TestApp, db: &Db) {
    held_by(db, holding::LEASE_NAME, "a").await;
    t.mm.lose_next_response(RouteKind::PatchUser, 1, LostResponse::Hang);
    // No WebSocket here: the command's reconciliation mark brings the status in.
    add_preset(t).await;
    nickname_becomes(t, "ann", "Ann (away)").await;
    let shown = t.run("ann", "profile show").await;
    assert!(
        shown.contains("Shown now: the preset for :palm_tree:, unless the bot's last change has not reached Mattermost"),
        "the preset was recorded before the write: {shown}"
    );
    // The holder crashes (its lease is not released).
    t.app.take().expect("app").kill();
}

/// Process "b" starts on the same database and fake Mattermost; commands go to it from now on.
async fn restart(t: &mut TestApp, websocket: &'static str) {
    let app = start(&t.mm, &t.db_url, &process("b", websocket)).await;
    t.url = format!("http://{}", app.addr);
    t.app = Some(app);
}

#[tokio::test]
async fn an_expiry_that_passed_while_the_engine_holder_was_dead_is_restored_by_the_next_holder() {
    let mut t = spawn_app_with(process("a", "off")).await;
    let db = Db::connect(&t.db_url).await.expect("database");
    ann(&t);
    let expires = Utc::now() + chrono::TimeDelta::seconds(5);
    t.mm.user("ann")
        .custom_status("palm_tree", "Beach", Some(expires));
    holder_dies_right_after_writing_the_preset(&mut t, &db).await;

    // The status expires while nobody runs the engine.
    while Utc::now() <= expires + chrono::TimeDelta::milliseconds(200) {
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(
        t.mm.nickname_of("ann"),
        "Ann (away)",
        "nobody ran the engine"
    );

    restart(&mut t, "off").await;
    held_by(&db, holding::LEASE_NAME, "b").await;
    nickname_becomes(&t, "ann", "Ann").await;
    // The nickname comes back first; the picture and the record of it follow.
    eventually("`profile show` to say the original is shown", async || {
        let shown = t.run("ann", "profile show").await;
        shown
            .contains("Shown now: the original nickname and picture.")
            .then_some(())
    })
    .await;
}

#[tokio::test]
async fn a_status_cleared_after_the_engine_holder_died_mid_write_is_restored_by_the_next_holder() {
    let mut t = spawn_app_with(process("a", "off")).await;
    let db = Db::connect(&t.db_url).await.expect("database");
    ann(&t);
    t.mm.user("ann").custom_status("palm_tree", "Beach", None);
    holder_dies_right_after_writing_the_preset(&mut t, &db).await;
    t.mm.clear_custom_status_as_user("ann");

    restart(&mut t, "off").await;
    held_by(&db, holding::LEASE_NAME, "b").await;
    nickname_becomes(&t, "ann", "Ann").await;
}

#[tokio::test]
async fn a_preset_whose_holder_died_mid_write_is_confirmed_by_the_next_holder_and_restored_at_clear()
 {
    let mut t = spawn_app_with(process("a", "off")).await;
    let db = Db::connect(&t.db_url).await.expect("database");
    ann(&t);
    t.mm.user("ann").custom_status("palm_tree", "Beach", None);
    holder_dies_right_after_writing_the_preset(&mut t, &db).await;

    // "b" listens, takes the engine over, and finds the status still set: the preset stays.
    restart(&mut t, "on").await;
    held_by(&db, holding::LEASE_NAME, "b").await;
    eventually("the preset to be confirmed as shown", async || {
        t.run("ann", "profile show")
            .await
            .contains("Shown now: the preset for :palm_tree:.")
            .then_some(())
    })
    .await;
    assert_eq!(t.mm.nickname_of("ann"), "Ann (away)");
    eventually("the listener to connect", async || {
        (t.mm.live_websockets() > 0).then_some(())
    })
    .await;

    t.mm.clear_custom_status_as_user("ann");
    nickname_becomes(&t, "ann", "Ann").await;
}

#[tokio::test]
async fn a_process_that_listens_but_does_not_run_the_engine_hands_events_to_the_one_that_does() {
    // "b" starts first and runs the engine; "a" joins with the WebSocket on and listens.
    let mut t = spawn_app_with(process("b", "off")).await;
    let db = Db::connect(&t.db_url).await.expect("database");
    held_by(&db, holding::LEASE_NAME, "b").await;
    let listening = start(&t.mm, &t.db_url, &process("a", "on")).await;
    held_by(&db, listener::LEASE_NAME, "a").await;
    ann(&t);
    add_preset(&t).await;
    eventually("the listener to connect", async || {
        (t.mm.live_websockets() > 0).then_some(())
    })
    .await;

    t.mm.user("ann").custom_status("palm_tree", "Beach", None);
    nickname_becomes(&t, "ann", "Ann (away)").await;
    assert_eq!(
        holder(&db, holding::LEASE_NAME).await.as_deref(),
        Some("b"),
        "the engine never moved"
    );

    // The engine's holder leaves cleanly: the listening process takes the engine over at once.
    t.app.take().expect("app").shutdown().await;
    held_by(&db, holding::LEASE_NAME, "a").await;
    t.mm.clear_custom_status_as_user("ann");
    nickname_becomes(&t, "ann", "Ann").await;
    listening.shutdown().await;
}
