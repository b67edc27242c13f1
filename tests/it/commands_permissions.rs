//! Who may do what (DESIGN.md): bot admins anything; a rotation's owners manage it and its tasks;
//! anyone joins or leaves themselves, sets their own skills and time off, and reads everything.
//! Everything else is refused with a message saying who can, and changes nothing.

use crate::commands_helpers::*;
use crate::support::app::TestApp;

/// ICE (owned by admin and ann, members ann and bob, one filled shift) and WEB (owned by admin).
async fn setup() -> TestApp {
    let t = team().await;
    weekly_ice(&t).await;
    run(
        &t,
        "admin",
        "rotation new WEB --beginning 2030-03-04T09:00Z",
    )
    .await;
    run(&t, "admin", "rotation owner add ICE @ann").await;
    run(&t, "admin", "user join ICE @ann @bob").await;
    run(&t, "admin", "user join WEB @cat").await;
    run(&t, "admin", "task new shift ICE --number 0").await;
    run(&t, "admin", "task assign ICE#0 @bob").await;
    run(&t, "admin", "task new shift ICE --number 1").await;
    run(&t, "admin", "task new shift WEB --number 0").await;
    run(&t, "admin", "skill new server").await;
    t
}

const ICE_OWNERS: &str = "Only owners of ICE (@admin, @ann) or bot admins can";

#[tokio::test]
async fn people_who_own_nothing_are_refused_management_with_who_can() {
    let t = setup().await;
    let refused: &[(&str, &str)] = &[
        ("rotation archive ICE", "archive it."),
        (
            "rotation set require ICE --skill any --count 3",
            "change what its tasks need.",
        ),
        (
            "rotation set limit ICE --skill any --count 3",
            "change what its tasks need.",
        ),
        (
            "rotation set task ICE --grace 1d",
            "change its task settings.",
        ),
        ("rotation set fill ICE --seed 5", "change how it fills."),
        (
            "rotation set autopilot ICE --create",
            "change its autopilot.",
        ),
        ("rotation owner add ICE @cat", "change its owners."),
        ("rotation owner remove ICE @ann", "change its owners."),
        ("rotation autopilot ICE", "run its autopilot."),
        ("task new shift ICE", "create its tasks."),
        ("task fill ICE#1", "fill its tasks."),
        ("task assign ICE#1 @cat", "assign people to its tasks."),
        (
            "task unassign ICE#0 @bob",
            "unassign people from its tasks.",
        ),
        ("task schedule ICE#0", "schedule its tasks."),
        ("task start ICE#0", "start its tasks."),
        ("task finish ICE#0", "finish its tasks."),
        ("user join ICE @bob @cat", "add other people."),
        ("user leave ICE @bob", "remove other people."),
        ("skill new webapp", "Only bot admins can add skills"),
        ("skill delete server", "Only bot admins can delete skills."),
        ("info --now 2030-01-01", "Only bot admins can use `--now`"),
    ];
    for (text, says) in refused {
        let out = fails_unchanged(&t, "cat", text).await;
        if says.starts_with("Only") {
            assert!(out.starts_with(says), "`{text}`: {out}");
        } else {
            assert_eq!(out, format!("{ICE_OWNERS} {says}"), "`{text}`");
        }
    }
    for text in [
        "user qualify @bob --skills server",
        "user disqualify @bob --all",
        "user unavailable @bob --start 2030-01-01 --finish 2030-01-02",
    ] {
        let out = fails_unchanged(&t, "cat", text).await;
        assert!(
            out.contains("only for yourself, or for members of a rotation you own (@bob isn't)"),
            "`{text}`: {out}"
        );
    }
}

#[tokio::test]
async fn anyone_reads_everything_and_manages_themselves() {
    let t = setup().await;
    for text in [
        "rotation list",
        "rotation show ICE",
        "task show ICE#0",
        "task list ICE",
        "user show @bob",
        "skill list",
        "info",
        "help",
    ] {
        let out = fails_unchanged(&t, "cat", text).await;
        assert!(!out.starts_with("Only"), "`{text}`: {out}");
    }
    assert!(
        run(&t, "cat", "user join ICE")
            .await
            .starts_with("Added @cat")
    );
    assert!(
        run(&t, "cat", "user leave ICE")
            .await
            .starts_with("Removed @cat")
    );
    assert!(
        run(&t, "cat", "user qualify --skills server-2")
            .await
            .starts_with("@cat now has")
    );
    assert!(
        run(&t, "cat", "user disqualify --skills server")
            .await
            .starts_with("Removed server")
    );
    assert!(
        run(
            &t,
            "cat",
            "user unavailable --start 2030-01-01 --finish 2030-01-02"
        )
        .await
        .starts_with("@cat is unavailable")
    );
    assert!(
        run(&t, "cat", "user unavailable --clear")
            .await
            .starts_with("Cleared 1")
    );
    // Mentioning yourself is the same as not mentioning anyone.
    assert!(
        run(&t, "cat", "user join ICE @cat")
            .await
            .starts_with("Added @cat")
    );
}

#[tokio::test]
async fn owners_manage_their_rotation_and_its_members_but_nothing_else() {
    let t = setup().await;
    let allowed = [
        "rotation set require ICE --skill any --count 1",
        "rotation set task ICE --grace 1d",
        "rotation set fill ICE --fuzz 1",
        "rotation set autopilot ICE --create",
        "rotation owner add ICE @bob",
        "rotation owner remove ICE @bob",
        "task new shift ICE --number 2",
        "task fill ICE#1",
        "task assign ICE#2 @ann",
        "task unassign ICE#2 @ann",
        "task schedule ICE#0",
        "user join ICE @cat",
        "user qualify @bob --skills server",
        "user unavailable @bob --start 2030-06-01 --finish 2030-06-02",
        "user disqualify @bob --skills server",
        "user leave ICE @cat",
        "rotation autopilot ICE",
    ];
    for text in allowed {
        let out = t.run("ann", text).await;
        assert!(
            !out.starts_with("Only") && !out.contains("only for yourself"),
            "`{text}` as an owner: {out}"
        );
    }
    // Cat is in WEB only, which Ann doesn't own.
    let out = fails_unchanged(&t, "ann", "user qualify @cat --skills server").await;
    assert!(out.contains("(@cat isn't)"), "{out}");
    let out = fails_unchanged(&t, "ann", "task fill WEB#0").await;
    assert_eq!(
        out,
        "Only owners of WEB (@admin) or bot admins can fill its tasks."
    );
    let out = fails_unchanged(&t, "ann", "rotation archive WEB").await;
    assert_eq!(
        out,
        "Only owners of WEB (@admin) or bot admins can archive it."
    );
    let out = fails_unchanged(&t, "ann", "task show ICE#0 --now 2030-01-01").await;
    assert!(out.starts_with("Only bot admins can use `--now`"), "{out}");
    // And the last step for an owner: archiving their own rotation.
    let out = run(&t, "ann", "rotation archive ICE").await;
    assert!(out.starts_with("Archived **ICE**"), "{out}");
}

#[tokio::test]
async fn mattermost_system_admins_and_listed_admins_may_do_anything() {
    let t = setup().await;
    t.mm.add_user("root").time_zone("UTC").system_admin();
    for (user, text) in [
        ("root", "task fill WEB#0"),
        ("root", "rotation new RootsOwn"),
        ("root", "skill delete server"),
        ("root", "user qualify @cat --skills lead"),
        (
            "admin",
            "user unavailable @cat --start 2031-01-01 --finish 2031-01-02",
        ),
        ("root", "info --now 2030-01-01"),
    ] {
        let out = t.run(user, text).await;
        assert!(
            !out.starts_with("Only") && !out.contains("only for yourself"),
            "`{text}` as @{user}: {out}"
        );
    }
    assert_eq!(t.rotation_names().await, ["ICE", "WEB", "RootsOwn"]);
    assert_eq!(t.users_on("WEB#0").await, ["cat"]);
}

#[tokio::test]
async fn anyone_may_create_a_rotation_and_becomes_its_owner() {
    let t = setup().await;
    let out = run(&t, "cat", "rotation new Mine").await;
    assert!(out.starts_with("Created rotation **Mine**"), "{out}");
    assert!(out.contains("- **Owners:** @cat"), "{out}");
    // As its owner, cat manages it; ann, who owns nothing there, may not.
    let out = run(&t, "cat", "rotation set task Mine --grace 1d").await;
    assert!(!out.starts_with("Only"), "{out}");
    let out = fails_unchanged(&t, "ann", "rotation archive Mine").await;
    assert_eq!(
        out,
        "Only owners of Mine (@cat) or bot admins can archive it."
    );
}

#[tokio::test]
async fn with_rotation_creators_set_to_admins_only_bot_admins_create_rotations() {
    let t = crate::support::app::spawn_app_with(crate::support::app::Spawn {
        settings: vec![("rotation_creators", "admins")],
        ..Default::default()
    })
    .await;
    t.mm.add_user("cat").time_zone("UTC");
    let out = fails_unchanged(&t, "cat", "rotation new Mine").await;
    assert!(
        out.starts_with("Only bot admins can create rotations (LOTTO_ROTATION_CREATORS=admins)."),
        "{out}"
    );
    let out = run(&t, "admin", "rotation new Mine").await;
    assert!(out.starts_with("Created rotation **Mine**"), "{out}");
}
