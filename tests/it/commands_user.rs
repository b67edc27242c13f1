//! `/lotto user …`, `/lotto skill …` and `/lotto info` end to end.

use crate::commands_helpers::*;

#[tokio::test]
async fn user_join_adds_yourself_or_others_and_welcomes_them() {
    let t = team().await;
    weekly_ice(&t).await;
    let out = run(&t, "ann", "user join ICE").await;
    assert_eq!(out, "Added @ann to **ICE**.");
    let out = run(&t, "admin", "user join ICE @bob @ann").await;
    assert_eq!(out, "Added @bob to **ICE**. (@ann already in it.)");
    let out = fails_unchanged(&t, "ann", "user join ICE").await;
    assert_eq!(out, "@ann is already in ICE.");
    assert_eq!(t.members_of("ICE").await, ["ann", "bob"]);

    t.deliver().await;
    let ann = t.mm.dms_to("ann");
    assert_eq!(ann.len(), 1, "{ann:?}");
    assert!(
        ann[0].starts_with("#### Welcome to ICE!\nYou joined the **ICE** rotation."),
        "{}",
        ann[0]
    );
    assert!(ann[0].contains("/lotto rotation show ICE"), "{}", ann[0]);
    assert!(
        ann[0].contains("/lotto user unavailable --start <first day off> --finish <day back>"),
        "{}",
        ann[0]
    );
    let bob = t.mm.dms_to("bob");
    assert!(
        bob[0].contains("@admin added you to the **ICE** rotation"),
        "{}",
        bob[0]
    );
    assert!(bob[0].contains("its shifts"), "{}", bob[0]);
}

#[tokio::test]
async fn user_join_starting_later_takes_part_in_fills_from_then_on() {
    let t = team().await;
    weekly_ice(&t).await;
    run(&t, "admin", "task new shift ICE --number 0").await;
    let out = run(
        &t,
        "ann",
        "user join ICE --starting 2030-06-01 --now 2030-01-01T00:00Z",
    )
    .await;
    assert!(out.contains("Only bot admins can use `--now`"), "{out}");
    let out = run(&t, "ann", "user join ICE --starting 2099-06-01").await;
    assert!(
        out.starts_with(
            "Added @ann to **ICE**. They take part in the lottery for tasks from Mon 2099-06-01 00:00 CEST on."
        ),
        "{out}"
    );
    // Read in Ann's zone: midnight in Berlin.
    assert_eq!(t.joined_at("ICE", "ann").await, ts("2099-05-31T22:00:00Z"));
    t.deliver().await;
    assert!(
        t.mm.dms_to("ann")[0].contains("Coming up: ICE#0"),
        "{:?}",
        t.mm.dms_to("ann")
    );
    // Until then she is not a candidate: the lottery picks among the others only.
    let out = fails_unchanged(&t, "admin", "task fill ICE#0").await;
    assert!(out.starts_with("Couldn't fill ICE#0"), "{out}");
    run(&t, "admin", "user join ICE @bob").await;
    let out = run(&t, "admin", "task fill ICE#0").await;
    assert!(out.contains("@bob"), "{out}");
    assert!(!out.contains("@ann"), "{out}");
}

#[tokio::test]
async fn user_leave_removes_and_tells_them_about_open_tasks() {
    let t = team().await;
    weekly_ice(&t).await;
    run(&t, "admin", "user join ICE @ann @bob").await;
    run(&t, "admin", "task new shift ICE --number 0").await;
    run(&t, "admin", "task assign ICE#0 @bob").await;
    let out = run(&t, "ann", "user leave ICE").await;
    assert_eq!(out, "Removed @ann from **ICE**.");
    let out = run(&t, "admin", "user leave ICE @bob").await;
    assert_eq!(out, "Removed @bob from **ICE**.");
    let out = fails_unchanged(&t, "ann", "user leave ICE").await;
    assert_eq!(out, "@ann is not in ICE.");
    assert!(t.members_of("ICE").await.is_empty());

    t.deliver().await;
    let ann = t.mm.dms_to("ann");
    assert!(
        ann[1].starts_with("#### You left ICE\nYou left the **ICE** rotation."),
        "{}",
        ann[1]
    );
    let bob = t.mm.dms_to("bob");
    let removed = &bob[1];
    assert!(
        removed.contains("@admin removed you from the **ICE** rotation"),
        "{removed}"
    );
    assert!(
        removed.contains("You are still on ICE#0: ask an owner of ICE (@admin)"),
        "{removed}"
    );
    assert!(removed.contains("`/lotto user join ICE`"), "{removed}");
}

#[tokio::test]
async fn user_qualify_and_disqualify_set_skills_at_levels() {
    let t = team().await;
    let out = run(
        &t,
        "ann",
        "user qualify --skills webapp-2,server-expert,lead",
    )
    .await;
    assert_eq!(out, "@ann now has lead-◉, server-◈◈, webapp-▣.");
    assert_eq!(
        t.skills_of("ann").await,
        [
            ("lead".into(), 1),
            ("server".into(), 4),
            ("webapp".into(), 2)
        ]
    );
    // Qualifying adds the skills to the known ones.
    assert_eq!(t.skills().await, ["lead", "server", "webapp"]);
    let out = run(&t, "admin", "user qualify @ann @bob --skills webapp-◈").await;
    assert_eq!(out, "@ann and @bob now have webapp-◈.");
    assert!(
        t.skills_of("ann")
            .await
            .contains(&("webapp".to_string(), 3))
    );
    assert_eq!(t.skills_of("bob").await, [("webapp".to_string(), 3)]);

    let out = run(&t, "ann", "user disqualify --skills lead").await;
    assert_eq!(out, "Removed lead from @ann.");
    let out = fails_unchanged(&t, "ann", "user disqualify --skills lead").await;
    assert_eq!(out, "@ann has none of lead, so nothing was removed.");
    let out = run(&t, "admin", "user disqualify @ann --all").await;
    assert_eq!(out, "Removed every skill from @ann.");
    assert!(t.skills_of("ann").await.is_empty());
    assert_eq!(
        t.skills_of("bob").await,
        [("webapp".to_string(), 3)],
        "Bob keeps his"
    );
    let out = fails_unchanged(&t, "ann", "user qualify --skills webapp-7").await;
    assert!(
        out.contains("`7` is not a skill level: use 1–4"),
        "says what works: {out}"
    );
    let out = fails_unchanged(&t, "ann", "user qualify").await;
    assert!(out.contains("--skills"), "{out}");
}

#[tokio::test]
async fn user_show_lists_skills_rotations_tasks_and_time_off() {
    let t = team().await;
    weekly_ice(&t).await;
    run(&t, "admin", "user join ICE @ann").await;
    run(&t, "ann", "user qualify --skills webapp-2").await;
    run(&t, "admin", "task new shift ICE --number 0").await;
    run(&t, "admin", "task assign ICE#0 @ann").await;
    run(
        &t,
        "ann",
        "user unavailable --start 2099-06-01T09:00 --finish 2099-06-01T17:00",
    )
    .await;
    let out = run(&t, "ann", "user show").await;
    assert!(
        out.starts_with("#### @ann\n- **Skills:** webapp-▣\n- **Rotations:** ICE"),
        "{out}"
    );
    assert!(
        out.contains("**Tasks:** ICE#0 (pending, Mon 2030-03-04 09:00 CET)"),
        "{out}"
    );
    assert!(
        out.contains(
            "**Unavailable:** Mon 2099-06-01 09:00 CEST → Mon 2099-06-01 17:00 CEST (personal)"
        ),
        "{out}"
    );
    assert!(out.contains("**Time zone:** Europe/Berlin"), "{out}");
    // Bob reads Ann's time off in New York time.
    let out = run(&t, "bob", "user show @ann").await;
    assert!(
        out.contains("Mon 2099-06-01 03:00 EDT → Mon 2099-06-01 11:00 EDT"),
        "{out}"
    );
    let out = run(&t, "bob", "user show").await;
    assert!(
        out.contains("**Rotations:** none") && out.contains("no time off coming up"),
        "{out}"
    );

    // A list even of one person.
    let people = json_of(&run(&t, "bob", "user show @ann --json").await);
    assert_eq!(people.as_array().map(Vec::len), Some(1), "{people}");
    let j = &people[0];
    assert_eq!(keys(j), set(PERSON_KEYS));
    assert_eq!(j["username"], "ann");
    assert_eq!(j["skills"]["webapp"], 2);
    assert_eq!(j["rotations"], serde_json::json!(["ICE"]));
    assert_eq!(
        keys(&j["tasks"][0]),
        set(&["finish", "id", "start", "state"])
    );
    assert_eq!(
        j["unavailable"],
        serde_json::json!([{"start": "2099-06-01T07:00:00Z", "finish": "2099-06-01T15:00:00Z", "reason": "personal"}])
    );
    let both = json_of(&run(&t, "bob", "user show @ann @bob --json").await);
    assert_eq!(both.as_array().unwrap().len(), 2);
    let out = run(&t, "bob", "user show @ghost").await;
    assert!(
        out.contains("Mattermost has no active user @ghost"),
        "{out}"
    );
}

#[tokio::test]
async fn user_unavailable_adds_and_clears_time_off() {
    let t = team().await;
    let out = run(
        &t,
        "bob",
        r#"user unavailable --start "2099-12-24 00:00" --finish 2100-01-02"#,
    )
    .await;
    assert_eq!(
        out,
        "@bob is unavailable from Thu 2099-12-24 00:00 EST to Sat 2100-01-02 00:00 EST (America/New_York): the lottery won't pick you for anything overlapping."
    );
    assert_eq!(
        t.time_off_of("bob").await,
        [(ts("2099-12-24T05:00:00Z"), ts("2100-01-02T05:00:00Z"))]
    );
    // An explicit zone or offset wins over Bob's own zone.
    run(
        &t,
        "bob",
        "user unavailable --start 2099-03-01T09:00Z --finish 2099-03-01T11:00+01:00 --json",
    )
    .await;
    let (start, finish) = t.time_off_of("bob").await.into_iter().min().unwrap();
    assert_eq!(start, ts("2099-03-01T09:00:00Z"));
    assert_eq!(finish, ts("2099-03-01T10:00:00Z"), "11:00+01:00 is 10:00Z");

    let out = fails_unchanged(
        &t,
        "bob",
        "user unavailable --start 2099-05-02 --finish 2099-05-01",
    )
    .await;
    assert!(
        out.starts_with("The finish (") && out.contains("must be after the start"),
        "{out}"
    );
    let out = fails_unchanged(
        &t,
        "bob",
        "user unavailable --start 2099-01-01 --finish 2101-01-01",
    )
    .await;
    assert!(out.contains("at most a year"), "{out}");
    let out = fails_unchanged(&t, "bob", "user unavailable --start 2099-01-01").await;
    assert!(out.contains("--finish"), "{out}");

    let out = run(
        &t,
        "bob",
        "user unavailable --clear --start 2099-12-01 --finish 2100-02-01",
    )
    .await;
    assert_eq!(out, "Cleared 1 stretch of time off for @bob.");
    let out = fails_unchanged(
        &t,
        "bob",
        "user unavailable --clear --start 2099-12-01 --finish 2100-02-01",
    )
    .await;
    assert_eq!(
        out,
        "@bob has no personal time off in that range, so nothing was cleared."
    );
    run(
        &t,
        "bob",
        "user unavailable --start 2099-07-01 --finish 2099-07-02",
    )
    .await;
    let out = run(&t, "bob", "user unavailable --clear").await;
    assert_eq!(out, "Cleared 2 stretches of time off for @bob.");
    let out = fails_unchanged(&t, "bob", "user unavailable --clear").await;
    assert_eq!(
        out,
        "@bob has no personal time off recorded, so nothing was cleared."
    );
}

#[tokio::test]
async fn skills_are_listed_added_and_deleted() {
    let t = team().await;
    let out = run(&t, "ann", "skill list").await;
    assert!(out.starts_with("No skills are known yet."), "{out}");
    let out = run(&t, "admin", "skill new server").await;
    assert_eq!(out, "Added **server** to the known skills.");
    let out = fails_unchanged(&t, "admin", "skill new Server").await;
    assert_eq!(out, "**Server** is already a known skill.");
    run(&t, "ann", "user qualify --skills webapp-2").await;
    run(&t, "bob", "user qualify --skills webapp").await;
    let out = run(&t, "cat", "skill list").await;
    assert_eq!(
        out,
        "Known skills: **server** (0 people), **webapp** (2 people)"
    );
    let j = json_of(&run(&t, "cat", "skill list --json").await);
    assert_eq!(
        j,
        serde_json::json!([{"name": "server", "people": 0}, {"name": "webapp", "people": 2}])
    );

    let out = run(&t, "admin", "skill delete webapp").await;
    assert!(
        out.starts_with("Deleted **webapp** from the known skills. People who have it keep it"),
        "{out}"
    );
    assert_eq!(t.skills().await, ["server"]);
    assert_eq!(t.skills_of("ann").await, [("webapp".to_string(), 2)]);
    assert_eq!(t.skills_of("bob").await, [("webapp".to_string(), 1)]);
    let out = fails_unchanged(&t, "admin", "skill delete webapp").await;
    assert!(out.contains("**webapp** is not a known skill"), "{out}");
    let out = fails_unchanged(&t, "admin", "skill new two-words!").await;
    assert!(out.contains("two-words!"), "{out}");
}

#[tokio::test]
async fn info_says_what_the_bot_is_and_how_it_is_doing() {
    let t = team().await;
    weekly_ice(&t).await;
    run(&t, "admin", "user join ICE @ann").await;
    t.deliver().await;
    let out = run(&t, "ann", "info").await;
    assert!(
        out.starts_with(&format!("**Solar Lottery** {}", env!("CARGO_PKG_VERSION"))),
        "{out}"
    );
    assert!(
        out.contains("- 1 active rotation, 0 with the autopilot on"),
        "{out}"
    );
    assert!(
        out.contains("Messages: 1 sent, 0 waiting, 0 undeliverable"),
        "{out}"
    );
    assert!(
        out.contains("You are @ann; times are shown in Europe/Berlin."),
        "{out}"
    );
    let out = run(&t, "admin", "info").await;
    assert!(out.contains("You are @admin, a bot admin"), "{out}");
    let j = json_of(&run(&t, "ann", "info --json").await);
    assert_eq!(
        keys(&j),
        set(&[
            "autopilot_rotations",
            "messages",
            "rotations",
            "version",
            "you"
        ])
    );
    assert_eq!(keys(&j["messages"]), set(&["failed", "queued", "sent"]));
    assert_eq!(
        keys(&j["you"]),
        set(&["bot_admin", "time_zone", "username"])
    );
    assert_eq!(j["you"]["bot_admin"], false);
    assert_eq!(j["rotations"], 1);
}
