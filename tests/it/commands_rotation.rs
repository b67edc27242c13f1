//! `/lotto rotation …` end to end: each command's success and its main failures, as a user sees
//! them (replies), and what they leave in the database.

use crate::commands_helpers::*;

#[tokio::test]
async fn rotation_new_stores_every_flag_and_makes_the_creator_owner() {
    let t = team().await;
    let out = run(
        &t,
        "admin",
        "rotation new ICE --period weekly --beginning 2030-03-04T09:00 --tz Europe/Berlin --seed 42 --fuzz 3",
    )
    .await;
    assert!(out.contains("Created rotation **ICE**"), "{out}");
    // The reply already shows the rotation, with what to do next.
    assert!(out.contains("/lotto user join ICE @someone"), "{out}");
    assert!(out.contains("Weekly shifts in Europe/Berlin"), "{out}");
    assert!(out.contains("**Owners:** @admin"), "{out}");

    let ice = t.rotation("ICE").await;
    assert_eq!(ice.tz, "Europe/Berlin");
    assert_eq!(ice.period, "weekly");
    assert_eq!(ice.task_type, "shift");
    assert_eq!(ice.seed, 42);
    assert_eq!(ice.fuzz, 3);
    // 09:00 in Berlin in March is 08:00 UTC.
    assert_eq!(ice.beginning, ts("2030-03-04T08:00:00Z"));
    assert_eq!(t.owners_of("ICE").await, ["admin"]);
    // Every task needs somebody unless the owners say otherwise.
    assert_eq!(t.needs_of("ICE").await, ["require:any:1"]);
}

#[tokio::test]
async fn rotation_new_defaults_to_the_creators_zone_and_now() {
    let t = team().await;
    // A Mattermost system admin is a bot admin without being listed in LOTTO_ADMINS.
    t.mm.add_user("sue").time_zone("Asia/Tokyo").system_admin();
    let out = run(
        &t,
        "sue",
        "rotation new Night --period daily --now 2030-01-10T10:00:40",
    )
    .await;
    assert!(out.contains("Created rotation **Night**"), "{out}");
    assert!(out.contains("Daily shifts in Asia/Tokyo"), "{out}");
    let night = t.rotation("Night").await;
    assert_eq!(night.tz, "Asia/Tokyo");
    // `--now` was read in Sue's zone; without `--beginning` shifts begin at midnight there, and
    // the reply says how to choose another time.
    assert_eq!(night.beginning, ts("2030-01-09T15:00:00Z"));
    assert!(
        out.contains("Its shifts begin at Thu 2030-01-10 00:00 JST (the start of today)"),
        "{out}"
    );
    assert!(out.contains("`--beginning \"2030-01-10 09:00\"`"), "{out}");
    // Without --seed the seed is random, but stored so fills replay.
    assert_eq!(t.rotation_names().await, ["Night"]);
    assert!(night.seed >= 0, "{}", night.seed);
}

#[tokio::test]
async fn rotation_new_accepts_tickets_and_duration_periods() {
    let t = team().await;
    let out = run(
        &t,
        "admin",
        "rotation new Support --task-type ticket --period 3d",
    )
    .await;
    assert!(out.contains("tickets in UTC"), "{out}");
    let support = t.rotation("Support").await;
    assert_eq!(support.task_type, "ticket");
    assert_eq!(support.period, "3d");
    // A ticket rotation lists no upcoming shifts.
    assert!(!out.contains("not created yet"), "{out}");
}

#[tokio::test]
async fn rotation_new_refuses_a_taken_name_a_bad_name_and_a_bad_period() {
    let t = team().await;
    weekly_ice(&t).await;
    let out = fails_unchanged(&t, "admin", "rotation new ice").await;
    assert!(
        out.contains("already an active rotation called `ice`") && out.contains("archive"),
        "{out}"
    );
    let out = fails_unchanged(&t, "admin", r#"rotation new "two words""#).await;
    assert!(out.contains("is not a rotation name"), "{out}");
    assert!(
        out.contains("/lotto rotation new <name>"),
        "usage shown: {out}"
    );
    let out = fails_unchanged(&t, "admin", "rotation new X --period sometimes").await;
    assert!(out.contains("sometimes"), "{out}");
    assert!(
        out.contains("daily") && out.contains("weekly"),
        "says what works: {out}"
    );
    let out = fails_unchanged(&t, "admin", "rotation new X --tz Mars/Olympus").await;
    assert!(out.contains("Mars/Olympus"), "{out}");
    assert_eq!(t.rotation_names().await, ["ICE"]);
}

#[tokio::test]
async fn rotation_list_shows_active_rotations_with_their_members() {
    let t = team().await;
    let out = run(&t, "ann", "rotation list").await;
    assert!(out.contains("There are no active rotations"), "{out}");
    assert!(out.contains("/lotto rotation new"), "{out}");
    assert_eq!(
        json_of(&run(&t, "ann", "rotation list --json").await),
        serde_json::json!([])
    );

    weekly_ice(&t).await;
    run(&t, "admin", "rotation new Support --task-type ticket").await;
    run(&t, "admin", "user join ICE @ann @bob").await;
    run(&t, "admin", "rotation set autopilot ICE --create").await;
    let out = run(&t, "cat", "rotation list").await;
    assert!(
        out.contains("- **ICE**: weekly shifts · 2 members · autopilot on"),
        "{out}"
    );
    assert!(
        out.contains("- **Support**: weekly tickets · 0 members · autopilot off"),
        "{out}"
    );
    assert!(
        !out.contains('|'),
        "no tables: they wrap badly on phones: {out}"
    );

    let list = json_of(&run(&t, "cat", "rotation list --json").await);
    let items = list.as_array().unwrap();
    assert_eq!(items.len(), 2);
    let mut expected = set(ROTATION_KEYS);
    expected.insert("member_count".into());
    assert_eq!(keys(&items[0]), expected);
    assert_eq!(items[0]["name"], "ICE");
    assert_eq!(items[0]["member_count"], 2);
    assert_eq!(items[0]["autopilot"]["on"], true);

    run(&t, "admin", "rotation archive Support").await;
    let out = run(&t, "cat", "rotation list").await;
    assert!(
        !out.contains("Support"),
        "archived rotations are not listed: {out}"
    );
}

#[tokio::test]
async fn rotation_show_reads_at_a_glance() {
    let t = team().await;
    weekly_ice(&t).await;
    run(&t, "admin", "user join ICE @ann @bob").await;
    run(&t, "admin", "user qualify @ann --skills webapp-2").await;
    run(
        &t,
        "admin",
        "rotation set require ICE --skill webapp-2 --count 1",
    )
    .await;
    run(&t, "admin", "rotation set limit ICE --skill lead --count 1").await;
    run(&t, "admin", "rotation set task ICE --grace 1w").await;
    run(
        &t,
        "admin",
        "rotation set autopilot ICE --create --create-prior 2w",
    )
    .await;
    run(&t, "admin", "rotation owner add ICE @ann").await;
    run(&t, "admin", "task new shift ICE --number 0").await;
    run(&t, "admin", "task assign ICE#0 @ann").await;

    // Bob reads in New York time.
    let out = run(&t, "bob", "rotation show ICE").await;
    assert!(
        out.starts_with("#### ICE\nWeekly shifts in Europe/Berlin"),
        "{out}"
    );
    assert!(out.contains("**Owners:** @admin, @ann"), "{out}");
    assert!(out.contains("**Members (2):** @ann (webapp-▣; "), "{out}");
    assert!(out.contains("@bob (no skills; not served yet)"), "{out}");
    assert!(
        out.contains("**Each task needs:** at least 1 any, 1 webapp-▣; at most 1 lead-◉"),
        "{out}"
    );
    assert!(out.contains("grace after serving 1w"), "{out}");
    assert!(
        out.contains("**Autopilot:** on: creates shifts 2 weeks ahead"),
        "{out}"
    );
    assert!(out.contains("(times in America/New_York)"), "{out}");
    // The open task with its people, then shifts not created yet. 08:00 UTC is 03:00 EST.
    assert!(
        out.contains(
            "- **ICE#0** · Mon 2030-03-04 03:00 EST → Mon 2030-03-11 04:00 EDT · pending · @ann"
        ),
        "{out}"
    );
    assert!(
        out.contains("- **ICE#1** · Mon 2030-03-11 04:00 EDT"),
        "{out}"
    );
    assert!(out.contains("not created yet"), "{out}");
    assert!(
        !out.contains('|'),
        "no tables: they wrap badly on phones: {out}"
    );
    // Finished tasks leave the list; Ann's service shows on her line.
    run(&t, "admin", "task schedule ICE#0").await;
    run(&t, "admin", "task start ICE#0 --now 2030-03-04T08:00Z").await;
    run(&t, "admin", "task finish ICE#0 --now 2030-03-11T08:00Z").await;
    let out = run(&t, "admin", "rotation show ICE --now 2030-03-12T08:00Z").await;
    assert!(!out.contains("**ICE#0**"), "{out}");
    assert!(
        out.contains("@ann (webapp-▣; served 24 hours ago)"),
        "{out}"
    );
    assert!(out.contains("- **ICE#2** · "), "{out}");
}

#[tokio::test]
async fn rotation_show_keeps_shifts_at_0900_local_across_daylight_saving() {
    let t = team().await;
    weekly_ice(&t).await;
    // Europe switches to summer time on Sunday 2030-03-31.
    t.mm.add_user("berta")
        .time_zone("Europe/Berlin")
        .system_admin();
    let out = run(&t, "berta", "rotation show ICE --now 2030-03-20T12:00").await;
    assert!(out.contains("(times in Europe/Berlin)"), "{out}");
    assert!(
        out.contains(
            "- **ICE#3** · Mon 2030-03-25 09:00 CET → Mon 2030-04-01 09:00 CEST · not created yet"
        ),
        "{out}"
    );
    assert!(
        out.contains("- **ICE#4** · Mon 2030-04-01 09:00 CEST → Mon 2030-04-08 09:00 CEST · "),
        "{out}"
    );
    // Created shifts keep it too: UTC moves by an hour.
    run(&t, "admin", "task new shift ICE --number 4").await;
    let shift = json_of(&run(&t, "admin", "task show ICE#4 --json").await);
    assert_eq!(shift["start"], "2030-04-01T07:00:00Z");
    let shift0 = json_of(&run(&t, "admin", "task new shift ICE --number 0 --json").await);
    assert_eq!(shift0["start"], "2030-03-04T08:00:00Z");
    assert_eq!(shift0["expected_duration"], "1w");
}

#[tokio::test]
async fn rotation_show_json_is_the_full_object_with_stable_names() {
    let t = team().await;
    weekly_ice(&t).await;
    run(&t, "admin", "user join ICE @ann").await;
    run(&t, "admin", "user qualify @ann --skills webapp-3").await;
    run(&t, "admin", "task new shift ICE --number 0").await;
    run(&t, "admin", "task fill ICE#0").await;
    let j = json_of(&run(&t, "bob", "rotation show ICE --json").await);
    let mut expected = set(ROTATION_KEYS);
    for k in ["owners", "members", "require", "limit", "tasks"] {
        expected.insert(k.into());
    }
    assert_eq!(keys(&j), expected);
    assert_eq!(j["name"], "ICE");
    assert_eq!(j["time_zone"], "Europe/Berlin");
    assert_eq!(j["period"], "weekly");
    assert_eq!(j["beginning"], "2030-03-04T08:00:00Z");
    assert_eq!(j["seed"], 1);
    assert_eq!(j["owners"][0]["username"], "admin");
    assert_eq!(keys(&j["owners"][0]), set(&["id", "username"]));
    let member = &j["members"][0];
    assert_eq!(
        keys(member),
        set(&["id", "joined_at", "last_served", "skills", "username"])
    );
    assert_eq!(member["username"], "ann");
    assert_eq!(member["skills"]["webapp"], 3);
    assert_eq!(
        j["require"],
        serde_json::json!([{"skill_level": "any", "count": 1}])
    );
    assert_eq!(keys(&j["tasks"][0]), set(TASK_KEYS));
    assert_eq!(j["tasks"][0]["users"][0]["username"], "ann");
    assert_eq!(
        keys(&j["autopilot"]),
        set(&["description", "on", "settings"])
    );
}

#[tokio::test]
async fn rotation_show_of_an_unknown_rotation_suggests_the_closest() {
    let t = team().await;
    weekly_ice(&t).await;
    run(&t, "admin", "rotation new SET-web").await;
    run(&t, "admin", "rotation new SET-server").await;
    let out = run(&t, "ann", "rotation show IEC").await;
    assert!(out.contains("No active rotation is called `IEC`"), "{out}");
    assert!(out.contains("Did you mean `ICE`?"), "{out}");
    assert!(
        out.contains("Active rotations: ICE, SET-web, SET-server"),
        "{out}"
    );
    // A unique part of a name is enough; an ambiguous one says which it could be.
    assert!(
        run(&t, "ann", "rotation show web")
            .await
            .starts_with("#### SET-web")
    );
    let out = run(&t, "ann", "rotation show SET").await;
    assert!(
        out.contains("matches several rotations") && out.contains("SET-server"),
        "{out}"
    );
}

#[tokio::test]
async fn rotation_archive_hides_it_and_frees_its_name() {
    let t = team().await;
    weekly_ice(&t).await;
    let out = run(&t, "admin", "rotation archive ICE").await;
    assert!(out.contains("Archived **ICE**"), "{out}");
    assert_eq!(t.archived_rotations().await, ["ICE"]);
    let out = run(&t, "ann", "rotation show ICE").await;
    assert!(out.contains("No active rotation is called `ICE`"), "{out}");
    let out = run(&t, "admin", "rotation archive ICE").await;
    assert!(out.contains("No active rotation"), "{out}");
    let out = run(&t, "admin", "rotation new ICE").await;
    assert!(out.contains("Created rotation **ICE**"), "{out}");
    assert_eq!(t.rotation_names().await, ["ICE", "ICE"]);
    assert_eq!(t.archived_rotations().await, ["ICE"]);
}

#[tokio::test]
async fn rotation_set_require_and_limit_change_new_tasks_only() {
    let t = team().await;
    weekly_ice(&t).await;
    run(&t, "admin", "task new shift ICE --number 0").await;
    let out = run(
        &t,
        "admin",
        "rotation set require ICE --skill webapp-2,server --count 2",
    )
    .await;
    assert!(
        out.contains("New tasks of **ICE** will have at least 2 webapp-▣, at least 2 server-◉"),
        "{out}"
    );
    assert!(out.contains("Existing tasks keep their own needs"), "{out}");
    assert_eq!(
        t.needs_of("ICE").await,
        ["require:any:1", "require:server-1:2", "require:webapp-2:2"]
    );
    let out = run(&t, "admin", "rotation set limit ICE --skill lead --count 1").await;
    assert!(out.contains("at most 1 lead-◉"), "{out}");
    assert!(
        t.needs_of("ICE")
            .await
            .contains(&"limit:lead-1:1".to_string())
    );
    // The existing task kept its needs; a new one gets the new ones.
    let old = json_of(&run(&t, "admin", "task show ICE#0 --json").await);
    assert_eq!(old["require"].as_array().unwrap().len(), 1);
    let new = json_of(&run(&t, "admin", "task new shift ICE --number 1 --json").await);
    assert_eq!(new["require"].as_array().unwrap().len(), 3);
    assert_eq!(
        new["limit"],
        serde_json::json!([{"skill_level": "lead-1", "count": 1}])
    );

    let out = run(
        &t,
        "admin",
        "rotation set require ICE --skill server --clear",
    )
    .await;
    assert!(out.contains("no requirement for server-◉"), "{out}");
    let out = run(
        &t,
        "admin",
        "rotation set limit ICE --skill lead --clear --json",
    )
    .await;
    assert_eq!(json_of(&out)["limit"], serde_json::json!([]));
    let out = fails_unchanged(&t, "admin", "rotation set limit ICE --skill lead --clear").await;
    assert!(out.contains("ICE has no limit for lead-◉"), "{out}");
    let out = fails_unchanged(
        &t,
        "admin",
        "rotation set require ICE --skill any --count 1001",
    )
    .await;
    assert!(out.contains("--count") && out.contains("1001"), "{out}");
    let out = fails_unchanged(
        &t,
        "admin",
        "rotation set require ICE --skill any --count 2 --clear",
    )
    .await;
    assert!(out.contains("--clear") && out.contains("--count"), "{out}");
}

#[tokio::test]
async fn rotation_set_task_and_fill_change_durations_seed_and_fuzz() {
    let t = team().await;
    weekly_ice(&t).await;
    let out = run(
        &t,
        "admin",
        "rotation set task ICE --duration 1h30m --grace 3d",
    )
    .await;
    assert!(
        out.contains("New tasks of **ICE** last 1h30m, with 3d of grace"),
        "{out}"
    );
    let ice = t.rotation("ICE").await;
    assert_eq!(ice.task_duration, 5400);
    assert_eq!(ice.grace, 3 * 86400);
    let task = json_of(&run(&t, "admin", "task new shift ICE --number 0 --json").await);
    assert_eq!(task["finish"], "2030-03-04T09:30:00Z");
    assert_eq!(task["grace"], "3d");
    let out = run(&t, "admin", "rotation set task ICE --duration 0").await;
    assert!(
        out.contains("last a whole period, with 3d of grace"),
        "{out}"
    );

    let out = run(&t, "admin", "rotation set fill ICE --seed 99 --fuzz 5").await;
    assert!(out.contains("fills with seed 99 and fuzz 5"), "{out}");
    let ice = t.rotation("ICE").await;
    assert_eq!((ice.seed, ice.fuzz), (99, 5));
    let out = run(&t, "admin", "rotation set fill ICE --fuzz 1").await;
    assert!(
        out.contains("seed 99 and fuzz 1"),
        "only the given setting changes: {out}"
    );
    let out = fails_unchanged(&t, "admin", "rotation set task ICE --grace soon").await;
    assert!(out.contains("soon"), "{out}");
}

#[tokio::test]
async fn rotation_set_autopilot_changes_only_the_given_settings() {
    let t = team().await;
    weekly_ice(&t).await;
    let out = run(
        &t,
        "admin",
        "rotation set autopilot ICE --create --create-prior 2w --schedule --schedule-prior 3d --start-finish --remind-start --remind-start-prior 1d",
    )
    .await;
    assert!(
        out.starts_with("The autopilot of **ICE** creates shifts 2 weeks ahead"),
        "{out}"
    );
    let ice = t.rotation("ICE").await;
    assert!(ice.ap_create && ice.ap_schedule && ice.ap_start_finish && ice.ap_remind_start);
    assert_eq!(ice.ap_schedule_prior, 3 * 86400);
    // `--create=false` turns one thing off and leaves the rest.
    run(&t, "admin", "rotation set autopilot ICE --create=false").await;
    let ice = t.rotation("ICE").await;
    assert!(!ice.ap_create);
    assert!(ice.ap_schedule);
    let j = json_of(
        &run(
            &t,
            "admin",
            "rotation set autopilot ICE --remind-finish --json",
        )
        .await,
    );
    assert_eq!(j["autopilot"]["settings"]["remind_finish"], true);
    assert_eq!(j["autopilot"]["settings"]["schedule"], true);
    let out = run(&t, "admin", "rotation set autopilot ICE --off").await;
    assert_eq!(out, "The autopilot of **ICE** is off.");
    let ice = t.rotation("ICE").await;
    assert!(
        !(ice.ap_create
            || ice.ap_schedule
            || ice.ap_start_finish
            || ice.ap_remind_start
            || ice.ap_remind_finish),
        "{ice:?}"
    );
    let out = fails_unchanged(&t, "admin", "rotation set autopilot ICE --off --create").await;
    assert!(out.contains("--off"), "{out}");

    run(&t, "admin", "rotation new Support --task-type ticket").await;
    let out = fails_unchanged(&t, "admin", "rotation set autopilot Support --create").await;
    assert!(
        out.contains("Support has tickets") && out.contains("can't create them"),
        "{out}"
    );
}

#[tokio::test]
async fn rotation_owner_add_and_remove_change_who_manages_it() {
    let t = team().await;
    weekly_ice(&t).await;
    let out = run(&t, "ann", "rotation set fill ICE --fuzz 2").await;
    assert!(
        out.contains("Only owners of ICE (@admin) or bot admins"),
        "{out}"
    );

    let out = run(&t, "admin", "rotation owner add ICE @ann @bob").await;
    assert_eq!(
        out,
        "Added @ann, @bob as owners of **ICE**. Owners now: @admin, @ann, @bob."
    );
    assert_eq!(t.owners_of("ICE").await, ["admin", "ann", "bob"]);
    // Now Ann manages ICE, and may add owners herself.
    let out = run(&t, "ann", "rotation set fill ICE --fuzz 2").await;
    assert!(out.contains("fuzz 2"), "{out}");
    let out = run(&t, "ann", "rotation owner remove ICE @bob").await;
    assert_eq!(
        out,
        "Removed @bob from the owners of **ICE**. Owners now: @admin, @ann."
    );
    let out = run(&t, "ann", "rotation owner add ICE @ann").await;
    assert!(out.starts_with("Nothing changed."), "{out}");
    let out = run(&t, "bob", "rotation owner add ICE @bob").await;
    assert!(
        out.contains("Only owners of ICE (@admin, @ann) or bot admins can change its owners"),
        "{out}"
    );
    let out = fails_unchanged(&t, "admin", "rotation owner add ICE @nobody").await;
    assert!(
        out.contains("Mattermost has no active user @nobody"),
        "{out}"
    );
}

#[tokio::test]
async fn rotation_autopilot_runs_now_and_reports_each_step() {
    let t = team().await;
    weekly_ice(&t).await;
    run(&t, "admin", "user join ICE @ann @bob").await;
    run(
        &t,
        "admin",
        "rotation set autopilot ICE --create --create-prior 2w",
    )
    .await;
    let out = run(
        &t,
        "admin",
        "rotation autopilot ICE --now 2030-03-01T12:00Z",
    )
    .await;
    assert!(
        out.starts_with("Ran the autopilot on **ICE** for Fri 2030-03-01 12:00 UTC:"),
        "{out}"
    );
    assert!(out.contains("- create shifts: "), "{out}");
    assert!(out.contains("- fill and schedule: not configured"), "{out}");
    // Shifts starting within two weeks exist now: #0 (Mar 4) and #1 (Mar 11).
    assert_eq!(t.tasks().await, ["ICE#0", "ICE#1"]);
    let j = json_of(
        &run(
            &t,
            "admin",
            "rotation autopilot ICE --now 2030-03-01T12:00Z --json",
        )
        .await,
    );
    assert_eq!(keys(&j), set(&["now", "rotation", "steps"]));
    assert_eq!(keys(&j["steps"][0]), set(&["result", "step"]));
    assert_eq!(
        t.tasks().await,
        ["ICE#0", "ICE#1"],
        "running again adds nothing"
    );

    let out = fails_unchanged(&t, "ann", "rotation autopilot ICE").await;
    assert!(
        out.contains("Only owners of ICE (@admin) or bot admins can run its autopilot"),
        "{out}"
    );
}

#[tokio::test]
async fn autopilot_runs_every_rotation_with_one_line_each_for_bot_admins() {
    let t = team().await;
    weekly_ice(&t).await;
    run(
        &t,
        "admin",
        "rotation new WEB --period weekly --beginning 2030-03-04T09:00Z",
    )
    .await;
    run(
        &t,
        "admin",
        "rotation new Quiet --beginning 2030-03-04T09:00Z",
    )
    .await;
    run(&t, "admin", "user join ICE @ann @bob").await;
    run(&t, "admin", "user join WEB @cat").await;
    for r in ["ICE", "WEB"] {
        let out = run(
            &t,
            "admin",
            &format!("rotation set autopilot {r} --create --create-prior 2w"),
        )
        .await;
        assert!(out.contains("autopilot of"), "{out}");
    }
    let out = run(&t, "admin", "autopilot --now 2030-03-01T12:00Z").await;
    assert!(
        out.starts_with("Ran the autopilot of 2 rotations for Fri 2030-03-01 12:00 UTC:"),
        "{out}"
    );
    assert!(
        out.contains("- **ICE**: create shifts: created ICE#0, ICE#1"),
        "{out}"
    );
    assert!(
        out.contains("- **WEB**: create shifts: created WEB#0, WEB#1"),
        "{out}"
    );
    assert!(!out.contains("Quiet"), "its autopilot is off: {out}");
    assert_eq!(t.tasks().await, ["ICE#0", "ICE#1", "WEB#0", "WEB#1"]);
    // The same path as `rotation autopilot`: running again finds nothing to do.
    let out = run(&t, "admin", "autopilot --now 2030-03-01T12:00Z").await;
    assert!(out.contains("- **ICE**: nothing to do"), "{out}");
    let j = json_of(&run(&t, "admin", "autopilot --now 2030-03-01T12:00Z --json").await);
    assert_eq!(keys(&j), set(&["now", "rotations"]));
    assert_eq!(j["rotations"][0]["rotation"], "ICE");
    // Owners run their own rotation's; everyone else is told who can.
    let out = fails_unchanged(&t, "ann", "autopilot").await;
    assert!(
        out.starts_with("Only bot admins can run every rotation's autopilot"),
        "{out}"
    );
}

#[tokio::test]
async fn a_rotation_of_a_thousand_members_fits_in_mattermost_posts() {
    let t = team().await;
    weekly_ice(&t).await;
    let names: Vec<String> = (0..1000).map(|i| format!("member{i:04}")).collect();
    for n in &names {
        t.mm.add_user(n).time_zone("UTC");
    }
    for chunk in names.chunks(50) {
        let mentions: Vec<String> = chunk.iter().map(|n| format!("@{n}")).collect();
        let out = run(
            &t,
            "admin",
            &format!("user join ICE {}", mentions.join(" ")),
        )
        .await;
        assert!(out.starts_with("Added "), "{out}");
    }
    run(
        &t,
        "admin",
        "rotation set require ICE --skill any --count 600",
    )
    .await;
    run(&t, "admin", "task new shift ICE --number 0").await;
    run(&t, "admin", "task fill ICE#0").await;
    run(&t, "admin", "task schedule ICE#0").await;
    t.deliver().await;
    // Every reply and every DM stays within Mattermost's limit of 16,383 characters a post.
    let limit = 16_383;
    let reply = t.slash("admin", "rotation show ICE").await;
    for part in reply.texts() {
        assert!(
            part.chars().count() <= limit,
            "{} chars",
            part.chars().count()
        );
    }
    let out = reply.text();
    assert!(out.contains("**Members (1000):**"), "{out}");
    assert!(
        out.contains("and 970 more: `/lotto rotation show ICE --members`"),
        "{out}"
    );
    // The full list and the full JSON arrive as several posts.
    for text in ["rotation show ICE --members", "rotation show ICE --json"] {
        let reply = t.slash("admin", text).await;
        let parts = reply.texts();
        assert!(
            parts.len() > 1,
            "`{text}` is one post of {} chars",
            parts[0].len()
        );
        for part in &parts {
            assert!(
                part.chars().count() <= limit,
                "`{text}`: {} chars",
                part.chars().count()
            );
        }
        if text.ends_with("--members") {
            let all = parts.join("\n");
            assert!(all.contains("- @member0000 ") && all.contains("- @member0999 "));
        } else {
            // Each part is a complete code block; their contents together are the JSON.
            let body: String = parts
                .iter()
                .map(|p| {
                    p.strip_prefix("```json\n")
                        .and_then(|p| p.strip_suffix("```"))
                        .unwrap_or_else(|| panic!("not a code block: {p}"))
                })
                .collect();
            let j: serde_json::Value = serde_json::from_str(&body).expect("the parts join to JSON");
            assert_eq!(j["members"].as_array().map(Vec::len), Some(1000));
        }
    }
    let posts = t.mm.posts();
    assert!(posts.len() >= 600, "{} DMs", posts.len());
    for p in &posts {
        assert!(
            p.message.chars().count() <= limit,
            "a DM of {} chars",
            p.message.chars().count()
        );
    }
}
