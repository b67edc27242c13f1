//! Transport failures: which errors are retryable, what they keep of the answer, and that garbage
//! never panics.

use std::time::Duration;

use axum::http::StatusCode;
use secrecy::SecretString;
use solar_lottery::mattermost::{MattermostClient, MattermostError};

use crate::support::fake_mattermost::{FakeMattermost, Fault, RouteKind};

#[tokio::test]
async fn server_errors_are_retryable_and_keep_the_app_error() {
    let mm = FakeMattermost::start().await;
    mm.fail_next(RouteKind::GetMe, 1, 500);
    let error = mm.client().get_me().await.unwrap_err();
    assert_eq!(error.status(), Some(StatusCode::INTERNAL_SERVER_ERROR));
    assert!(matches!(error, MattermostError::Api { .. }));
    assert!(error.is_retryable());
    assert!(
        mm.client().get_me().await.is_ok(),
        "only the next request fails"
    );
}

#[tokio::test]
async fn a_rate_limit_keeps_the_plain_text_body_and_retry_after() {
    let mm = FakeMattermost::start().await;
    mm.fail_next_with(
        RouteKind::CreateDirectChannel,
        1,
        Fault::RateLimited {
            retry_after_secs: 7,
        },
    );
    let ann = mm.add_user("ann");
    let error = mm
        .client()
        .create_direct_channel(&mm.bot().user_id(), &ann.user_id())
        .await
        .unwrap_err();
    match &error {
        MattermostError::RateLimited { retry_after, body } => {
            assert_eq!(*retry_after, Some(Duration::from_secs(7)));
            assert_eq!(body, "limit exceeded");
        }
        other => panic!("expected RateLimited, got {other:?}"),
    }
    assert!(error.is_retryable());
    assert_eq!(error.retry_after(), Some(Duration::from_secs(7)));

    mm.fail_next(RouteKind::GetMe, 1, 429);
    let error = mm.client().get_me().await.unwrap_err();
    assert_eq!(error.retry_after(), Some(Duration::from_secs(1)));
}

#[tokio::test]
async fn a_proxy_error_page_is_kept_as_http_and_is_retryable() {
    let mm = FakeMattermost::start().await;
    mm.fail_next_with(RouteKind::GetMe, 1, Fault::Html(502));
    let error = mm.client().get_me().await.unwrap_err();
    match &error {
        MattermostError::Http { status, body } => {
            assert_eq!(*status, StatusCode::BAD_GATEWAY);
            assert!(body.contains("<html>"), "{body}");
        }
        other => panic!("expected Http, got {other:?}"),
    }
    assert!(error.is_retryable());
}

#[tokio::test]
async fn a_slow_server_is_a_retryable_timeout() {
    let mm = FakeMattermost::start().await;
    mm.delay(RouteKind::GetStatus, Duration::from_secs(3));
    let error = mm
        .client_with_timeout(Duration::from_millis(200))
        .get_status(&mm.bot().user_id())
        .await
        .unwrap_err();
    assert_eq!(error, MattermostError::Timeout);
    assert!(error.is_retryable());
}

#[tokio::test]
async fn a_refused_connection_is_a_retryable_transport_error() {
    let port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    let client = MattermostClient::new(
        &format!("http://127.0.0.1:{port}"),
        SecretString::from("t".to_string()),
        Duration::from_secs(2),
    )
    .unwrap();
    let error = client.get_me().await.unwrap_err();
    assert!(matches!(error, MattermostError::Transport(_)), "{error:?}");
    assert!(error.is_retryable());
    assert!(
        error.to_string().contains("LOTTO_MATTERMOST_URL"),
        "{error}"
    );
}

#[tokio::test]
async fn garbage_from_the_server_is_a_decode_or_http_error_never_a_panic() {
    let mm = FakeMattermost::start().await;
    let answers = [
        (200, "application/json", "not json at all"),
        (200, "application/json", r#"{"id": 5, "username": []}"#),
        (200, "text/html", "<html>login page</html>"),
        (200, "application/json", ""),
        (400, "application/json", r#"{"id": "#),
        (400, "text/plain", "\u{0}\u{1}binary\u{7f}"),
        (404, "application/json", "[]"),
    ];
    for (status, content_type, body) in answers {
        mm.fail_next_with(
            RouteKind::GetMe,
            1,
            Fault::Raw {
                status,
                content_type,
                body: body.to_string(),
            },
        );
        let error = mm.client().get_me().await.unwrap_err();
        if status == 200 {
            assert!(
                matches!(error, MattermostError::Decode(_)),
                "{body:?}: {error:?}"
            );
        } else {
            assert!(
                matches!(error, MattermostError::Http { .. }),
                "{body:?}: {error:?}"
            );
            assert!(!error.to_string().contains('\u{0}'), "{error}");
        }
        assert!(!error.is_retryable(), "{body:?}");
    }
}
