//! Users: the bot's own account, lookups by id and by name, and what a wrong token says.

use std::time::Duration;

use axum::http::StatusCode;
use chrono::{TimeDelta, Utc};
use secrecy::SecretString;
use solar_lottery::lottery::UserId;
use solar_lottery::mattermost::{MattermostClient, MattermostError};

use super::api_error_id;
use crate::support::fake_mattermost::{FakeMattermost, RouteKind};

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
