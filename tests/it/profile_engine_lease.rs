//! Several bot processes on one database: one of them (the `profile-engine` lease holder) runs the
//! preset engine; the others hand what they hear over through reconciliation marks, and a new holder
//! re-reads everyone, restoring expiries that passed while no engine ran.

use std::time::Duration;

use chrono::Utc;
use solar_lottery::profile::{holding, listener};
use solar_lottery::store::{Db, leases};

use crate::support::app::{Spawn, TestApp, spawn_app_with, start};
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

async fn nickname_becomes(t: &TestApp, username: &str, nickname: &str) {
    eventually(
        &format!("@{username}'s nickname to be {nickname:?}"),
        async || (t.mm.nickname_of(username) == nickname).then_some(()),
    )
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

#[tokio::test]
async fn an_expiry_that_passed_while_the_engine_holder_was_dead_is_restored_by_the_next_holder() {
    let mut t = spawn_app_with(process("a", "off")).await;
    let db = Db::connect(&t.db_url).await.expect("database");
    held_by(&db, holding::LEASE_NAME, "a").await;
    ann(&t);
    let expires = Utc::now() + chrono::TimeDelta::seconds(5);
    t.mm.user("ann")
        .custom_status("palm_tree", "Beach", Some(expires));
    // No WebSocket here: the command's reconciliation mark brings the status in.
    add_preset(&t).await;
    nickname_becomes(&t, "ann", "Ann (away)").await;
    // The engine records what it showed after its writes; the crash comes after that record.
    eventually("the preset to be recorded as shown", async || {
        t.run("ann", "profile show")
            .await
            .contains("Shown now: the preset for :palm_tree:.")
            .then_some(())
    })
    .await;

    // The holder crashes (its lease is not released), and the status expires meanwhile.
    t.app.take().expect("app").kill();
    while Utc::now() <= expires + chrono::TimeDelta::milliseconds(200) {
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(
        t.mm.nickname_of("ann"),
        "Ann (away)",
        "nobody ran the engine"
    );

    t.app = Some(start(&t.mm, &t.db_url, &process("b", "off")).await);
    held_by(&db, holding::LEASE_NAME, "b").await;
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
