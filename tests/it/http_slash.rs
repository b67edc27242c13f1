//! The HTTP edge of `/slash` and `/healthz`, as Mattermost and an attacker see it: tokens, GET
//! commands, oversized and malformed requests, and slow commands finishing through `response_url`.

use std::time::Duration;

use crate::support::app::{Spawn, spawn_app, spawn_app_with};
use crate::support::fake_mattermost::{RouteKind, SlashAuthorization};
use crate::support::wait::eventually;
use solar_lottery::mattermost::ResponseType;

#[tokio::test]
async fn a_valid_request_gets_200_json_and_an_ephemeral_reply() {
    let t = spawn_app().await;
    let reply = t.slash("admin", "rotation new ICE").await;
    assert_eq!(reply.status, Some(200));
    assert_eq!(reply.content_type.as_deref(), Some("application/json"));
    assert_eq!(reply.ok().response_type, ResponseType::Ephemeral);
    assert!(reply.text().contains("Created rotation **ICE**"));
    // A failed command is still a 200 with a sentence.
    let reply = t.slash("admin", "rotation new ICE").await;
    assert_eq!(reply.status, Some(200));
    assert!(reply.text().contains("already an active rotation"));
    // In a DM with the bot and inside a thread it works the same.
    let reply =
        t.mm.command(&t.slash_url(), "admin", "rotation list")
            .in_dm_with_bot()
            .send()
            .await;
    assert!(reply.text().contains("- **ICE**: "), "{}", reply.text());
    let reply =
        t.mm.command(&t.slash_url(), "admin", "rotation list")
            .in_thread("abcdefghijklmnopqrstuvwxyz")
            .send()
            .await;
    assert!(reply.text().contains("- **ICE**: "), "{}", reply.text());
}

#[tokio::test]
async fn get_commands_work_like_post() {
    let t = spawn_app().await;
    let reply =
        t.mm.slash_get(
            &t.slash_url(),
            "admin",
            "rotation new ICE --tz Europe/Berlin",
        )
        .await;
    assert_eq!(reply.status, Some(200));
    assert!(
        reply.text().contains("Created rotation **ICE**"),
        "{}",
        reply.text()
    );
    assert_eq!(t.rotation_names().await, ["ICE"]);
    let reply =
        t.mm.slash_get(&t.slash_url(), "admin", "rotation show ICE")
            .await;
    assert!(
        reply.text().contains("Weekly shifts in Europe/Berlin"),
        "{}",
        reply.text()
    );
}

#[tokio::test]
async fn a_wrong_or_missing_token_gets_401_and_changes_nothing() {
    let t = spawn_app().await;
    let url = t.slash_url();
    // Wrong token in the form and the header.
    let reply =
        t.mm.slash_with_token(&url, "admin", "rotation new X", "wrong-token")
            .await;
    assert_eq!(reply.status, Some(401));
    assert!(
        reply.raw_body.contains("Unknown slash command token"),
        "{}",
        reply.raw_body
    );
    let reply = t.mm.slash_get(&url, "admin", "rotation new X").await;
    assert_eq!(reply.status, Some(200), "sanity: the right token works");
    let before = t.snapshot().await;
    let reply =
        t.mm.command(&url, "admin", "rotation new Y")
            .token("wrong-token")
            .get()
            .send()
            .await;
    assert_eq!(reply.status, Some(401));
    let admin = t.mm.user("admin");
    let fields = |with_token: Option<&str>| {
        let mut f = vec![
            ("user_id".to_string(), admin.id().to_string()),
            ("user_name".to_string(), "admin".to_string()),
            ("text".to_string(), "rotation new Z".to_string()),
        ];
        if let Some(tok) = with_token {
            f.push(("token".to_string(), tok.to_string()));
        }
        f
    };
    let send = |fields: Vec<(String, String)>, auth: SlashAuthorization| {
        let mm = &t.mm;
        let url = url.clone();
        async move {
            let f: Vec<(&str, &str)> = fields
                .iter()
                .map(|(k, v)| (k.as_str(), v.as_str()))
                .collect();
            mm.command(&url, "admin", "")
                .raw_fields(&f)
                .authorization(auth)
                .send()
                .await
        }
    };
    // No form token, and a bad, malformed or missing Authorization header.
    for auth in [
        SlashAuthorization::Value("Token wrong-token".into()),
        SlashAuthorization::Value(format!("Bearer {}", t.mm.slash_token())),
        SlashAuthorization::Value(t.mm.slash_token()),
        SlashAuthorization::Omitted,
    ] {
        let reply = send(fields(None), auth.clone()).await;
        assert_eq!(reply.status, Some(401), "{auth:?}");
    }
    // An empty form token does not match either.
    let reply = send(fields(Some("")), SlashAuthorization::Omitted).await;
    assert_eq!(reply.status, Some(401));
    assert_eq!(t.snapshot().await, before);
    // The header alone is enough when it carries the right token.
    let reply = send(
        fields(None),
        SlashAuthorization::Value(format!("Token {}", t.mm.slash_token())),
    )
    .await;
    assert_eq!(reply.status, Some(200));
    assert!(
        reply.text().contains("Created rotation **Z**"),
        "{}",
        reply.text()
    );
}

#[tokio::test]
async fn a_body_over_64_kib_is_refused_with_413_and_changes_nothing() {
    let t = spawn_app().await;
    let before = t.snapshot().await;
    let admin = t.mm.user("admin");
    let token = t.mm.slash_token();
    let padding = "a".repeat(65 * 1024);
    let body = serde_urlencoded::to_string([
        ("token", token.as_str()),
        ("user_id", admin.id()),
        ("user_name", "admin"),
        ("text", "rotation new Big"),
        ("padding", padding.as_str()),
    ])
    .unwrap();
    let response = reqwest::Client::new()
        .post(t.slash_url())
        .header("Content-Type", "application/x-www-form-urlencoded")
        .header("Authorization", format!("Token {token}"))
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 413);
    assert_eq!(t.snapshot().await, before);
    // Just under the limit is fine.
    let padding = "a".repeat(60 * 1024);
    let body = serde_urlencoded::to_string([
        ("token", token.as_str()),
        ("user_id", admin.id()),
        ("user_name", "admin"),
        ("text", "rotation new Fits"),
        ("padding", padding.as_str()),
    ])
    .unwrap();
    let response = reqwest::Client::new()
        .post(t.slash_url())
        .header("Content-Type", "application/x-www-form-urlencoded")
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 200);
    assert_eq!(t.rotation_names().await, ["Fits"]);
}

#[tokio::test]
async fn a_request_without_user_id_is_a_400() {
    let t = spawn_app().await;
    let token = t.mm.slash_token();
    let reply =
        t.mm.slash_raw(
            &t.slash_url(),
            &[("token", token.as_str()), ("text", "rotation new X")],
        )
        .await;
    assert_eq!(reply.status, Some(400));
    assert!(
        reply.raw_body.contains("`user_id` is missing"),
        "{}",
        reply.raw_body
    );
    let reply =
        t.mm.slash_raw(
            &t.slash_url(),
            &[("token", token.as_str()), ("user_id", ""), ("text", "info")],
        )
        .await;
    assert_eq!(reply.status, Some(400));
    assert!(t.rotation_names().await.is_empty());
}

#[tokio::test]
async fn healthz_answers_when_the_database_does() {
    let t = spawn_app().await;
    let response = reqwest::get(format!("{}/healthz", t.url)).await.unwrap();
    assert_eq!(response.status().as_u16(), 200);
    assert_eq!(response.text().await.unwrap(), "ok");
    let response = reqwest::get(format!("{}/nope", t.url)).await.unwrap();
    assert_eq!(response.status().as_u16(), 404);
}

#[tokio::test]
async fn when_mattermost_is_down_the_user_is_told_and_nothing_changes() {
    let t = spawn_app().await;
    t.mm.add_user("newbie").time_zone("UTC");
    t.mm.fail_for(RouteKind::GetUser, Duration::from_secs(30), 503);
    let before = t.snapshot().await;
    let out = t.run("newbie", "user qualify --skills webapp").await;
    assert!(
        out.starts_with(
            "Solar Lottery could not reach Mattermost to complete this, so nothing was changed."
        ),
        "{out}"
    );
    assert!(out.contains("(reference `"), "{out}");
    assert_eq!(t.snapshot().await, before);
}

#[tokio::test]
async fn a_slow_command_answers_at_once_and_finishes_through_response_url() {
    let t = spawn_app_with(Spawn {
        slash_deadline: Duration::from_secs(1),
        ..Spawn::default()
    })
    .await;
    // Reading the acting user's profile from Mattermost takes 2.5 s, well past the 1 s deadline.
    t.mm.delay(RouteKind::GetUser, Duration::from_millis(2500));
    // The work takes at least 2.5 s, so this answer can only come from the deadline.
    let reply = t.slash("admin", "rotation new Slow").await;
    assert_eq!(reply.status, Some(200));
    assert_eq!(
        reply.text(),
        "Working on it… the result will appear here shortly."
    );
    let posted = eventually("the answer through response_url", async || {
        let posted = t.mm.response_url_posts(&reply.hook_id);
        (!posted.is_empty()).then_some(posted)
    })
    .await;
    assert_eq!(posted.len(), 1, "one delayed answer");
    assert!(
        posted[0].text.starts_with("Created rotation **Slow**"),
        "{}",
        posted[0].text
    );
    assert_eq!(posted[0].response_type, ResponseType::Ephemeral);
    assert_eq!(t.rotation_names().await, ["Slow"]);
    // A fast command still answers directly.
    t.mm.delay(RouteKind::GetUser, Duration::ZERO);
    let reply = t.slash("admin", "rotation list").await;
    assert!(reply.text().contains("- **Slow**: "), "{}", reply.text());
    assert!(t.mm.response_url_posts(&reply.hook_id).is_empty());
}
