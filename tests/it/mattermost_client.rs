//! The Mattermost client against the fake server: every call's success and its main failures, and
//! the fake's slash-command side against a tiny receiver.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use crate::support::fake_mattermost::{FakeMattermost, Fault, LostResponse, RouteKind};
use axum::body::Bytes;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use chrono::{TimeDelta, Utc};
use secrecy::SecretString;
use solar_lottery::lottery::UserId;
use solar_lottery::mattermost::{
    ChannelType, CommandResponse, CustomStatus, MattermostClient, MattermostError, NewPost,
    ResponseType, StatusKind,
};

fn api_error_id(error: &MattermostError) -> &str {
    error.app_error_id().unwrap_or("<not an AppError>")
}

// ----- users ---------------------------------------------------------------------------------

#[tokio::test]
async fn get_me_returns_the_bot_account() {
    let mm = FakeMattermost::start().await;
    let me = mm.client().get_me().await.unwrap();
    assert_eq!(me.username, "solar-lottery");
    assert_eq!(me.id.as_str(), mm.bot().id());
    assert!(me.is_bot);
    assert!(!me.is_system_admin());
    mm.bot().system_admin();
    assert!(mm.client().get_me().await.unwrap().is_system_admin());
}

#[tokio::test]
async fn a_wrong_token_is_a_permanent_401_that_names_the_setting() {
    let mm = FakeMattermost::start().await;
    let client = MattermostClient::new(
        mm.base_url(),
        SecretString::from("not-the-token".to_string()),
        Duration::from_secs(5),
    )
    .unwrap();
    let error = client.get_me().await.unwrap_err();
    assert_eq!(error.status(), Some(StatusCode::UNAUTHORIZED));
    assert_eq!(
        api_error_id(&error),
        "api.context.session_expired.app_error"
    );
    assert!(!error.is_retryable());
    assert!(error.to_string().contains("LOTTO_BOT_TOKEN"), "{error}");
}

#[tokio::test]
async fn get_user_reads_time_zone_roles_and_custom_status() {
    let mm = FakeMattermost::start().await;
    let expires = Utc::now() + TimeDelta::hours(1);
    let ann = mm
        .add_user("ann")
        .time_zone("Europe/Berlin")
        .system_admin()
        .custom_status("calendar", "In a meeting", Some(expires));
    let user = mm.client().get_user(&ann.user_id()).await.unwrap();
    assert_eq!(user.username, "ann");
    assert_eq!(user.time_zone(), Some(chrono_tz::Europe::Berlin));
    assert!(user.is_system_admin());
    let custom = user.custom_status().unwrap();
    assert_eq!(custom.text, "In a meeting");
    assert_eq!(
        custom.expires_at.map(|t| t.timestamp()),
        Some(expires.timestamp())
    );
    assert!(!custom.is_expired(Utc::now()));

    let bob = mm.add_user("bob").automatic_time_zone("Asia/Tokyo");
    let user = mm.client().get_user(&bob.user_id()).await.unwrap();
    assert_eq!(user.time_zone(), Some(chrono_tz::Asia::Tokyo));
    assert_eq!(user.custom_status(), None);
}

#[tokio::test]
async fn unknown_and_deactivated_users_are_not_found() {
    let mm = FakeMattermost::start().await;
    let gone = mm.add_user("gone").deactivated();
    let client = mm.client();

    let error = client.get_user(&gone.user_id()).await.unwrap_err();
    assert!(
        matches!(error, MattermostError::NotFound { .. }),
        "{error:?}"
    );
    let error = client
        .get_user(&UserId::new("abcdefghijklmnopqrstuvwxyz"))
        .await
        .unwrap_err();
    assert!(
        matches!(error, MattermostError::NotFound { .. }),
        "{error:?}"
    );
    assert!(!error.is_retryable());

    let error = client.get_user_by_username("nobody").await.unwrap_err();
    assert!(error.to_string().contains("@nobody"), "{error}");
    assert!(matches!(
        client.get_user_by_username("gone").await,
        Err(MattermostError::NotFound { .. })
    ));
    assert_eq!(mm.request_count(RouteKind::GetUserByUsername), 2);
}

#[tokio::test]
async fn impossible_usernames_are_not_found_without_asking_the_server() {
    let mm = FakeMattermost::start().await;
    for name in ["", "..", "a/b", "ann?x=1"] {
        let error = mm.client().get_user_by_username(name).await.unwrap_err();
        assert!(
            matches!(error, MattermostError::NotFound { .. }),
            "{name}: {error:?}"
        );
    }
    assert_eq!(mm.request_count(RouteKind::GetUserByUsername), 0);
}

#[tokio::test]
async fn get_user_by_username_finds_the_user_case_insensitively() {
    let mm = FakeMattermost::start().await;
    let ann = mm.add_user("ann");
    let user = mm.client().get_user_by_username("Ann").await.unwrap();
    assert_eq!(user.id, ann.user_id());
}

#[tokio::test]
async fn users_by_usernames_omits_unknown_and_deactivated_names_and_duplicates() {
    let mm = FakeMattermost::start().await;
    mm.add_user("ann");
    mm.add_user("bob");
    mm.add_user("gone").deactivated();
    let names: Vec<String> = ["ann", "bob", "ann", "nobody", "gone"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    let mut found: Vec<String> = mm
        .client()
        .get_users_by_usernames(&names)
        .await
        .unwrap()
        .into_iter()
        .map(|u| u.username)
        .collect();
    found.sort();
    assert_eq!(found, ["ann", "bob"]);
    assert_eq!(mm.request_count(RouteKind::GetUsersByUsernames), 1);

    assert!(
        mm.client()
            .get_users_by_usernames(&[])
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(mm.request_count(RouteKind::GetUsersByUsernames), 1);
}

#[tokio::test]
async fn users_by_ids_returns_known_users_only() {
    let mm = FakeMattermost::start().await;
    let ann = mm.add_user("ann");
    let ids = [ann.user_id(), UserId::new("abcdefghijklmnopqrstuvwxyz")];
    let users = mm.client().get_users_by_ids(&ids).await.unwrap();
    assert_eq!(users.len(), 1);
    assert_eq!(users[0].username, "ann");
    assert!(mm.client().get_users_by_ids(&[]).await.unwrap().is_empty());
}

// ----- DMs and posts -------------------------------------------------------------------------

#[tokio::test]
async fn direct_channels_are_created_once_and_named_by_sorted_ids() {
    let mm = FakeMattermost::start().await;
    let ann = mm.add_user("ann");
    let bot = mm.bot().user_id();
    let client = mm.client();
    let first = client
        .create_direct_channel(&bot, &ann.user_id())
        .await
        .unwrap();
    let again = client
        .create_direct_channel(&ann.user_id(), &bot)
        .await
        .unwrap();
    assert_eq!(first.id, again.id);
    assert_eq!(first.channel_type, ChannelType::Direct);
    let mut ids = [bot.as_str(), ann.id()];
    ids.sort();
    assert_eq!(first.name, format!("{}__{}", ids[0], ids[1]));
}

#[tokio::test]
async fn a_dm_to_an_unknown_or_deactivated_user_fails_permanently() {
    let mm = FakeMattermost::start().await;
    let bot = mm.bot().user_id();
    let gone = mm.add_user("gone").deactivated();
    let client = mm.client();

    let error = client
        .create_direct_channel(&bot, &UserId::new("abcdefghijklmnopqrstuvwxyz"))
        .await
        .unwrap_err();
    assert_eq!(error.status(), Some(StatusCode::NOT_FOUND));
    assert!(!error.is_retryable());

    let error = client
        .create_direct_channel(&bot, &gone.user_id())
        .await
        .unwrap_err();
    assert_eq!(error.status(), Some(StatusCode::FORBIDDEN));
    assert!(!error.is_retryable());

    let error = client
        .create_direct_channel(&bot, &UserId::new("short"))
        .await
        .unwrap_err();
    assert_eq!(error.status(), Some(StatusCode::BAD_REQUEST));
    assert_eq!(
        api_error_id(&error),
        "api.context.invalid_body_param.app_error"
    );
}

#[tokio::test]
async fn a_post_is_created_as_the_bot_without_setting_it_online() {
    let mm = FakeMattermost::start().await;
    let ann = mm.add_user("ann");
    let client = mm.client();
    let channel = client
        .create_direct_channel(&mm.bot().user_id(), &ann.user_id())
        .await
        .unwrap();
    let post = client
        .create_post(&NewPost::new(
            channel.id.clone(),
            "You are on call next week.",
        ))
        .await
        .unwrap();
    assert_eq!(post.user_id, mm.bot().user_id());
    assert_eq!(post.channel_id, channel.id);
    assert_eq!(post.props.get("from_bot"), Some(&serde_json::json!("true")));
    assert_eq!(mm.dms_to("ann"), ["You are on call next week."]);
    assert!(
        !mm.posts()[0].set_online,
        "the client must send set_online=false"
    );
}

#[tokio::test]
async fn a_repeated_pending_post_id_returns_the_first_post_and_creates_nothing() {
    let mm = FakeMattermost::start().await;
    let ann = mm.add_user("ann");
    let client = mm.client();
    let channel = client
        .create_direct_channel(&mm.bot().user_id(), &ann.user_id())
        .await
        .unwrap();
    let post = NewPost::new(channel.id, "Reminder").with_pending_post_id("outbox-42");
    let first = client.create_post(&post).await.unwrap();
    let second = client.create_post(&post).await.unwrap();
    assert_eq!(first.id, second.id);
    assert_eq!(first.pending_post_id, "outbox-42");
    assert_eq!(mm.posts().len(), 1);
    assert_eq!(mm.request_count(RouteKind::CreatePost), 2);
}

#[tokio::test]
async fn a_retry_after_a_lost_answer_does_not_post_twice() {
    for how in [
        LostResponse::Disconnect,
        LostResponse::ServerError,
        LostResponse::Hang,
    ] {
        let mm = FakeMattermost::start().await;
        let ann = mm.add_user("ann");
        let client = mm.client_with_timeout(Duration::from_millis(500));
        let channel = client
            .create_direct_channel(&mm.bot().user_id(), &ann.user_id())
            .await
            .unwrap();
        let post = NewPost::new(channel.id, "Shift starts in 24 h").with_pending_post_id("key-1");
        mm.lose_next_response(RouteKind::CreatePost, 1, how);

        let error = client.create_post(&post).await.unwrap_err();
        assert!(error.is_retryable(), "{how:?}: {error:?}");
        assert_eq!(mm.posts().len(), 1, "{how:?}: the post was created");

        let retried = client.create_post(&post).await.unwrap();
        assert_eq!(retried.id.as_str(), mm.posts()[0].id, "{how:?}");
        assert_eq!(mm.dms_to("ann"), ["Shift starts in 24 h"], "{how:?}");
    }
}

#[tokio::test]
async fn posting_where_the_bot_is_not_a_member_is_forbidden() {
    let mm = FakeMattermost::start().await;
    let ann = mm.add_user("ann");
    let bob = mm.add_user("bob");
    // A DM between two other people, made with an admin's token.
    let admin = mm.add_user("root").system_admin();
    let admin_client = MattermostClient::new(
        mm.base_url(),
        SecretString::from(admin.access_token()),
        Duration::from_secs(5),
    )
    .unwrap();
    let channel = admin_client
        .create_direct_channel(&ann.user_id(), &bob.user_id())
        .await
        .unwrap();
    let error = mm
        .client()
        .create_post(&NewPost::new(channel.id, "hi"))
        .await
        .unwrap_err();
    assert_eq!(error.status(), Some(StatusCode::FORBIDDEN));
    assert_eq!(api_error_id(&error), "api.context.permissions.app_error");
    assert!(mm.posts().is_empty());
}

#[tokio::test]
async fn posting_to_a_user_deactivated_after_the_dm_was_made_fails_permanently() {
    let mm = FakeMattermost::start().await;
    let ann = mm.add_user("ann");
    let channel = mm
        .client()
        .create_direct_channel(&mm.bot().user_id(), &ann.user_id())
        .await
        .unwrap();
    let _ = ann.deactivated();
    let error = mm
        .client()
        .create_post(&NewPost::new(channel.id, "hi"))
        .await
        .unwrap_err();
    assert!(
        error.status().is_some_and(|s| s.is_client_error()),
        "{error:?}"
    );
    assert!(!error.is_retryable());
}

#[tokio::test]
async fn a_reply_to_an_unknown_root_is_a_bad_request() {
    let mm = FakeMattermost::start().await;
    let ann = mm.add_user("ann");
    let client = mm.client();
    let channel = client
        .create_direct_channel(&mm.bot().user_id(), &ann.user_id())
        .await
        .unwrap();
    let mut post = NewPost::new(channel.id, "reply");
    post.root_id = Some(solar_lottery::mattermost::PostId::new(
        "abcdefghijklmnopqrstuvwxyz",
    ));
    let error = client.create_post(&post).await.unwrap_err();
    assert_eq!(error.status(), Some(StatusCode::BAD_REQUEST));
    assert_eq!(
        api_error_id(&error),
        "api.post.create_post.root_id.app_error"
    );
}

#[tokio::test]
async fn an_over_long_message_is_refused_before_sending() {
    let mm = FakeMattermost::start().await;
    let post = NewPost::new(
        solar_lottery::mattermost::ChannelId::new("abcdefghijklmnopqrstuvwxyz"),
        "x".repeat(16_384),
    );
    let error = mm.client().create_post(&post).await.unwrap_err();
    assert!(
        matches!(error, MattermostError::InvalidRequest(_)),
        "{error:?}"
    );
    assert!(error.to_string().contains("16383"), "{error}");
    assert_eq!(mm.request_count(RouteKind::CreatePost), 0);
}

// ----- statuses ------------------------------------------------------------------------------

#[tokio::test]
async fn thousands_of_statuses_are_fetched_in_chunks_and_unknown_ids_are_offline() {
    let mm = FakeMattermost::start().await;
    let ann = mm.add_user("ann").status("dnd", true);
    let bob = mm.add_user("bob").status("online", false);
    let mut ids: Vec<UserId> = (0..2_498)
        .map(|i| UserId::new(format!("{i:0>26}")))
        .collect();
    ids.push(ann.user_id());
    ids.push(bob.user_id());
    ids.push(ann.user_id()); // a duplicate is asked for once

    let statuses = mm.client().get_statuses_by_ids(&ids).await.unwrap();
    assert_eq!(statuses.len(), 2_500);
    assert_eq!(mm.request_count(RouteKind::GetStatusesByIds), 3);
    let of = |id: &UserId| statuses.iter().find(|s| &s.user_id == id).unwrap();
    assert_eq!(of(&ann.user_id()).kind(), Some(StatusKind::Dnd));
    assert!(of(&ann.user_id()).manual);
    assert_eq!(of(&bob.user_id()).kind(), Some(StatusKind::Online));
    assert_eq!(of(&ids[0]).kind(), Some(StatusKind::Offline));
}

#[tokio::test]
async fn a_malformed_id_in_a_status_list_is_named_without_a_request() {
    let mm = FakeMattermost::start().await;
    let error = mm
        .client()
        .get_statuses_by_ids(&[UserId::new("not-an-id")])
        .await
        .unwrap_err();
    assert!(error.to_string().contains("not-an-id"), "{error}");
    assert_eq!(mm.request_count(RouteKind::GetStatusesByIds), 0);
    assert!(
        mm.client()
            .get_statuses_by_ids(&[])
            .await
            .unwrap()
            .is_empty()
    );
}

#[tokio::test]
async fn get_status_defaults_to_offline() {
    let mm = FakeMattermost::start().await;
    let ann = mm.add_user("ann");
    let status = mm.client().get_status(&ann.user_id()).await.unwrap();
    assert_eq!(status.kind(), Some(StatusKind::Offline));
    assert_eq!(status.user_id, ann.user_id());
}

#[tokio::test]
async fn changing_someone_elses_status_without_system_admin_is_forbidden() {
    let mm = FakeMattermost::start().await;
    let ann = mm.add_user("ann").status("online", false);
    let error = mm
        .client()
        .update_status(&ann.user_id(), StatusKind::Dnd, None)
        .await
        .unwrap_err();
    assert_eq!(error.status(), Some(StatusCode::FORBIDDEN));
    assert_eq!(api_error_id(&error), "api.context.permissions.app_error");
    assert!(!error.is_retryable());
    assert!(error.to_string().contains("system_admin"), "{error}");
    assert_eq!(mm.status_of("ann").status, "online");
    let writes = mm.status_writes();
    assert_eq!(writes.len(), 1);
    assert_eq!(
        (writes[0].username.as_str(), writes[0].http_status),
        ("ann", 403)
    );

    // Its own status is always allowed.
    let own = mm
        .client()
        .update_status(&mm.bot().user_id(), StatusKind::Away, None)
        .await
        .unwrap();
    assert_eq!(own.kind(), Some(StatusKind::Away));
}

#[tokio::test]
async fn an_admin_bot_sets_timed_dnd_and_online_with_the_servers_manual_flags() {
    let mm = FakeMattermost::start().await;
    mm.bot().system_admin();
    let ann = mm.add_user("ann").status("away", true);
    let client = mm.client();
    let end = Utc::now().timestamp() + 3_600 + 17;

    let status = client
        .update_status(&ann.user_id(), StatusKind::Dnd, Some(end))
        .await
        .unwrap();
    assert_eq!(status.kind(), Some(StatusKind::Dnd));
    assert!(status.manual);
    assert_eq!(
        status.dnd_end_time,
        end - end % 60,
        "rounded down to the minute"
    );
    assert_eq!(mm.status_of("ann").prev_status, "away");

    let status = client
        .update_status(&ann.user_id(), StatusKind::Online, None)
        .await
        .unwrap();
    assert_eq!(status.kind(), Some(StatusKind::Online));
    assert!(!status.manual, "online is stored as automatic");
    assert_eq!(status.dnd_end_time, 0);

    let status = client
        .update_status(&ann.user_id(), StatusKind::Offline, None)
        .await
        .unwrap();
    assert!(status.manual);
    assert_eq!(mm.status_writes().len(), 3);
}

#[tokio::test]
async fn a_manual_change_by_the_user_is_visible_to_the_bot() {
    let mm = FakeMattermost::start().await;
    let ann = mm.add_user("ann").status("dnd", true);
    mm.set_status_as_user("ann", "online", false);
    let status = mm.client().get_status(&ann.user_id()).await.unwrap();
    assert_eq!(status.kind(), Some(StatusKind::Online));
    assert!(mm.status_writes().is_empty());
}

#[tokio::test]
async fn custom_status_is_set_read_back_and_cleared() {
    let mm = FakeMattermost::start().await;
    mm.bot().system_admin();
    let ann = mm.add_user("ann");
    let client = mm.client();
    let until = Utc::now() + TimeDelta::minutes(30);
    client
        .update_custom_status(
            &ann.user_id(),
            &CustomStatus::until("calendar", "In a meeting", until),
        )
        .await
        .unwrap();
    let stored = mm.custom_status_of("ann").unwrap();
    assert_eq!(stored.text, "In a meeting");
    assert_eq!(stored.duration, "date_and_time");
    let user = client.get_user(&ann.user_id()).await.unwrap();
    assert_eq!(user.custom_status().unwrap().emoji, "calendar");

    client.clear_custom_status(&ann.user_id()).await.unwrap();
    assert_eq!(mm.custom_status_of("ann"), None);
}

#[tokio::test]
async fn custom_status_errors_are_the_servers() {
    let mm = FakeMattermost::start().await;
    let ann = mm.add_user("ann");
    let client = mm.client();
    let soon = CustomStatus::until("calendar", "In a meeting", Utc::now() + TimeDelta::hours(1));

    let error = client
        .update_custom_status(&ann.user_id(), &soon)
        .await
        .unwrap_err();
    assert_eq!(
        error.status(),
        Some(StatusCode::FORBIDDEN),
        "bot without system_admin"
    );
    assert!(matches!(
        client.clear_custom_status(&ann.user_id()).await,
        Err(MattermostError::Api { .. })
    ));

    mm.bot().system_admin();
    let past = CustomStatus::until("calendar", "In a meeting", Utc::now() - TimeDelta::hours(1));
    let error = client
        .update_custom_status(&ann.user_id(), &past)
        .await
        .unwrap_err();
    assert_eq!(error.status(), Some(StatusCode::BAD_REQUEST));
    assert_eq!(
        api_error_id(&error),
        "api.context.invalid_body_param.app_error"
    );

    let error = client
        .update_custom_status(&ann.user_id(), &CustomStatus::default())
        .await
        .unwrap_err();
    assert!(matches!(error, MattermostError::InvalidRequest(_)));

    mm.set_custom_statuses_enabled(false);
    let error = client
        .update_custom_status(&ann.user_id(), &soon)
        .await
        .unwrap_err();
    assert_eq!(error.status(), Some(StatusCode::NOT_IMPLEMENTED));
    assert!(error.to_string().contains("Custom Statuses"), "{error}");
}

// ----- transport failures --------------------------------------------------------------------

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
async fn failures_for_a_while_then_recovery() {
    let mm = FakeMattermost::start().await;
    mm.fail_for(RouteKind::GetMe, Duration::from_millis(300), 503);
    assert!(mm.client().get_me().await.unwrap_err().is_retryable());
    tokio::time::sleep(Duration::from_millis(350)).await;
    assert!(mm.client().get_me().await.is_ok());
}

// ----- the fake is a server, not a mock --------------------------------------------------------

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

// ----- response_url ----------------------------------------------------------------------------

/// One request as the receiver saw it.
type Request = (Method, Uri, HeaderMap, Bytes);

/// A stand-in for the bot's `/slash` endpoint that records what it received.
#[derive(Clone, Default)]
struct Received {
    requests: Arc<Mutex<Vec<Request>>>,
}

impl Received {
    fn last(&self) -> Request {
        self.requests
            .lock()
            .unwrap()
            .last()
            .cloned()
            .expect("a request arrived")
    }
}

/// Serves `respond()` on a random port; returns the `/slash` URL and what arrived.
async fn receiver(respond: fn() -> Response) -> (String, Received) {
    let received = Received::default();
    let store = received.clone();
    let handler = move |method: Method, uri: Uri, headers: HeaderMap, body: Bytes| {
        let store = store.clone();
        async move {
            store
                .requests
                .lock()
                .unwrap()
                .push((method, uri, headers, body));
            respond()
        }
    };
    let app = axum::Router::new().route("/slash", axum::routing::any(handler));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/slash", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (url, received)
}

fn json_reply() -> Response {
    axum::Json(serde_json::json!({"response_type": "ephemeral", "text": "ok from the bot"}))
        .into_response()
}

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

// ----- the slash-command side of the fake ----------------------------------------------------

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
async fn slash_with_another_token_and_raw_fields() {
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

#[tokio::test]
async fn recent_posts_are_read_back_oldest_first_with_their_props() {
    let mm = FakeMattermost::start().await;
    let ann = mm.add_user("ann");
    let client = mm.client();
    let channel = client
        .create_direct_channel(&mm.bot().user_id(), &ann.user_id())
        .await
        .unwrap();
    let before = Utc::now().timestamp_millis() - 1;
    for (i, text) in ["first", "second"].iter().enumerate() {
        let mut post =
            NewPost::new(channel.id.clone(), *text).with_pending_post_id(format!("k{i}"));
        post.props = Some(serde_json::json!({"solar_lottery_key": format!("k{i}")}));
        client.create_post(&post).await.unwrap();
    }
    let posts = client.get_posts_since(&channel.id, before).await.unwrap();
    let messages: Vec<&str> = posts.iter().map(|p| p.message.as_str()).collect();
    assert_eq!(messages, ["first", "second"]);
    assert_eq!(posts[1].props["solar_lottery_key"], "k1");
    assert_eq!(posts[0].pending_post_id, "", "the server does not store it");

    let later = posts[1].create_at;
    assert!(
        client
            .get_posts_since(&channel.id, later)
            .await
            .unwrap()
            .is_empty()
    );

    let other = mm.add_user("bob");
    let admin = mm.add_user("root").system_admin();
    let theirs = MattermostClient::new(
        mm.base_url(),
        SecretString::from(admin.access_token()),
        Duration::from_secs(5),
    )
    .unwrap()
    .create_direct_channel(&ann.user_id(), &other.user_id())
    .await
    .unwrap();
    let error = client.get_posts_since(&theirs.id, 0).await.unwrap_err();
    assert_eq!(error.status(), Some(StatusCode::FORBIDDEN));
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

#[tokio::test]
async fn usernames_may_be_given_with_their_at_sign() {
    let mm = FakeMattermost::start().await;
    let ann = mm.add_user("ann");
    let client = mm.client();
    assert_eq!(
        client.get_user_by_username("@ann").await.unwrap().id,
        ann.user_id()
    );
    let found = client
        .get_users_by_usernames(&["@ann".to_string(), "ann".to_string()])
        .await
        .unwrap();
    assert_eq!(found.len(), 1);
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
