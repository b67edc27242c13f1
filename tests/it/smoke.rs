//! The whole bot end to end: a rotation set up, filled and scheduled through slash commands, with the
//! DMs arriving at the fake Mattermost.

use crate::support::app::spawn_app;

#[tokio::test]
async fn a_rotation_is_created_filled_scheduled_and_people_get_dms() {
    let t = spawn_app().await;
    t.mm.add_user("ann").time_zone("Europe/Berlin");
    t.mm.add_user("bob").time_zone("America/New_York");

    let out = t
        .run(
            "admin",
            "rotation new ICE --period weekly --beginning 2030-03-04T09:00 --tz Europe/Berlin",
        )
        .await;
    assert!(out.contains("Created rotation **ICE**"), "{out}");
    let out = t.run("admin", "user join ICE @ann @bob").await;
    assert!(out.contains("Added @ann and @bob to **ICE**"), "{out}");
    let out = t
        .run("admin", "rotation set require ICE --skill any --count 2")
        .await;
    assert!(out.contains("at least 2 any"), "{out}");
    let out = t.run("admin", "task new shift ICE --number 0").await;
    assert!(out.contains("Created ICE#0"), "{out}");
    let out = t.run("admin", "task fill ICE#0").await;
    assert!(out.contains("The lottery picked"), "{out}");
    let out = t.run("admin", "task schedule ICE#0").await;
    assert!(out.contains("ICE#0 is now **scheduled**"), "{out}");
    t.deliver().await;

    let ann = t.mm.dms_to("ann");
    assert_eq!(ann.len(), 2, "{ann:?}");
    assert!(ann[0].contains("Welcome to ICE"), "{}", ann[0]);
    assert!(ann[1].contains("You're on ICE#0"), "{}", ann[1]);
    // Ann reads Berlin time; Bob New York time, and each sees the other.
    assert!(
        ann[1].contains("Mon 2030-03-04 09:00 CET") && ann[1].contains("@bob"),
        "{}",
        ann[1]
    );
    let bob = t.mm.dms_to("bob");
    assert!(
        bob[1].contains("Mon 2030-03-04 03:00 EST") && bob[1].contains("@ann"),
        "{}",
        bob[1]
    );
}

#[tokio::test]
async fn an_unknown_token_gets_401_and_changes_nothing() {
    let t = spawn_app().await;
    let before = t.snapshot().await;
    let reply =
        t.mm.slash_with_token(&t.slash_url(), "admin", "rotation new X", "wrong-token")
            .await;
    assert_eq!(reply.status, Some(401));
    assert_eq!(t.snapshot().await, before);
}
