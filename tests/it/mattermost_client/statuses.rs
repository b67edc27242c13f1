//! Statuses and custom statuses: reading many at once, setting them with the server's flags, and
//! the server's refusals.

use axum::http::StatusCode;
use chrono::{TimeDelta, Utc};
use solar_lottery::lottery::UserId;
use solar_lottery::mattermost::{CustomStatus, MattermostError, StatusKind};

use super::api_error_id;
use crate::support::fake_mattermost::{FakeMattermost, RouteKind};

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
