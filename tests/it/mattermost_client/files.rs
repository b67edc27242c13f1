//! File uploads and attachments, and the server version: the client against the fake, and the
//! fake's upload rules checked with raw requests.

use solar_lottery::mattermost::NewPost;

use super::api_error_id;
use crate::support::fake_mattermost::{FakeMattermost, RouteKind};

#[tokio::test]
async fn a_file_uploaded_into_a_dm_is_attached_to_the_post_that_names_it() {
    let mm = FakeMattermost::start().await;
    let ann = mm.add_user("ann");
    let client = mm.client();
    let channel = client
        .create_direct_channel(&mm.bot().user_id(), &ann.user_id())
        .await
        .unwrap();
    let info = client
        .upload_file(
            &channel.id,
            "packet.zip",
            "application/zip",
            b"PK\x03\x04zip".to_vec(),
        )
        .await
        .unwrap();
    assert_eq!((info.name.as_str(), info.size), ("packet.zip", 7));
    let post = NewPost::new(channel.id.clone(), "here").with_file_ids(vec![info.id.clone()]);
    client.create_post(&post).await.unwrap();
    let files = mm.dm_files_to("ann");
    assert_eq!(files.len(), 1);
    assert_eq!(files[0].bytes, b"PK\x03\x04zip");
    assert_eq!(files[0].mime_type, "application/zip");
    // A file is attached once: a second post naming it gets none.
    client.create_post(&post).await.unwrap();
    assert_eq!(mm.dm_posts_to("ann")[1].file_ids, Vec::<String>::new());
}

#[tokio::test]
async fn uploads_are_refused_as_the_server_refuses_them() {
    let mm = FakeMattermost::start().await;
    let ann = mm.add_user("ann");
    let bob = mm.add_user("bob");
    let client = mm.client();
    // Not a member of ann and bob's DM: 403 upload_file.
    let theirs = client
        .create_direct_channel(&mm.bot().user_id(), &ann.user_id())
        .await
        .unwrap();
    let ann_client = solar_lottery::mattermost::MattermostClient::new(
        mm.base_url(),
        secrecy::SecretString::from(ann.access_token()),
        std::time::Duration::from_secs(5),
    )
    .unwrap();
    let private = ann_client
        .create_direct_channel(&ann.user_id(), &bob.user_id())
        .await
        .unwrap();
    let err = client
        .upload_file(&private.id, "a.txt", "text/plain", b"x".to_vec())
        .await
        .unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(403));
    mm.set_file_attachments_enabled(false);
    let err = client
        .upload_file(&theirs.id, "a.txt", "text/plain", b"x".to_vec())
        .await
        .unwrap_err();
    assert_eq!(
        api_error_id(&err),
        "api.file.attachments.disabled.app_error"
    );
    assert_eq!(err.status().map(|s| s.as_u16()), Some(501));
    mm.set_file_attachments_enabled(true);

    // Raw multipart: an unknown text field is 400; a file before channel_id counts only as `files`.
    let http = reqwest::Client::new();
    let url = format!("{}/api/v4/files", mm.base_url());
    let send = |form: reqwest::multipart::Form| {
        http.post(&url)
            .bearer_auth(mm.bot_token())
            .multipart(form)
            .send()
    };
    let form = reqwest::multipart::Form::new()
        .text("channel_id", theirs.id.as_str().to_string())
        .text("colour", "blue");
    let response = send(form).await.unwrap();
    assert_eq!(response.status(), 400);
    let form = reqwest::multipart::Form::new()
        .part(
            "other",
            reqwest::multipart::Part::bytes(b"1".to_vec()).file_name("1.txt"),
        )
        .part(
            "files",
            reqwest::multipart::Part::bytes(b"2".to_vec()).file_name("2.txt"),
        )
        .text("channel_id", theirs.id.as_str().to_string());
    let response = send(form).await.unwrap();
    assert_eq!(response.status(), 201);
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["file_infos"].as_array().map(Vec::len), Some(1));
    assert_eq!(body["file_infos"][0]["name"], "2.txt");
    assert_eq!(mm.request_count(RouteKind::UploadFile), 4);
}

#[tokio::test]
async fn the_server_version_comes_from_the_ping_answer() {
    let mm = FakeMattermost::start().await;
    assert_eq!(
        mm.client().server_version().await.unwrap(),
        "10.11.0.0.fake.false"
    );
    mm.fail_next(RouteKind::SystemPing, 1, 503);
    assert!(mm.client().server_version().await.is_err());
}
