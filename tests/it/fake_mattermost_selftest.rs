//! The fake Mattermost checked against the contract (../shared/docs/mattermost-contract.md), not the
//! bot's client: it refuses what the server refuses, runs the server's jobs, injects faults for as
//! long as it is told, and plays the server's side of a slash command against a tiny receiver.

use std::time::Duration;

use axum::http::{Method, StatusCode};
use axum::response::IntoResponse;
use chrono::Utc;
use solar_lottery::mattermost::{NewPost, ResponseType, StatusKind};

use crate::support::fake_mattermost::{FakeMattermost, RouteKind};
use crate::support::receiver::{json_reply, receiver};

#[tokio::test]
async fn the_fake_refuses_what_mattermost_refuses() {
    let mm = FakeMattermost::start().await;
    let http = reqwest::Client::new();
    let bearer = format!("Bearer {}", mm.bot_token());
    let url = |path: &str| format!("{}{path}", mm.base_url());

    let response = http
        .get(url("/api/v4/no/such/route"))
        .header("Authorization", &bearer)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["id"], "api.context.404.app_error");

    let response = http
        .delete(url("/api/v4/posts"))
        .header("Authorization", &bearer)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::METHOD_NOT_ALLOWED);

    let response = http
        .post(url("/api/v4/posts"))
        .header("Authorization", &bearer)
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    let headers = response.headers().clone();
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["id"], "api.context.invalid_body_param.app_error");
    assert_eq!(body["status_code"], 400);
    assert_eq!(
        body["request_id"].as_str(),
        headers.get("x-request-id").and_then(|v| v.to_str().ok())
    );
    assert_eq!(headers["content-type"], "application/json");
    assert_eq!(headers["x-content-type-options"], "nosniff");

    let response = http
        .post(url("/api/v4/users/usernames"))
        .header("Authorization", &bearer)
        .body("[]")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);

    let response = http.get(url("/api/v4/users/me")).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);

    let response = http
        .post(url("/api/v4/posts"))
        .header("Authorization", &bearer)
        .json(&serde_json::json!({"channel_id": "abcdefghijklmnopqrstuvwxyz", "message": "x"}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::FORBIDDEN, "unknown channel");

    let response = http
        .put(url(&format!("/api/v4/users/{}/status", mm.bot().id())))
        .header("Authorization", &bearer)
        .json(&serde_json::json!({"user_id": mm.bot().id(), "status": "ooo"}))
        .send()
        .await
        .unwrap();
    assert_eq!(
        response.status(),
        StatusCode::BAD_REQUEST,
        "ooo cannot be set"
    );

    let response = http
        .post(url("/api/v4/users/status/ids"))
        .header("Authorization", &bearer)
        .json(&["short"])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn the_fake_enforces_the_message_length_limit() {
    let mm = FakeMattermost::start().await;
    let ann = mm.add_user("ann");
    let channel = mm
        .client()
        .create_direct_channel(&mm.bot().user_id(), &ann.user_id())
        .await
        .unwrap();
    let response = reqwest::Client::new()
        .post(format!("{}/api/v4/posts", mm.base_url()))
        .bearer_auth(mm.bot_token())
        .json(&serde_json::json!({"channel_id": channel.id, "message": "é".repeat(16_384)}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    let ok = mm
        .client()
        .create_post(&NewPost::new(channel.id, "é".repeat(16_383)))
        .await;
    assert!(ok.is_ok(), "{ok:?}");
}

#[tokio::test]
async fn an_expired_timed_dnd_falls_back_to_the_previous_status_like_the_server_job() {
    let mm = FakeMattermost::start().await;
    mm.bot().system_admin();
    let ann = mm.add_user("ann").status("away", true);
    let past = Utc::now().timestamp() - 120;
    mm.client()
        .update_status(&ann.user_id(), StatusKind::Dnd, Some(past))
        .await
        .unwrap();
    let status = mm.client().get_status(&ann.user_id()).await.unwrap();
    assert_eq!(status.kind(), Some(StatusKind::Away));
    assert!(!status.manual);
    assert_eq!(status.dnd_end_time, 0);
}

#[tokio::test]
async fn a_route_fails_for_a_while_then_recovers() {
    let mm = FakeMattermost::start().await;
    mm.fail_for(RouteKind::GetMe, Duration::from_secs(60), 503);
    assert!(mm.client().get_me().await.unwrap_err().is_retryable());
    assert!(
        mm.client().get_me().await.is_err(),
        "every request within the window fails"
    );
    mm.advance_fault_clock(Duration::from_secs(61));
    assert!(mm.client().get_me().await.is_ok(), "the window is over");
}

fn form(body: &[u8]) -> Vec<(String, String)> {
    serde_urlencoded::from_bytes(body).unwrap()
}

fn field<'a>(fields: &'a [(String, String)], key: &str) -> Vec<&'a str> {
    fields
        .iter()
        .filter(|(k, _)| k == key)
        .map(|(_, v)| v.as_str())
        .collect()
}

#[tokio::test]
async fn slash_sends_the_form_and_headers_mattermost_sends() {
    let mm = FakeMattermost::start().await;
    let ann = mm.add_user("ann");
    let bob = mm.add_user("bob");
    let (app, received) = receiver(json_reply).await;

    let reply = mm
        .slash(
            &app,
            "ann",
            "rotation join oncall @bob @ann, @nobody me@example.com ~town-square",
        )
        .await;
    assert_eq!(reply.status, Some(200));
    assert_eq!(reply.text(), "ok from the bot");

    let (method, _, headers, body) = received.last();
    assert_eq!(method, Method::POST);
    assert_eq!(headers["content-type"], "application/x-www-form-urlencoded");
    assert_eq!(headers["accept"], "application/json");
    assert_eq!(headers["user-agent"], "Mattermost-Bot/1.1");
    assert_eq!(
        headers["authorization"],
        format!("Token {}", mm.slash_token()).as_str()
    );

    let fields = form(&body);
    let keys: Vec<&str> = fields.iter().map(|(k, _)| k.as_str()).collect();
    let mut sorted = keys.clone();
    sorted.sort();
    assert_eq!(keys, sorted, "Go's url.Values.Encode sorts the keys");
    let one = |key: &str| {
        let values = field(&fields, key);
        assert_eq!(values.len(), 1, "{key}: {values:?}");
        values[0].to_string()
    };
    assert_eq!(one("token"), mm.slash_token());
    assert_eq!(one("team_id"), mm.team_id());
    assert_eq!(one("team_domain"), "solar");
    assert_eq!(one("channel_name"), "town-square");
    assert_eq!(one("channel_id").len(), 26);
    assert_eq!(one("user_id"), ann.id());
    assert_eq!(one("user_name"), "ann");
    assert_eq!(one("command"), "/lotto");
    assert_eq!(
        one("text"),
        "rotation join oncall @bob @ann, @nobody me@example.com ~town-square"
    );
    assert!(!one("trigger_id").is_empty());
    assert_eq!(one("root_id"), "");
    assert_eq!(
        one("response_url"),
        format!("{}/hooks/commands/{}", mm.base_url(), reply.hook_id)
    );
    assert_eq!(reply.hook_id.len(), 26);
    assert_eq!(field(&fields, "user_mentions"), ["bob", "ann"]);
    assert_eq!(field(&fields, "user_mentions_ids"), [bob.id(), ann.id()]);
    assert_eq!(field(&fields, "channel_mentions"), ["town-square"]);
    assert_eq!(
        field(&fields, "channel_mentions_ids"),
        [one("channel_id").as_str()]
    );
}

#[tokio::test]
async fn slash_without_mentions_sends_no_mention_keys_and_empty_text_is_present() {
    let mm = FakeMattermost::start().await;
    mm.add_user("ann");
    mm.set_send_root_id(false);
    let (app, received) = receiver(json_reply).await;
    mm.slash(&app, "ann", "").await;
    let fields = form(&received.last().3);
    assert_eq!(field(&fields, "text"), [""]);
    assert!(field(&fields, "user_mentions").is_empty());
    assert!(
        field(&fields, "root_id").is_empty(),
        "v10.11 sends no root_id"
    );
}

#[tokio::test]
async fn slash_get_puts_the_fields_in_the_query_string() {
    let mm = FakeMattermost::start().await;
    mm.add_user("ann");
    let (app, received) = receiver(json_reply).await;
    let reply = mm.slash_get(&app, "ann", "info").await;
    assert_eq!(reply.text(), "ok from the bot");
    let (method, uri, headers, body) = received.last();
    assert_eq!(method, Method::GET);
    assert!(body.is_empty());
    assert!(headers.get("content-type").is_none());
    let fields = form(uri.query().unwrap().as_bytes());
    assert_eq!(field(&fields, "text"), ["info"]);
    assert_eq!(field(&fields, "user_name"), ["ann"]);
}

#[tokio::test]
async fn slash_in_a_dm_names_the_channel_by_sorted_ids_and_can_carry_a_thread() {
    let mm = FakeMattermost::start().await;
    let ann = mm.add_user("ann");
    let (app, received) = receiver(json_reply).await;
    mm.command(&app, "ann", "help")
        .in_dm_with_bot()
        .in_thread("abcdefghijklmnopqrstuvwxyz")
        .send()
        .await;
    let fields = form(&received.last().3);
    let mut ids = [ann.id().to_string(), mm.bot().id().to_string()];
    ids.sort();
    assert_eq!(
        field(&fields, "channel_name"),
        [format!("{}__{}", ids[0], ids[1]).as_str()]
    );
    assert_eq!(field(&fields, "root_id"), ["abcdefghijklmnopqrstuvwxyz"]);
}

#[tokio::test]
async fn slash_sends_another_token_and_raw_fields_as_given() {
    let mm = FakeMattermost::start().await;
    mm.add_user("ann");
    let (app, received) = receiver(json_reply).await;
    mm.slash_with_token(&app, "ann", "info", "wrong-token")
        .await;
    let (_, _, headers, body) = received.last();
    assert_eq!(headers["authorization"], "Token wrong-token");
    assert_eq!(field(&form(&body), "token"), ["wrong-token"]);

    mm.slash_raw(&app, &[("text", "x"), ("text", "y")]).await;
    assert_eq!(
        form(&received.last().3),
        [("text".into(), "x".into()), ("text".into(), "y".into())]
    );
}

#[tokio::test]
async fn slash_judges_the_answer_like_mattermost() {
    let mm = FakeMattermost::start().await;
    mm.add_user("ann");

    let (app, _) = receiver(|| {
        (
            StatusCode::CREATED,
            axum::Json(serde_json::json!({"text": "x"})),
        )
            .into_response()
    })
    .await;
    let reply = mm.slash(&app, "ann", "info").await;
    assert_eq!(reply.status, Some(201));
    assert!(reply.response.is_none());
    assert_eq!(
        reply.failure.as_deref(),
        Some("Command with a trigger of '/lotto' returned response 201.")
    );

    let (app, _) = receiver(|| (StatusCode::OK, "plain words").into_response()).await;
    let reply = mm.slash(&app, "ann", "info").await;
    assert_eq!(reply.ok().text, "plain words");
    assert_eq!(reply.ok().response_type, ResponseType::Ephemeral);

    let (app, _) = receiver(|| (StatusCode::OK, "").into_response()).await;
    assert_eq!(
        mm.slash(&app, "ann", "info").await.text(),
        "",
        "empty text is a silent reply"
    );

    let (app, _) =
        receiver(|| (StatusCode::OK, [("content-type", "application/json")], "").into_response())
            .await;
    assert!(
        mm.slash(&app, "ann", "info").await.response.is_none(),
        "empty JSON fails"
    );

    let (app, _) = receiver(|| {
        (
            StatusCode::OK,
            [("content-type", "application/json; charset=utf-8")],
            r#"{"response_type":"in_channel","text":"hello"}"#,
        )
            .into_response()
    })
    .await;
    let reply = mm.slash(&app, "ann", "info").await;
    assert_eq!(reply.ok().response_type, ResponseType::InChannel);

    let (app, _) = receiver(|| {
        let huge = format!(r#"{{"text":"{}"}}"#, "x".repeat(1024 * 1024));
        (StatusCode::OK, [("content-type", "application/json")], huge).into_response()
    })
    .await;
    let reply = mm.slash(&app, "ann", "info").await;
    assert!(reply.response.is_none(), "JSON over 1 MiB is cut and fails");
    assert_eq!(reply.raw_body.len(), 1024 * 1024);
}

#[tokio::test]
async fn slash_to_nowhere_is_a_failed_command() {
    let mm = FakeMattermost::start().await;
    mm.add_user("ann");
    let port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    let reply = mm
        .slash(&format!("http://127.0.0.1:{port}/slash"), "ann", "info")
        .await;
    assert_eq!(reply.status, None);
    assert_eq!(
        reply.failure.as_deref(),
        Some("Command with a trigger of '/lotto' failed.")
    );
}
