//! Restoring a person's original picture: Mattermost's generated default is put back with
//! `DELETE /users/{id}/image` (uploading its bytes would freeze it as a custom picture); a picture
//! of their own is uploaded back.

use crate::profile::{image_server, picture_becomes, png, signal};
use crate::support::app::{Spawn, TestApp, spawn_app_with};
use crate::support::fake_mattermost::RouteKind;
use crate::support::wait::eventually;

async fn app() -> (TestApp, String) {
    let t = spawn_app_with(Spawn {
        settings: vec![("allow_private_urls", "true")],
        ..Spawn::default()
    })
    .await;
    t.mm.add_user("ann").time_zone("UTC");
    t.mm.bot().system_admin();
    let images = image_server().await;
    let out = t
        .run(
            "ann",
            &format!("profile preset add :palm_tree: --image {images}/beach.png"),
        )
        .await;
    assert!(out.contains("palm_tree"), "{out}");
    (t, images)
}

#[tokio::test]
async fn a_default_picture_is_restored_by_resetting_it_not_by_uploading_its_bytes() {
    let (t, _) = app().await;
    let default = t.mm.picture_of("ann");
    let before =
        t.mm.client()
            .get_user(&t.mm.user("ann").user_id())
            .await
            .unwrap();
    assert!(
        before.last_picture_update <= 0,
        "the fake starts with the default"
    );

    t.mm.user("ann").custom_status("palm_tree", "Beach", None);
    signal(&t, "ann").await;
    eventually("the beach picture", async || {
        (t.mm.picture_of("ann") != default).then_some(())
    })
    .await;
    assert_eq!(
        t.mm.request_count(RouteKind::GetProfileImage),
        0,
        "a default picture needs no backup"
    );

    t.mm.clear_custom_status_as_user("ann");
    signal(&t, "ann").await;
    picture_becomes(&t, "ann", &default).await;
    assert_eq!(t.mm.request_count(RouteKind::ResetProfileImage), 1);
    assert_eq!(
        t.mm.request_count(RouteKind::SetProfileImage),
        1,
        "only the preset's picture was uploaded"
    );
    let after =
        t.mm.client()
            .get_user(&t.mm.user("ann").user_id())
            .await
            .unwrap();
    assert!(
        after.last_picture_update <= 0,
        "Mattermost sees the generated default, not a custom picture: {}",
        after.last_picture_update
    );
}

#[tokio::test]
async fn a_picture_of_their_own_is_uploaded_back() {
    let (t, _) = app().await;
    let own = png(128, 128, [10, 120, 30]);
    t.mm.client()
        .set_profile_image(&t.mm.user("ann").user_id(), own.clone())
        .await
        .unwrap();
    let before =
        t.mm.client()
            .get_user(&t.mm.user("ann").user_id())
            .await
            .unwrap();
    assert!(before.last_picture_update > 0);

    t.mm.user("ann").custom_status("palm_tree", "Beach", None);
    signal(&t, "ann").await;
    eventually("the beach picture", async || {
        (t.mm.picture_of("ann") != own).then_some(())
    })
    .await;
    t.mm.clear_custom_status_as_user("ann");
    signal(&t, "ann").await;
    picture_becomes(&t, "ann", &own).await;
    assert_eq!(t.mm.request_count(RouteKind::ResetProfileImage), 0);
}
