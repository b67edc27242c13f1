//! Profile presets (issue 12): `profile preset add|remove`, `profile show`, `profile restore`, and
//! the engine that switches a person's nickname and picture when their custom-status emoji changes.
//!
//! Signals reach the engine the way the WebSocket listener sends them: through the running app's
//! `profile_signals`, with the user as Mattermost reports them. Pictures come from a tiny image
//! server on 127.0.0.1, so these apps allow private URLs.

use std::io::Cursor;

use axum::Router;
use axum::http::header::CONTENT_TYPE;
use axum::routing::get;
use chrono::Utc;
use solar_lottery::profile::signal::ProfileSignal;
use solar_lottery::service::profile::picture;
use sqlx::Row;

use crate::support::app::{Spawn, TestApp, spawn_app_with};
use crate::support::fake_mattermost::RouteKind;
use crate::support::wait::eventually;

/// A `width`×`height` PNG of one colour.
pub(crate) fn png(width: u32, height: u32, rgb: [u8; 3]) -> Vec<u8> {
    let img =
        image::RgbaImage::from_pixel(width, height, image::Rgba([rgb[0], rgb[1], rgb[2], 255]));
    let mut out = Vec::new();
    img.write_to(&mut Cursor::new(&mut out), image::ImageFormat::Png)
        .unwrap();
    out
}

/// Serves `/beach.png`, `/desk.png`, `/page.html` (not a picture), `/big.png` (6 MB) and
/// `/wide.png` (9000×4 pixels); returns its base URL.
pub(crate) async fn image_server() -> String {
    let beach = png(300, 200, [250, 200, 40]);
    let desk = png(64, 64, [20, 60, 200]);
    let wide = png(9000, 4, [0, 0, 0]);
    let app = Router::new()
        .route(
            "/beach.png",
            get(move || async move { ([(CONTENT_TYPE, "image/png")], beach) }),
        )
        .route(
            "/desk.png",
            get(move || async move { ([(CONTENT_TYPE, "image/png")], desk) }),
        )
        .route(
            "/wide.png",
            get(move || async move { ([(CONTENT_TYPE, "image/png")], wide) }),
        )
        .route(
            "/page.html",
            get(|| async { ([(CONTENT_TYPE, "text/html")], "<html>hi</html>") }),
        )
        .route(
            "/big.png",
            get(|| async { ([(CONTENT_TYPE, "image/png")], vec![0u8; 6 * 1024 * 1024]) }),
        );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    format!("http://{addr}")
}

/// An app that may fetch from 127.0.0.1, with `ann` (nickname "Ann") and `bob`.
async fn app() -> (TestApp, String) {
    let t = spawn_app_with(Spawn {
        settings: vec![("allow_private_urls", "true")],
        ..Spawn::default()
    })
    .await;
    t.mm.add_user("ann").time_zone("UTC");
    t.mm.add_user("bob").time_zone("UTC");
    t.mm.set_nickname_as_user("ann", "Ann");
    // The bot may change other people's profiles only as a system admin.
    t.mm.bot().system_admin();
    (t, image_server().await)
}

/// What the listener would send after `username`'s profile changed.
pub async fn signal(t: &TestApp, username: &str) {
    let user =
        t.mm.client()
            .get_user(&t.mm.user(username).user_id())
            .await
            .unwrap();
    t.app
        .as_ref()
        .unwrap()
        .profile_signals
        .send(ProfileSignal::UserUpdated(Box::new(user)))
        .await
        .unwrap();
}

/// Waits until Mattermost shows this nickname.
pub async fn nickname_becomes(t: &TestApp, username: &str, nickname: &str) {
    eventually(
        &format!("@{username}'s nickname to be {nickname:?}"),
        async || (t.mm.nickname_of(username) == nickname).then_some(()),
    )
    .await;
}

/// Waits until Mattermost shows this picture.
pub async fn picture_becomes(t: &TestApp, username: &str, bytes: &[u8]) {
    eventually(&format!("@{username}'s picture to change"), async || {
        (t.mm.picture_of(username) == bytes).then_some(())
    })
    .await;
}

/// Waits until the bot has recorded the preset for `emoji` as shown (after its writes).
async fn preset_shown(t: &TestApp, username: &str, emoji: &str) {
    let wanted = format!("Shown now: the preset for :{emoji}:.");
    eventually(
        &format!("the preset for :{emoji}: to be recorded"),
        async || {
            t.run(username, "profile show")
                .await
                .contains(&wanted)
                .then_some(())
        },
    )
    .await;
}

async fn preset_rows(t: &TestApp) -> i64 {
    sqlx::query("SELECT COUNT(*) AS n FROM profile_presets")
        .fetch_one(&t.db)
        .await
        .unwrap()
        .get::<i64, _>("n")
}

#[tokio::test]
async fn presets_are_added_shown_replaced_and_removed() {
    let (t, images) = app().await;
    let out = t
        .run(
            "ann",
            &format!("profile preset add :palm_tree: --nickname \"Ann (away)\" --image {images}/beach.png"),
        )
        .await;
    assert!(
        out.starts_with("Added a preset for :palm_tree:: nickname **Ann (away)**"),
        "{out}"
    );
    // Stored once, normalised: a 128×128 PNG.
    let stored: Vec<u8> = sqlx::query("SELECT image_png FROM profile_presets")
        .fetch_one(&t.db)
        .await
        .unwrap()
        .get("image_png");
    assert_eq!(
        stored,
        picture::normalise(&png(300, 200, [250, 200, 40]))
            .unwrap()
            .png
    );
    let shown = image::load_from_memory(&stored).unwrap();
    assert_eq!((shown.width(), shown.height()), (128, 128));

    let out = t
        .run(
            "ann",
            "profile preset add :palm_tree: --nickname \"Ann (beach)\"",
        )
        .await;
    assert!(
        out.starts_with("Replaced the preset for :palm_tree:"),
        "{out}"
    );
    t.run(
        "ann",
        "profile preset add :computer: --nickname \"Ann (desk)\"",
    )
    .await;
    let out = t.run("ann", "profile show").await;
    assert!(
        out.contains(":computer: → nickname **Ann (desk)**"),
        "{out}"
    );
    assert!(
        out.contains(":palm_tree: → nickname **Ann (beach)**"),
        "{out}"
    );
    assert!(
        out.contains("Shown now: the original nickname and picture."),
        "{out}"
    );
    let json = t.run("ann", "profile show --json").await;
    assert!(json.contains("\"emoji\": \"computer\""), "{json}");

    let out = t.run("ann", "profile preset remove :computer:").await;
    assert!(
        out.starts_with("Removed your preset for :computer:"),
        "{out}"
    );
    let out = t.run("ann", "profile preset remove :computer:").await;
    assert!(out.contains("You have no preset for :computer:"), "{out}");
    assert_eq!(preset_rows(&t).await, 1);
}

#[tokio::test]
async fn bot_admins_may_manage_presets_for_others_and_others_may_not() {
    let (t, _) = app().await;
    let out = t
        .run(
            "admin",
            "profile preset add :palm_tree: --nickname \"Ann (away)\" @ann",
        )
        .await;
    assert!(
        out.contains("@ann sets the custom status :palm_tree:"),
        "{out}"
    );
    let out = t
        .run(
            "bob",
            "profile preset add :palm_tree: --nickname \"Not Ann\" @ann",
        )
        .await;
    assert!(
        out.contains("Only bot admins can add presets for someone else"),
        "{out}"
    );
    let out = t.run("bob", "profile restore @ann").await;
    assert!(
        out.contains("Only bot admins can restore someone else's profile"),
        "{out}"
    );
    // Everyone reads everything.
    let out = t.run("bob", "profile show @ann").await;
    assert!(out.contains("@ann's profile presets:"), "{out}");
    assert!(
        t.run("admin", "profile show @ann")
            .await
            .contains("Ann (away)")
    );
    assert_eq!(preset_rows(&t).await, 1);
}

#[tokio::test]
async fn bad_presets_are_refused_clearly_and_store_nothing() {
    let (t, images) = app().await;
    let long = "x".repeat(65);
    for (text, says) in [
        (
            "profile preset add palm_tree --nickname A".to_string(),
            "between colons",
        ),
        (
            "profile preset add :no_such_emoji_here: --nickname A".to_string(),
            "doesn't know the emoji :no_such_emoji_here:",
        ),
        (
            format!("profile preset add :palm_tree: --nickname {long}"),
            "65 characters",
        ),
        (
            format!("profile preset add :palm_tree: --image {images}/page.html"),
            "not a picture",
        ),
        (
            format!("profile preset add :palm_tree: --image {images}/big.png"),
            "larger than 5 MB",
        ),
        (
            format!("profile preset add :palm_tree: --image {images}/wide.png"),
            "9000×4 pixels",
        ),
        (
            format!("profile preset add :palm_tree: --image {images}/missing.png"),
            "HTTP 404",
        ),
        (
            "profile preset add :palm_tree: --image file:///etc/passwd".to_string(),
            "https://",
        ),
    ] {
        let out = t.run("ann", &text).await;
        assert!(out.contains(says), "{text}: {out}");
    }
    assert_eq!(preset_rows(&t).await, 0);
}

#[tokio::test]
async fn pictures_on_private_addresses_are_refused_unless_allowed() {
    let t = spawn_app_with(Spawn::default()).await;
    t.mm.add_user("ann");
    let images = image_server().await;
    let out = t
        .run(
            "ann",
            &format!("profile preset add :palm_tree: --image {images}/beach.png"),
        )
        .await;
    assert!(out.contains("LOTTO_ALLOW_PRIVATE_URLS=true"), "{out}");
    assert_eq!(preset_rows(&t).await, 0);
}

#[tokio::test]
async fn the_emoji_switches_nickname_and_picture_and_clearing_it_restores_them() {
    let (t, images) = app().await;
    t.run(
        "ann",
        &format!(
            "profile preset add :palm_tree: --nickname \"Ann (away)\" --image {images}/beach.png"
        ),
    )
    .await;
    let original_picture = t.mm.picture_of("ann");
    let beach = picture::normalise(&png(300, 200, [250, 200, 40]))
        .unwrap()
        .png;

    t.mm.user("ann").custom_status("palm_tree", "Beach", None);
    signal(&t, "ann").await;
    nickname_becomes(&t, "ann", "Ann (away)").await;
    picture_becomes(&t, "ann", &beach).await;
    preset_shown(&t, "ann", "palm_tree").await;
    let out = t.run("ann", "profile show").await;
    assert!(out.contains("Saved original: nickname **Ann**"), "{out}");
    // Never `props`: it would wipe the custom status.
    assert!(t.mm.patch_bodies().iter().all(|b| b.get("props").is_none()));
    assert_eq!(t.mm.custom_status_of("ann").unwrap().emoji, "palm_tree");

    // An emoji without a preset restores the original, as clearing does.
    t.mm.user("ann").custom_status("coffee", "Break", None);
    signal(&t, "ann").await;
    nickname_becomes(&t, "ann", "Ann").await;
    picture_becomes(&t, "ann", &original_picture).await;

    t.mm.user("ann").custom_status("palm_tree", "Beach", None);
    signal(&t, "ann").await;
    nickname_becomes(&t, "ann", "Ann (away)").await;
    t.mm.clear_custom_status_as_user("ann");
    signal(&t, "ann").await;
    nickname_becomes(&t, "ann", "Ann").await;
    picture_becomes(&t, "ann", &original_picture).await;
    eventually("the original to be recorded as shown", async || {
        let out = t.run("ann", "profile show").await;
        out.contains("Shown now: the original nickname and picture.")
            .then_some(())
    })
    .await;
}

#[tokio::test]
async fn the_echo_of_the_bots_own_write_does_not_loop() {
    let (t, _) = app().await;
    t.run(
        "ann",
        "profile preset add :palm_tree: --nickname \"Ann (away)\"",
    )
    .await;
    t.run(
        "ann",
        "profile preset add :computer: --nickname \"Ann (desk)\"",
    )
    .await;
    t.mm.user("ann").custom_status("palm_tree", "Beach", None);
    signal(&t, "ann").await;
    nickname_becomes(&t, "ann", "Ann (away)").await;
    assert_eq!(t.mm.request_count(RouteKind::PatchUser), 1);
    // Mattermost echoes the bot's write as user_updated, with the same custom status.
    for _ in 0..3 {
        signal(&t, "ann").await;
    }
    // Then a real change: applied after the echoes (one person's changes are applied in order).
    t.mm.user("ann").custom_status("computer", "Desk", None);
    signal(&t, "ann").await;
    nickname_becomes(&t, "ann", "Ann (desk)").await;
    assert_eq!(
        t.mm.request_count(RouteKind::PatchUser),
        2,
        "{:?}",
        t.mm.patch_bodies()
    );
}

#[tokio::test]
async fn an_expired_status_is_restored_by_the_timer() {
    let (t, _) = app().await;
    t.run(
        "ann",
        "profile preset add :palm_tree: --nickname \"Ann (away)\"",
    )
    .await;
    let expires = Utc::now() + chrono::TimeDelta::seconds(3);
    t.mm.user("ann")
        .custom_status("palm_tree", "Beach", Some(expires));
    signal(&t, "ann").await;
    nickname_becomes(&t, "ann", "Ann (away)").await;
    // Mattermost says nothing when it expires: no signal.
    nickname_becomes(&t, "ann", "Ann").await;
    assert!(Utc::now() >= expires);
}

#[tokio::test]
async fn profile_restore_brings_the_original_back_until_the_emoji_changes() {
    let (t, _) = app().await;
    t.run(
        "ann",
        "profile preset add :palm_tree: --nickname \"Ann (away)\"",
    )
    .await;
    let out = t.run("ann", "profile restore").await;
    assert!(out.contains("already shown"), "{out}");
    t.mm.user("ann").custom_status("palm_tree", "Beach", None);
    signal(&t, "ann").await;
    preset_shown(&t, "ann", "palm_tree").await;
    let out = t.run("ann", "profile restore").await;
    assert!(out.contains("come back within seconds"), "{out}");
    nickname_becomes(&t, "ann", "Ann").await;
    // The echo with the same emoji does not bring the preset back…
    signal(&t, "ann").await;
    let out = t.run("ann", "profile show").await;
    assert!(
        out.contains("The preset for :palm_tree: waits until the status emoji changes"),
        "{out}"
    );
    // …a new emoji lifts the hold, and the preset returns with its emoji.
    t.mm.user("ann").custom_status("coffee", "Break", None);
    signal(&t, "ann").await;
    eventually("the hold to be lifted", async || {
        let out = t.run("ann", "profile show").await;
        (!out.contains("waits until")).then_some(())
    })
    .await;
    t.mm.user("ann").custom_status("palm_tree", "Beach", None);
    signal(&t, "ann").await;
    nickname_becomes(&t, "ann", "Ann (away)").await;
    assert_eq!(t.mm.request_count(RouteKind::PatchUser), 3);
}

#[tokio::test]
async fn a_profile_the_bot_may_not_change_is_reported_once() {
    let (t, _) = app().await;
    // A plain bot may not change other people's profiles: 403.
    t.mm.bot().roles("system_user");
    t.run(
        "ann",
        "profile preset add :palm_tree: --nickname \"Ann (away)\"",
    )
    .await;
    t.mm.user("ann").custom_status("palm_tree", "Beach", None);
    for _ in 0..3 {
        signal(&t, "ann").await;
    }
    let out = eventually("the profile to be marked unmanageable", async || {
        let out = t.run("ann", "profile show").await;
        out.contains("does not let the bot change").then_some(out)
    })
    .await;
    assert!(out.contains("the bot lacks the permission"), "{out}");
    t.deliver().await;
    let dms = t.mm.dms_to("ann");
    assert_eq!(dms.len(), 1, "{dms:?}");
    assert!(dms[0].contains("system_admin"), "{}", dms[0]);
    assert_eq!(t.mm.nickname_of("ann"), "Ann");
}

#[tokio::test]
async fn a_nickname_synced_from_ldap_is_reported_once() {
    let (t, _) = app().await;
    t.mm.sync_attribute("ann", "nickname");
    t.run(
        "ann",
        "profile preset add :palm_tree: --nickname \"Ann (away)\"",
    )
    .await;
    t.mm.user("ann").custom_status("palm_tree", "Beach", None);
    signal(&t, "ann").await;
    signal(&t, "ann").await;
    eventually("a DM about the synced profile", async || {
        t.deliver().await;
        (!t.mm.dms_to("ann").is_empty()).then_some(())
    })
    .await;
    let dms = t.mm.dms_to("ann");
    assert_eq!(dms.len(), 1, "{dms:?}");
    assert!(dms[0].contains("LDAP or SAML"), "{}", dms[0]);
}

#[tokio::test]
async fn a_rate_limited_write_waits_and_is_applied() {
    let (t, _) = app().await;
    t.run(
        "ann",
        "profile preset add :palm_tree: --nickname \"Ann (away)\"",
    )
    .await;
    t.mm.fail_next(RouteKind::PatchUser, 1, 429);
    t.mm.user("ann").custom_status("palm_tree", "Beach", None);
    signal(&t, "ann").await;
    nickname_becomes(&t, "ann", "Ann (away)").await;
    assert_eq!(t.mm.request_count(RouteKind::PatchUser), 2);
}

#[tokio::test]
async fn after_a_gap_the_people_with_presets_are_read_again() {
    let (t, _) = app().await;
    t.run(
        "ann",
        "profile preset add :palm_tree: --nickname \"Ann (away)\"",
    )
    .await;
    let before = Utc::now() - chrono::TimeDelta::seconds(1);
    // Changed while the listener was disconnected: no user_updated arrives.
    t.mm.user("ann").custom_status("palm_tree", "Beach", None);
    t.app
        .as_ref()
        .unwrap()
        .profile_signals
        .send(ProfileSignal::Reconcile { since: before })
        .await
        .unwrap();
    nickname_becomes(&t, "ann", "Ann (away)").await;
}

#[tokio::test]
async fn a_preset_added_while_its_emoji_is_set_applies_without_an_event() {
    let (t, _) = app().await;
    t.mm.user("ann").custom_status("palm_tree", "Beach", None);
    t.run(
        "ann",
        "profile preset add :palm_tree: --nickname \"Ann (away)\"",
    )
    .await;
    nickname_becomes(&t, "ann", "Ann (away)").await;
    t.run("ann", "profile preset remove :palm_tree:").await;
    nickname_becomes(&t, "ann", "Ann").await;
}
