//! The WebSocket listener against the fake Mattermost's real WebSocket: `user_updated` after a
//! custom-status change, drops resumed without loss, a resume the server can't serve (or a gap)
//! reconciled from the last event seen, a refused token retried with growing pauses, one listener
//! among several processes, and `LOTTO_WEBSOCKET=off`.
//!
//! The listener is driven through the library with a channel of the test's own, so what it tells the
//! preset engine is observed directly.

use std::time::Duration;

use chrono::{DateTime, Utc};
use secrecy::SecretString;
use solar_lottery::jobs::{LeaseTiming, NamedLease};
use solar_lottery::mattermost::websocket::Keepalive;
use solar_lottery::mattermost::{CustomStatus, MattermostClient};
use solar_lottery::profile::listener::{self, CLOCK_MARGIN, Listener, ListenerOptions};
use solar_lottery::profile::signal::{self, ProfileSignal, SignalReceiver};
use solar_lottery::store::{Db, leases};
use tokio::sync::watch;
use tokio::task::JoinHandle;

use crate::support::app::{Spawn, spawn_app_with, start};
use crate::support::db;
use crate::support::fake_mattermost::{FakeMattermost, FakeUser};
use crate::support::wait::{DEADLINE, eventually};

/// One listener of a test, as one bot process would run it.
struct Running {
    inbox: SignalReceiver,
    stop: watch::Sender<bool>,
    task: JoinHandle<()>,
    instance: String,
}

impl Running {
    /// The next signal; panics after the deadline.
    async fn next(&mut self) -> ProfileSignal {
        tokio::time::timeout(DEADLINE, self.inbox.recv())
            .await
            .expect("a signal in time")
            .expect("the listener is running")
    }

    /// The next signal, which must be a `user_updated` for `user`; returns its custom status emoji.
    async fn next_update_of(&mut self, user: &FakeUser) -> String {
        match self.next().await {
            ProfileSignal::UserUpdated(u) if u.id.as_str() == user.id() => {
                u.custom_status().map(|c| c.emoji).unwrap_or_default()
            }
            other => panic!("expected an update of {user:?}, got {other:?}"),
        }
    }

    async fn next_reconcile(&mut self) -> DateTime<Utc> {
        match self.next().await {
            ProfileSignal::Reconcile { since } => since,
            other => panic!("expected a reconcile, got {other:?}"),
        }
    }

    async fn shutdown(self) {
        let _ = self.stop.send(true);
        self.task.await.expect("the listener ends cleanly");
    }
}

fn quick(backoff_base: Duration) -> ListenerOptions {
    ListenerOptions {
        lease: LeaseTiming::for_interval(Duration::from_secs(2)),
        backoff_base,
        backoff_cap: backoff_base * 8,
        keepalive: Keepalive::default(),
    }
}

fn listen(
    mm_client: &MattermostClient,
    db: &Db,
    instance: &str,
    options: ListenerOptions,
) -> Running {
    let (signals, inbox) = signal::channel();
    let (stop, shutdown) = watch::channel(false);
    let listener = Listener {
        client: mm_client.websocket(options.keepalive),
        lease: NamedLease::new(
            db.clone(),
            listener::LEASE_NAME,
            instance.to_string(),
            options.lease,
        ),
        status: Default::default(),
        signals,
        shutdown,
        options,
    };
    Running {
        inbox,
        stop,
        task: tokio::spawn(listener.run()),
        instance: instance.to_string(),
    }
}

struct Setup {
    mm: FakeMattermost,
    db: Db,
    ann: FakeUser,
    _database: db::TestDb,
}

async fn setup() -> Setup {
    let mm = FakeMattermost::start().await;
    let ann = mm.add_user("ann");
    let database = db::fresh().await;
    let db = Db::connect(&database.url).await.expect("database");
    Setup {
        mm,
        db,
        ann,
        _database: database,
    }
}

/// Ann sets her custom status herself, through the API.
async fn set_emoji(mm: &FakeMattermost, ann: &FakeUser, emoji: &str) {
    let as_ann = MattermostClient::new(
        mm.base_url(),
        SecretString::from(ann.access_token()),
        Duration::from_secs(5),
    )
    .expect("client");
    let status: CustomStatus =
        serde_json::from_value(serde_json::json!({"emoji": emoji, "text": ""})).expect("status");
    as_ann
        .update_custom_status(&ann.user_id(), &status)
        .await
        .expect("custom status set");
}

async fn holder(db: &Db) -> Option<String> {
    let mut conn = db.read().await.expect("connection");
    leases::holder(&mut conn, listener::LEASE_NAME, Utc::now())
        .await
        .expect("lease")
}

#[tokio::test]
async fn a_custom_status_change_reaches_the_listener_as_user_updated() {
    let s = setup().await;
    let mut l = listen(
        &s.mm.client(),
        &s.db,
        "one",
        quick(Duration::from_millis(50)),
    );
    // Nobody listened before: everything since the beginning may have been missed.
    assert_eq!(l.next_reconcile().await, DateTime::UNIX_EPOCH);
    set_emoji(&s.mm, &s.ann, "palm_tree").await;
    assert_eq!(l.next_update_of(&s.ann).await, "palm_tree");
    assert_eq!(holder(&s.db).await.as_deref(), Some("one"));
    l.shutdown().await;
    assert_eq!(
        holder(&s.db).await,
        None,
        "the lease is released on shutdown"
    );
}

#[tokio::test]
async fn a_dropped_connection_resumes_and_replays_what_was_missed_without_reconciling() {
    let s = setup().await;
    let mut l = listen(
        &s.mm.client(),
        &s.db,
        "one",
        quick(Duration::from_millis(500)),
    );
    l.next_reconcile().await;
    set_emoji(&s.mm, &s.ann, "palm_tree").await;
    assert_eq!(l.next_update_of(&s.ann).await, "palm_tree");

    s.mm.drop_websockets();
    // While the listener waits to reconnect.
    s.ann.clone().custom_status("pizza", "lunch", None);
    assert_eq!(l.next_update_of(&s.ann).await, "pizza");
    eventually("a resumed connection", async || {
        (s.mm.websocket_handshakes().1 >= 1).then_some(())
    })
    .await;
    set_emoji(&s.mm, &s.ann, "coffee").await;
    // In order and nothing between: no reconcile was needed.
    assert_eq!(l.next_update_of(&s.ann).await, "coffee");
    assert_eq!(s.mm.websocket_handshakes().0, 2);
    l.shutdown().await;
}

#[tokio::test]
async fn a_resume_the_server_cannot_serve_reconciles_from_the_last_event_seen() {
    let s = setup().await;
    let mut l = listen(
        &s.mm.client(),
        &s.db,
        "one",
        quick(Duration::from_millis(300)),
    );
    l.next_reconcile().await;
    let before = Utc::now();
    set_emoji(&s.mm, &s.ann, "palm_tree").await;
    assert_eq!(l.next_update_of(&s.ann).await, "palm_tree");
    let seen = Utc::now();

    // The server restarts: our connection is forgotten, and a change happens meanwhile.
    s.mm.forget_websockets();
    s.ann.clone().custom_status("pizza", "", None);
    let since = l.next_reconcile().await;
    assert!(
        since <= seen,
        "{since} after the last event was seen ({seen})"
    );
    assert!(since >= before - CLOCK_MARGIN, "{since} too early");
    // After the new hello the listener follows the new connection.
    set_emoji(&s.mm, &s.ann, "coffee").await;
    assert_eq!(l.next_update_of(&s.ann).await, "coffee");
    l.shutdown().await;
}

#[tokio::test]
async fn more_missed_events_than_the_server_keeps_are_reconciled() {
    let s = setup().await;
    let mut l = listen(&s.mm.client(), &s.db, "one", quick(Duration::from_secs(1)));
    l.next_reconcile().await;
    set_emoji(&s.mm, &s.ann, "palm_tree").await;
    assert_eq!(l.next_update_of(&s.ann).await, "palm_tree");

    s.mm.drop_websockets();
    // Far more than the server's 128-message buffer, while the listener waits to reconnect.
    for i in 0..200 {
        let emoji = if i % 2 == 0 { "pizza" } else { "coffee" };
        s.ann.clone().custom_status(emoji, "", None);
    }
    // Whatever was replayed live before the gap showed, a reconcile follows, then the final state.
    loop {
        match l.next().await {
            ProfileSignal::Reconcile { .. } => break,
            ProfileSignal::UserUpdated(_) => {}
        }
    }
    set_emoji(&s.mm, &s.ann, "tada").await;
    loop {
        if l.next_update_of(&s.ann).await == "tada" {
            break;
        }
    }
    l.shutdown().await;
}

#[tokio::test]
async fn a_refused_token_is_retried_with_growing_pauses_and_never_crashes() {
    let s = setup().await;
    let bad = MattermostClient::new(
        s.mm.base_url(),
        SecretString::from("not-a-token".to_string()),
        Duration::from_secs(5),
    )
    .expect("client");
    let base = Duration::from_millis(100);
    let l = listen(&bad, &s.db, "one", quick(base));
    let refusals = eventually("four refused upgrades", async || {
        let r = s.mm.refused_websockets();
        (r.len() >= 4).then_some(r)
    })
    .await;
    // Each pause at least doubles from the base (jitter only adds).
    for (i, pair) in refusals.windows(2).take(3).enumerate() {
        let pause = pair[1] - pair[0];
        assert!(pause >= base * 2u32.pow(i as u32), "pause {i}: {pause:?}");
    }
    assert!(!l.task.is_finished(), "the listener keeps trying");
    assert_eq!(s.mm.websocket_handshakes().0, 0);
    l.shutdown().await;
}

#[tokio::test]
async fn of_two_processes_on_one_database_one_listens_and_the_other_takes_over_when_it_dies() {
    let s = setup().await;
    let client = s.mm.client();
    let options = quick(Duration::from_millis(50));
    let a = listen(&client, &s.db, "a", options);
    let b = listen(&client, &s.db, "b", options);
    let first = eventually("a holder with a connection", async || {
        let h = holder(&s.db).await?;
        (s.mm.live_websockets() == 1).then_some(h)
    })
    .await;
    let (dead, mut survivor) = if first == "a" { (a, b) } else { (b, a) };
    assert!(
        survivor.inbox.is_empty(),
        "the other process does not listen"
    );
    // The holder crashes: no release, its socket gone with it.
    dead.task.abort();
    let _ = dead.task.await;
    assert_eq!(survivor.next_reconcile().await, DateTime::UNIX_EPOCH);
    assert_eq!(
        holder(&s.db).await.as_deref(),
        Some(survivor.instance.as_str())
    );
    set_emoji(&s.mm, &s.ann, "palm_tree").await;
    assert_eq!(survivor.next_update_of(&s.ann).await, "palm_tree");
    assert_eq!(s.mm.live_websockets(), 1);
    survivor.shutdown().await;
}

#[tokio::test]
async fn two_bot_processes_hold_one_websocket_and_with_lotto_websocket_off_none_connects() {
    let on = Spawn {
        settings: vec![("websocket", "on")],
        ..Spawn::default()
    };
    let off = Spawn::default();
    // The first process has the listener off: it never connects, whatever happens after.
    let mut app = spawn_app_with(off).await;
    assert!(!app.run("admin", "rotation list").await.is_empty());
    let second = start(&app.mm, &app.db_url, &on).await;
    let third = start(&app.mm, &app.db_url, &on).await;
    eventually("one WebSocket", async || {
        (app.mm.live_websockets() == 1).then_some(())
    })
    .await;
    let db = Db::connect(&app.db_url).await.expect("database");
    assert!(holder(&db).await.is_some());
    // One of them shuts down cleanly: one WebSocket remains (the other process's, taken over at
    // once if the one leaving held it, since it releases the lease).
    second.shutdown().await;
    eventually(
        "one WebSocket and a holder after a process left",
        async || (app.mm.live_websockets() == 1 && holder(&db).await.is_some()).then_some(()),
    )
    .await;
    third.shutdown().await;
    if let Some(first) = app.app.take() {
        first.shutdown().await;
    }
}

// ----- the fake's side of the contract ------------------------------------------------------------

#[tokio::test]
async fn the_fake_websocket_authenticates_by_challenge_and_refuses_a_bad_one_without_reply() {
    use futures_util::{SinkExt, StreamExt};
    use tokio_tungstenite::tungstenite::Message;

    let mm = FakeMattermost::start().await;
    let url = format!("{}/api/v4/websocket", mm.base_url().replace("http", "ws"));
    let challenge = |token: &str| {
        serde_json::json!({"seq": 1, "action": "authentication_challenge", "data": {"token": token}})
            .to_string()
    };
    let next_json = async |ws: &mut tokio_tungstenite::WebSocketStream<_>| loop {
        match ws.next().await {
            Some(Ok(Message::Text(t))) => {
                return Some(serde_json::from_str::<serde_json::Value>(t.as_str()).unwrap());
            }
            Some(Ok(Message::Close(_))) | Some(Err(_)) | None => return None,
            Some(Ok(_)) => {}
        }
    };

    let (mut ws, _) = tokio_tungstenite::connect_async(url.as_str())
        .await
        .expect("upgrade");
    ws.send(Message::text(challenge(&mm.bot_token())))
        .await
        .unwrap();
    let reply = next_json(&mut ws).await.expect("a reply");
    assert_eq!(reply, serde_json::json!({"status": "OK", "seq_reply": 1}));
    let hello = next_json(&mut ws).await.expect("a hello");
    assert_eq!(hello["event"], "hello");
    assert_eq!(hello["seq"], 0);
    assert_eq!(hello["data"]["connection_id"].as_str().unwrap().len(), 26);

    let (mut ws, _) = tokio_tungstenite::connect_async(url.as_str())
        .await
        .expect("upgrade");
    ws.send(Message::text(challenge("wrong"))).await.unwrap();
    assert_eq!(next_json(&mut ws).await, None, "closed without a reply");
    assert_eq!(mm.websocket_handshakes().0, 1);
}

#[tokio::test]
async fn users_by_ids_since_returns_only_the_users_updated_after_it() {
    let mm = FakeMattermost::start().await;
    let ann = mm.add_user("ann");
    let bob = mm.add_user("bob");
    tokio::time::sleep(Duration::from_millis(5)).await;
    let since = Utc::now().timestamp_millis();
    tokio::time::sleep(Duration::from_millis(5)).await;
    let bob = bob.custom_status("palm_tree", "", None);
    let users: Vec<serde_json::Value> = reqwest::Client::new()
        .post(format!("{}/api/v4/users/ids?since={since}", mm.base_url()))
        .bearer_auth(mm.bot_token())
        .json(&[ann.id(), bob.id()])
        .send()
        .await
        .expect("request")
        .json()
        .await
        .expect("users");
    let ids: Vec<&str> = users.iter().filter_map(|u| u["id"].as_str()).collect();
    assert_eq!(ids, vec![bob.id()]);
}
