//! Swap requests end to end: `task swap` sends DMs with Accept and Decline buttons; a click goes
//! through the fake Mattermost's action route to the bot's `POST /actions`, as Mattermost forwards
//! it; the first Accept wins; forged, replayed and misdirected clicks change nothing.

use serde_json::{Value, json};

use crate::commands_helpers::{delivered_snapshot, fails_unchanged, weekly_ice};
use crate::support::app::{Spawn, TestApp, spawn_app_with};
use crate::support::fake_mattermost::FakePost;

/// ICE (weekly, shift 0 from 2030-03-04 08:00 UTC, needing one person) with ann, bob and cat as
/// members, ann on ICE#0; dan is in the team but not in ICE. Buttons reach the bot.
async fn ice() -> TestApp {
    let t = spawn_app_with(Spawn {
        public_url_is_self: true,
        ..Default::default()
    })
    .await;
    for u in ["ann", "bob", "cat", "dan"] {
        t.mm.add_user(u).time_zone("UTC");
    }
    weekly_ice(&t).await;
    t.run("admin", "user join ICE @ann @bob @cat").await;
    t.run("admin", "task new shift ICE --number 0").await;
    t.run("admin", "task assign ICE#0 @ann").await;
    t.deliver().await;
    t
}

/// The latest DM to `user` with buttons.
fn invitation(t: &TestApp, user: &str) -> FakePost {
    t.mm.dm_posts_to(user)
        .into_iter()
        .rev()
        .find(|p| p.props.get("attachments").is_some())
        .unwrap_or_else(|| panic!("@{user} got no invitation: {:?}", t.mm.dms_to(user)))
}

/// The context of the invitation's button `action`.
fn context(post: &FakePost, action: &str) -> Value {
    post.props["attachments"][0]["actions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["id"] == action)
        .unwrap_or_else(|| panic!("no {action} button: {:?}", post.props))["integration"]["context"]
        .clone()
}

async fn people_on(t: &TestApp, task_number: i64) -> Vec<String> {
    let rows: Vec<(String,)> = sqlx::query_as(
        "SELECT u.username FROM task_users tu JOIN tasks t ON t.id = tu.task_id
         JOIN users u ON u.id = tu.user_id WHERE t.number = $1 ORDER BY tu.position",
    )
    .bind(task_number)
    .fetch_all(&t.db)
    .await
    .unwrap();
    rows.into_iter().map(|r| r.0).collect()
}

/// POSTs a click body straight to the bot, as anyone who can reach it could.
async fn post_action(t: &TestApp, body: Value) -> (u16, Value) {
    let res = reqwest::Client::new()
        .post(format!("{}/actions", t.url))
        .json(&body)
        .send()
        .await
        .unwrap();
    let status = res.status().as_u16();
    (status, res.json().await.unwrap_or(Value::Null))
}

fn last(v: &[String]) -> &str {
    v.last().map(String::as_str).unwrap_or("")
}

#[tokio::test]
async fn two_people_trade_a_shift_with_two_clicks() {
    let t = ice().await;
    let out = t.run("ann", "task swap ICE#0 @bob").await;
    assert!(
        out.contains("Asked @bob to take your place on **ICE#0**"),
        "{out}"
    );
    t.deliver().await;
    let post = invitation(&t, "bob");
    assert!(
        post.message.contains("Can you take @ann's place on ICE#0?"),
        "{}",
        post.message
    );
    let accept = &post.props["attachments"][0]["actions"][0];
    assert_eq!(accept["integration"]["url"], format!("{}/actions", t.url));
    assert_eq!(accept["name"], "Accept");

    let (status, _) = t.mm.click("bob", &post.id, "accept").await;
    assert_eq!(status, 200);
    assert_eq!(people_on(&t, 0).await, ["bob"]);
    let after = t.mm.post(&post.id).unwrap();
    assert!(
        after.message.contains("You took @ann's place on ICE#0"),
        "{}",
        after.message
    );
    assert!(
        after.props.get("attachments").is_none(),
        "the buttons are gone"
    );

    t.deliver().await;
    assert!(last(&t.mm.dms_to("ann")).contains("@bob took your place on ICE#0"));
    assert!(last(&t.mm.dms_to("bob")).contains("You're on ICE#0"));
    assert!(last(&t.mm.dms_to("admin")).contains("@bob took @ann's place on **ICE#0**"));
    let show = t.run("cat", "task show ICE#0").await;
    assert!(show.contains("@bob") && !show.contains("@ann"), "{show}");
    // The owners see it in the history.
    let history = t.run("admin", "task history ICE#0").await;
    assert!(
        history.contains("@ann asked to swap with @bob"),
        "{history}"
    );
    assert!(
        history.contains("@bob took @ann's place (swap)"),
        "{history}"
    );
}

#[tokio::test]
async fn without_names_everyone_who_could_is_asked_and_the_others_posts_say_it_is_taken() {
    let t = ice().await;
    let out = t.run("ann", "task swap ICE#0").await;
    assert!(out.contains("Asked @bob and @cat"), "{out}");
    t.deliver().await;
    assert!(t.mm.dms_to("dan").is_empty(), "dan is not in ICE");
    let (bob_post, cat_post) = (invitation(&t, "bob"), invitation(&t, "cat"));

    let (status, _) = t.mm.click("cat", &cat_post.id, "accept").await;
    assert_eq!(status, 200);
    assert_eq!(people_on(&t, 0).await, ["cat"]);
    t.deliver().await;
    let bob_now = t.mm.post(&bob_post.id).unwrap();
    assert!(
        bob_now
            .message
            .contains("@cat already took @ann's place on **ICE#0**"),
        "{}",
        bob_now.message
    );
    assert!(bob_now.props.get("attachments").is_none());

    // Bob's client still showed the buttons: Mattermost no longer finds them on the post, and the
    // same click sent straight to the bot (a replay) is refused; nothing changes.
    let before = delivered_snapshot(&t).await;
    let (status, _) = t.mm.click("bob", &bob_post.id, "accept").await;
    assert_eq!(status, 404);
    let bob = t.mm.user("bob").id;
    let replay =
        json!({"user_id": bob, "post_id": bob_post.id, "context": context(&bob_post, "accept")});
    let (status, body) = post_action(&t, replay).await;
    assert_eq!(status, 200);
    assert!(
        body["ephemeral_text"]
            .as_str()
            .unwrap()
            .contains("already decided: @cat took @ann's place"),
        "{body}"
    );
    assert_eq!(delivered_snapshot(&t).await, before);
}

#[tokio::test]
async fn of_two_accepts_at_once_exactly_one_wins() {
    let t = ice().await;
    t.run("ann", "task swap ICE#0 @bob @cat").await;
    t.deliver().await;
    let (bob_post, cat_post) = (invitation(&t, "bob"), invitation(&t, "cat"));
    let (b, c) = tokio::join!(
        t.mm.click("bob", &bob_post.id, "accept"),
        t.mm.click("cat", &cat_post.id, "accept")
    );
    assert_eq!((b.0, c.0), (200, 200));
    let on = people_on(&t, 0).await;
    assert_eq!(on.len(), 1, "{on:?}");
    let winner = on[0].as_str();
    let loser = if winner == "bob" { "cat" } else { "bob" };
    assert!(
        last(&t.mm.ephemerals_to(loser)).contains(&format!("@{winner} took @ann's place")),
        "{:?}",
        t.mm.ephemerals_to(loser)
    );
    let accepted: (i64,) =
        sqlx::query_as("SELECT COUNT(*) FROM swap_requests WHERE state = 'accepted'")
            .fetch_one(&t.db)
            .await
            .unwrap();
    assert_eq!(accepted.0, 1);
}

#[tokio::test]
async fn forged_replayed_and_misdirected_clicks_are_refused_and_change_nothing() {
    let t = ice().await;
    t.run("ann", "task swap ICE#0 @bob").await;
    t.deliver().await;
    let post = invitation(&t, "bob");
    let bob = t.mm.user("bob").id;
    let dan = t.mm.user("dan").id;
    let accept = context(&post, "accept");
    let click = |user: &str, context: Value| {
        json!({"user_id": user, "user_name": "", "channel_id": post.channel_id, "team_id": "",
               "post_id": post.id, "trigger_id": "x", "type": "button", "context": context})
    };
    let before = delivered_snapshot(&t).await;
    let mut other_task = accept.clone();
    other_task["task"] = json!("999");
    let mut bad_mac = accept.clone();
    bad_mac["mac"] = json!("00".repeat(32));
    let mut no_mac = accept.clone();
    no_mac.as_object_mut().unwrap().remove("mac");
    for forged in [other_task, bad_mac, no_mac, json!({}), json!("accept")] {
        let (status, body) = post_action(&t, click(&bob, forged.clone())).await;
        assert_eq!(status, 200, "{forged}");
        assert!(
            body["ephemeral_text"]
                .as_str()
                .unwrap()
                .contains("not made by Solar Lottery"),
            "{forged}: {body}"
        );
        assert!(body.get("update").is_none());
    }
    // Someone else sending Bob's (genuine) button.
    let (_, body) = post_action(&t, click(&dan, accept.clone())).await;
    assert!(
        body["ephemeral_text"]
            .as_str()
            .unwrap()
            .contains("sent to someone else"),
        "{body}"
    );
    // Not a click at all, or too big.
    let (status, _) = post_action(&t, json!({"context": accept})).await;
    assert_eq!(status, 400);
    let huge = json!({"user_id": bob, "context": {"pad": "x".repeat(20_000)}});
    let (status, _) = post_action(&t, huge).await;
    assert_eq!(status, 413);
    // Dan can't even click in Bob's DM: Mattermost refuses before the bot hears of it.
    let (status, _) = t.mm.click("dan", &post.id, "accept").await;
    assert_eq!(status, 403);
    assert_eq!(delivered_snapshot(&t).await, before);

    // Bob declines, then replays his Accept: refused, nothing changes.
    let (status, _) = t.mm.click("bob", &post.id, "decline").await;
    assert_eq!(status, 200);
    let before = delivered_snapshot(&t).await;
    let (_, body) = post_action(&t, click(&bob, accept)).await;
    assert!(
        body["ephemeral_text"]
            .as_str()
            .unwrap()
            .contains("already declined"),
        "{body}"
    );
    assert_eq!(delivered_snapshot(&t).await, before);
    assert_eq!(people_on(&t, 0).await, ["ann"]);
}

#[tokio::test]
async fn a_decline_tells_the_requester() {
    let t = ice().await;
    t.run("ann", "task swap ICE#0 @bob @cat").await;
    t.deliver().await;
    let post = invitation(&t, "bob");
    t.mm.click("bob", &post.id, "decline").await;
    assert!(
        t.mm.post(&post.id)
            .unwrap()
            .message
            .contains("You declined")
    );
    t.deliver().await;
    let dm = last(&t.mm.dms_to("ann")).to_string();
    assert!(
        dm.contains("@bob declined") && dm.contains("stays open"),
        "{dm}"
    );
    t.mm.click("cat", &invitation(&t, "cat").id, "decline")
        .await;
    t.deliver().await;
    assert!(last(&t.mm.dms_to("ann")).contains("Everyone you asked has declined"));
    assert_eq!(people_on(&t, 0).await, ["ann"]);
    // The request is closed, so Ann may ask again.
    let out = t.run("ann", "task swap ICE#0 @cat").await;
    assert!(out.contains("Asked @cat"), "{out}");
}

#[tokio::test]
async fn a_request_expires_when_its_task_starts() {
    let t = ice().await;
    t.run("ann", "task swap ICE#0 @bob").await;
    t.deliver().await;
    let post = invitation(&t, "bob");
    t.run("admin", "task schedule ICE#0").await;
    t.run("admin", "task start ICE#0").await;
    t.mm.click("bob", &post.id, "accept").await;
    assert!(last(&t.mm.ephemerals_to("bob")).contains("expired"));
    assert!(
        t.mm.post(&post.id)
            .unwrap()
            .message
            .contains("This request expired")
    );
    assert_eq!(people_on(&t, 0).await, ["ann"]);
    t.deliver().await;
    assert!(
        t.mm.dms_to("ann")
            .iter()
            .any(|d| d.contains("Your swap request for ICE#0 expired")),
        "{:?}",
        t.mm.dms_to("ann")
    );
}

#[tokio::test]
async fn bad_swap_requests_say_why_and_change_nothing() {
    let t = ice().await;
    let out = fails_unchanged(&t, "cat", "task swap ICE#0").await;
    assert!(out.contains("You're not on ICE#0"), "{out}");
    let out = fails_unchanged(&t, "ann", "task swap ICE#0 @dan").await;
    assert!(out.contains("@dan is not in ICE"), "{out}");
    let out = fails_unchanged(&t, "ann", "task swap ICE#0 @ann").await;
    assert!(out.contains("can't swap with yourself"), "{out}");
    t.run(
        "admin",
        "user unavailable @bob --start 2030-03-05 --finish 2030-03-06",
    )
    .await;
    let out = fails_unchanged(&t, "ann", "task swap ICE#0 @bob").await;
    assert!(out.contains("@bob can't take your place on ICE#0"), "{out}");
    t.run("ann", "task swap ICE#0 @cat").await;
    let out = fails_unchanged(&t, "ann", "task swap ICE#0 @cat").await;
    assert!(out.contains("already asked"), "{out}");
    t.run("admin", "task schedule ICE#0").await;
    t.run("admin", "task start ICE#0").await;
    t.run("admin", "task finish ICE#0").await;
    let out = fails_unchanged(&t, "ann", "task swap ICE#0").await;
    assert!(out.contains("ICE#0 is finished"), "{out}");
}

#[tokio::test]
async fn without_a_public_url_swap_says_how_to_set_it() {
    let t = spawn_app_with(Spawn::default()).await;
    t.mm.add_user("ann").time_zone("UTC");
    weekly_ice(&t).await;
    t.run("admin", "user join ICE @ann").await;
    t.run("admin", "task new shift ICE --number 0").await;
    t.run("admin", "task assign ICE#0 @ann").await;
    let out = fails_unchanged(&t, "ann", "task swap ICE#0").await;
    assert!(out.contains("LOTTO_PUBLIC_URL"), "{out}");
}
