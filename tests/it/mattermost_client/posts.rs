//! DM channels and posts: created once, as the bot, never twice after a lost answer, and read back.

use std::time::Duration;

use axum::http::StatusCode;
use chrono::Utc;
use secrecy::SecretString;
use solar_lottery::lottery::UserId;
use solar_lottery::mattermost::{ChannelType, MattermostClient, MattermostError, NewPost};

use super::api_error_id;
use crate::support::fake_mattermost::{FakeMattermost, LostResponse, RouteKind};

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
