//! A slash command's `response_url`: how often it may be used, when it is gone, and that it never
//! gets the bot's token.

use axum::http::{Method, StatusCode};
use axum::response::IntoResponse;
use solar_lottery::mattermost::{CommandResponse, MattermostError, ResponseType};

use super::api_error_id;
use crate::support::fake_mattermost::FakeMattermost;
use crate::support::receiver::{json_reply, receiver};

#[tokio::test]
async fn a_delayed_reply_goes_to_the_response_url_at_most_five_times() {
    let mm = FakeMattermost::start().await;
    mm.add_user("ann");
    let (app, _) = receiver(json_reply).await;
    let reply = mm.slash(&app, "ann", "rotation fill oncall").await;
    assert!(reply.response_url.starts_with(mm.base_url()));
    let client = mm.client();

    for i in 0..5 {
        client
            .post_response_url(
                &reply.response_url,
                &CommandResponse::in_channel(format!("done {i}")),
            )
            .await
            .unwrap();
    }
    let posted = mm.response_url_posts(&reply.hook_id);
    assert_eq!(posted.len(), 5);
    assert_eq!(posted[0].response_type, ResponseType::InChannel);
    assert_eq!(posted[4].text, "done 4");

    let error = client
        .post_response_url(&reply.response_url, &CommandResponse::ephemeral("sixth"))
        .await
        .unwrap_err();
    assert_eq!(error.status(), Some(StatusCode::BAD_REQUEST));
    assert_eq!(api_error_id(&error), "app.command_webhook.try_use.invalid");
}

#[tokio::test]
async fn an_unknown_or_expired_response_url_is_not_found() {
    let mm = FakeMattermost::start().await;
    mm.add_user("ann");
    let (app, _) = receiver(json_reply).await;
    let reply = mm.slash(&app, "ann", "info").await;
    let client = mm.client();

    let unknown = format!(
        "{}/hooks/commands/abcdefghijklmnopqrstuvwxyz",
        mm.base_url()
    );
    let error = client
        .post_response_url(&unknown, &CommandResponse::ephemeral("x"))
        .await
        .unwrap_err();
    assert_eq!(error.status(), Some(StatusCode::NOT_FOUND));

    mm.expire_response_urls();
    let error = client
        .post_response_url(&reply.response_url, &CommandResponse::ephemeral("late"))
        .await
        .unwrap_err();
    assert_eq!(error.status(), Some(StatusCode::NOT_FOUND));
    assert!(!error.is_retryable());

    let error = client
        .post_response_url("file:///etc/passwd", &CommandResponse::ephemeral("x"))
        .await
        .unwrap_err();
    assert!(matches!(error, MattermostError::InvalidRequest(_)));
}

#[tokio::test]
async fn the_response_url_gets_no_bot_token() {
    let mm = FakeMattermost::start().await;
    let (sink, received) = receiver(|| (StatusCode::OK, "ok").into_response()).await;
    mm.client()
        .post_response_url(&sink, &CommandResponse::ephemeral("hi"))
        .await
        .unwrap();
    let (method, _, headers, body) = received.last();
    assert_eq!(method, Method::POST);
    assert!(headers.get("authorization").is_none());
    let sent: serde_json::Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(
        sent,
        serde_json::json!({"response_type": "ephemeral", "text": "hi"})
    );
}
