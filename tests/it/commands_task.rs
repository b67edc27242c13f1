//! `/lotto task …` end to end: creating, filling (and why a fill fails), assigning, moving tasks
//! through their states, and the DMs people get on the way.

use crate::commands_helpers::*;
use crate::support::app::TestApp;

/// ICE with ann, bob and cat as members.
async fn ice_with_members() -> TestApp {
    let t = team().await;
    weekly_ice(&t).await;
    run(&t, "admin", "user join ICE @ann @bob @cat").await;
    t.deliver().await;
    t
}

#[tokio::test]
async fn task_new_shift_creates_the_next_or_the_given_shift() {
    let t = ice_with_members().await;
    // Without --number: the first shift starting at or after now (shift 2 starts 2030-03-18).
    let out = run(&t, "admin", "task new shift ICE --now 2030-03-12T00:00Z").await;
    assert!(
        out.starts_with("Created ICE#2. Fill it by lottery with `/lotto task fill ICE#2`."),
        "{out}"
    );
    assert!(out.contains("#### ICE#2\n- **State:** pending"), "{out}");
    assert!(
        out.contains(
            "**When:** Mon 2030-03-18 08:00 UTC → Mon 2030-03-25 08:00 UTC (UTC, starts in 6 days)"
        ),
        "{out}"
    );
    let out = run(&t, "admin", "task new shift ICE --now 2030-03-12T00:00Z").await;
    assert!(
        out.starts_with("Created ICE#3."),
        "never one before the last created: {out}"
    );
    let out = run(&t, "admin", "task new shift ICE --number 0").await;
    assert!(out.starts_with("Created ICE#0."), "{out}");
    assert_eq!(
        t.tasks_in_state("pending").await,
        ["ICE#0", "ICE#2", "ICE#3"]
    );
    // The rotation's needs were copied to the tasks.
    for task in ["ICE#0", "ICE#2", "ICE#3"] {
        assert_eq!(t.needs_of_task(task).await, ["require:any:1"], "{task}");
    }

    let out = fails_unchanged(&t, "admin", "task new shift ICE --number 0").await;
    assert!(
        out.contains("ICE#0 already exists (pending, 2030-03-04 09:00)"),
        "{out}"
    );
    let out = fails_unchanged(&t, "admin", "task new ticket ICE").await;
    assert!(
        out.contains("ICE has shifts, not tickets: use `/lotto task new shift ICE`"),
        "{out}"
    );
    let out = fails_unchanged(&t, "admin", "task new shift ICE --number -1").await;
    assert!(out.contains("-1") || out.contains("start at 0"), "{out}");
}

#[tokio::test]
async fn task_new_ticket_starts_now_with_a_quoted_summary() {
    let t = team().await;
    run(&t, "admin", "rotation new Support --task-type ticket").await;
    let out = run(
        &t,
        "admin",
        r#"task new ticket Support --summary "database is down" --now 2030-05-05T10:00Z"#,
    )
    .await;
    assert!(out.starts_with("Created Support#1."), "{out}");
    assert!(out.contains("#### Support#1: database is down"), "{out}");
    assert!(
        out.contains("Sun 2030-05-05 10:00 UTC → Sun 2030-05-05 10:30 UTC"),
        "{out}"
    );
    let j = json_of(
        &run(
            &t,
            "admin",
            "task new ticket Support --summary=second --json --now 2030-05-05T11:00Z",
        )
        .await,
    );
    assert_eq!(keys(&j), set(TASK_KEYS));
    assert_eq!(j["id"], "Support#2");
    assert_eq!(j["type"], "ticket");
    assert_eq!(j["summary"], "second");
    assert_eq!(j["start"], "2030-05-05T11:00:00Z");
    assert_eq!(j["expected_duration"], "30m");
    assert_eq!(
        t.task("Support#1").await.summary.as_deref(),
        Some("database is down")
    );
    let out = fails_unchanged(&t, "admin", "task new shift Support").await;
    assert!(out.contains("Support has tickets, not shifts"), "{out}");
}

#[tokio::test]
async fn task_fill_picks_people_who_meet_the_needs() {
    let t = ice_with_members().await;
    run(&t, "admin", "user qualify @bob --skills webapp-3").await;
    run(
        &t,
        "admin",
        "rotation set require ICE --skill webapp-2 --count 1",
    )
    .await;
    run(
        &t,
        "admin",
        "rotation set require ICE --skill any --count 2",
    )
    .await;
    run(&t, "admin", "task new shift ICE --number 0").await;
    let out = run(&t, "admin", "task fill ICE#0").await;
    assert!(out.starts_with("The lottery picked @"), "{out}");
    assert!(
        out.contains("Schedule it with `/lotto task schedule ICE#0`"),
        "{out}"
    );
    let on = t.users_on("ICE#0").await;
    assert_eq!(on.len(), 2, "{on:?}");
    assert!(
        on.contains(&"bob".to_string()),
        "webapp-2 needs Bob: {on:?}"
    );
    for name in &on {
        assert!(out.contains(&format!("@{name}")), "{out}");
    }
    assert!(
        out.contains("✅ at least 2 any (has 2); ✅ at least 1 webapp-▣ (has 1)"),
        "{out}"
    );
    // Filling a full task adds nobody; filling a scheduled one is refused.
    let out = run(&t, "admin", "task fill ICE#0").await;
    assert!(
        out.starts_with("ICE#0 already had everyone it needs; nobody was added."),
        "{out}"
    );
    run(&t, "admin", "task schedule ICE#0").await;
    let out = fails_unchanged(&t, "admin", "task fill ICE#0").await;
    assert!(
        out.contains("ICE#0 is scheduled: only pending tasks are filled")
            && out.contains("/lotto task assign ICE#0 @someone"),
        "{out}"
    );
}

#[tokio::test]
async fn a_fill_that_fails_names_the_need_and_the_unavailable() {
    let t = ice_with_members().await;
    run(&t, "admin", "user qualify @ann --skills webapp-2").await;
    run(
        &t,
        "admin",
        "rotation set require ICE --skill webapp-2 --count 1",
    )
    .await;
    run(&t, "admin", "task new shift ICE --number 0").await;
    run(
        &t,
        "ann",
        "user unavailable --start 2030-03-01 --finish 2030-03-06",
    )
    .await;
    let out = fails_unchanged(&t, "admin", "task fill ICE#0").await;
    assert!(out.starts_with("Couldn't fill ICE#0:"), "{out}");
    assert!(out.contains("it needs 1 more webapp-▣"), "{out}");
    assert!(out.contains("Nobody was assigned"), "{out}");
    assert!(out.contains("- @ann: unavailable (personal)"), "{out}");
    assert!(out.contains("2 available members lack webapp-▣"), "{out}");
    assert!(
        out.contains("/lotto user unavailable --clear"),
        "a way out: {out}"
    );
}

#[tokio::test]
async fn a_fill_that_fails_names_people_in_grace() {
    let t = ice_with_members().await;
    run(&t, "admin", "rotation set task ICE --grace 3w").await;
    run(
        &t,
        "admin",
        "rotation set require ICE --skill any --count 2",
    )
    .await;
    run(&t, "admin", "task new shift ICE --number 0").await;
    run(&t, "admin", "task assign ICE#0 @ann @bob").await;
    run(&t, "admin", "task new shift ICE --number 1").await;
    let out = fails_unchanged(&t, "admin", "task fill ICE#1").await;
    // Cat is free; Ann and Bob served ICE#0 and are in grace.
    assert!(
        out.contains("it needs 2 more any and only 1 eligible member qualifies"),
        "{out}"
    );
    assert!(out.contains("- @ann: in grace after ICE#0"), "{out}");
    assert!(out.contains("- @bob: in grace after ICE#0"), "{out}");
    // Three weeks after 09:00 CET is 09:00 CEST: grace keeps the wall clock across the DST change.
    assert!(out.contains("until 2030-04-01 07:00 UTC"), "{out}");
    assert!(out.contains("--grace 0"), "a way out: {out}");
}

#[tokio::test]
async fn a_fill_that_fails_names_people_busy_on_another_rotation() {
    let t = ice_with_members().await;
    run(
        &t,
        "admin",
        "rotation new WEB --beginning 2030-03-04T09:00 --tz Europe/Berlin",
    )
    .await;
    run(&t, "admin", "task new shift WEB --number 0").await;
    run(&t, "admin", "task assign WEB#0 @ann @bob").await;
    run(
        &t,
        "admin",
        "rotation set require ICE --skill any --count 2",
    )
    .await;
    run(&t, "admin", "task new shift ICE --number 0").await;
    let out = fails_unchanged(&t, "admin", "task fill ICE#0").await;
    assert!(
        out.contains("it needs 2 more any and only 1 eligible member qualifies"),
        "{out}"
    );
    assert!(out.contains("- @ann: busy on WEB#0"), "{out}");
    assert!(out.contains("- @bob: busy on WEB#0"), "{out}");
    assert!(
        out.contains("2030-03-04 08:00 UTC to 2030-03-11 08:00 UTC"),
        "{out}"
    );
}

#[tokio::test]
async fn a_fill_that_fails_names_people_over_a_limit() {
    let t = ice_with_members().await;
    run(&t, "admin", "user qualify @ann @bob @cat --skills lead").await;
    run(
        &t,
        "admin",
        "rotation set require ICE --skill any --count 2",
    )
    .await;
    run(&t, "admin", "rotation set limit ICE --skill lead --count 1").await;
    run(&t, "admin", "task new shift ICE --number 0").await;
    let out = fails_unchanged(&t, "admin", "task fill ICE#0").await;
    assert!(out.contains("it needs 1 more any"), "{out}");
    assert!(out.contains("would exceed the limit of 1 lead-◉"), "{out}");
    assert!(out.contains("relax the limit on lead-◉"), "{out}");
}

#[tokio::test]
async fn task_assign_and_unassign_by_hand_respect_limits_unless_forced() {
    let t = ice_with_members().await;
    run(&t, "admin", "user qualify @ann @bob --skills lead").await;
    run(&t, "admin", "rotation set limit ICE --skill lead --count 1").await;
    run(&t, "admin", "task new shift ICE --number 0").await;
    let out = run(&t, "admin", "task assign ICE#0 @ann").await;
    assert!(out.starts_with("Assigned @ann to ICE#0."), "{out}");
    assert!(out.contains("**Who:** @ann (lead-◉)"), "{out}");
    let out = fails_unchanged(&t, "admin", "task assign ICE#0 @bob").await;
    assert!(
        out.contains(
            "Can't assign to ICE#0. Adding @bob would put the task over its limit of 1 lead-◉"
        ) && out.contains("--force"),
        "{out}"
    );
    let out = fails_unchanged(&t, "admin", "task assign ICE#0 @ann").await;
    assert_eq!(out, "@ann is already on ICE#0.");
    let out = run(&t, "admin", "task assign ICE#0 @bob --force").await;
    assert!(out.starts_with("Assigned @bob to ICE#0."), "{out}");
    assert!(out.contains("⚠️ at most 1 lead-◉ (has 2)"), "{out}");
    assert_eq!(t.users_on("ICE#0").await, ["ann", "bob"]);

    let out = run(&t, "admin", "task unassign ICE#0 @bob").await;
    assert!(out.starts_with("Took @bob off ICE#0."), "{out}");
    let out = fails_unchanged(&t, "admin", "task unassign ICE#0 @cat").await;
    assert_eq!(out, "@cat is not on ICE#0.");
    let out = fails_unchanged(&t, "admin", "task assign ICE#0 @nobody").await;
    assert!(
        out.contains("Mattermost has no active user @nobody"),
        "{out}"
    );
    // A pending task's people are not told anything yet.
    t.deliver().await;
    assert_eq!(t.mm.dms_to("bob").len(), 1, "only the welcome");

    // Once scheduled, changes need --force and the person hears about it.
    run(&t, "admin", "task schedule ICE#0").await;
    let out = fails_unchanged(&t, "admin", "task unassign ICE#0 @ann").await;
    assert!(out.contains("ICE#0:") && out.contains("--force"), "{out}");
    assert!(!out.contains("<task>"), "{out}");
    run(&t, "admin", "task unassign ICE#0 @ann --force").await;
    t.deliver().await;
    let ann = t.mm.dms_to("ann");
    let off = ann.last().unwrap();
    assert!(off.starts_with("#### You're off ICE#0"), "{off}");
    assert!(off.contains("@admin took you off **ICE#0** (ICE)"), "{off}");
    assert!(
        off.contains("Mon 2030-03-04 09:00 CET → Mon 2030-03-11 09:00 CET (Europe/Berlin)"),
        "{off}"
    );
    // Someone added to a scheduled task is told like the others were.
    run(&t, "admin", "task assign ICE#0 @cat --force").await;
    t.deliver().await;
    let cat = t.mm.dms_to("cat");
    assert!(
        cat.last().unwrap().starts_with("#### You're on ICE#0"),
        "{cat:?}"
    );
}

#[tokio::test]
async fn a_task_moves_from_pending_to_finished_and_its_people_hear_each_step() {
    let t = ice_with_members().await;
    run(
        &t,
        "admin",
        "rotation set require ICE --skill any --count 2",
    )
    .await;
    run(&t, "admin", "rotation set task ICE --grace 2d").await;
    run(&t, "admin", "task new shift ICE --number 0").await;
    run(&t, "admin", "task assign ICE#0 @ann @bob").await;

    let out = run(&t, "admin", "task schedule ICE#0 --now 2030-03-01T08:00Z").await;
    assert!(
        out.starts_with("ICE#0 is now **scheduled**. The people on it will get a DM."),
        "{out}"
    );
    let out = fails_unchanged(&t, "admin", "task schedule ICE#0").await;
    assert!(
        out.contains("ICE#0: the task is already scheduled"),
        "{out}"
    );
    let out = run(&t, "admin", "task start ICE#0 --now 2030-03-04T08:00Z").await;
    assert!(out.starts_with("ICE#0 is now **started**."), "{out}");
    let out = run(&t, "admin", "task finish ICE#0 --now 2030-03-11T08:00Z").await;
    assert!(out.starts_with("ICE#0 is now **finished**."), "{out}");
    let task = t.task("ICE#0").await;
    assert_eq!(task.state, "finished");
    assert_eq!(task.actual_start, Some(ts("2030-03-04T08:00:00Z")));
    assert_eq!(task.actual_finish, Some(ts("2030-03-11T08:00:00Z")));
    let out = fails_unchanged(&t, "admin", "task start ICE#0").await;
    assert!(out.starts_with("ICE#0: "), "{out}");

    t.deliver().await;
    let ann = t.mm.dms_to("ann");
    let bob = t.mm.dms_to("bob");
    assert_eq!(
        ann.len(),
        4,
        "welcome, scheduled, started, finished: {ann:#?}"
    );
    assert_eq!(bob.len(), 4, "{bob:#?}");
    // Scheduled: which task, when in the recipient's zone, who else, the rotation, its owners.
    let s = &ann[1];
    assert!(
        s.starts_with("#### You're on ICE#0\n@admin scheduled **ICE#0** (ICE)."),
        "{s}"
    );
    assert!(s.contains("**When:** Mon 2030-03-04 09:00 CET → Mon 2030-03-11 09:00 CET (Europe/Berlin), starts in 3 days"), "{s}");
    assert!(s.contains("**With:** @bob"), "{s}");
    assert!(s.contains("Tell an owner of ICE (@admin)"), "{s}");
    let s = &bob[1];
    assert!(
        s.contains("Mon 2030-03-04 03:00 EST → Mon 2030-03-11 04:00 EDT (America/New_York)"),
        "{s}"
    );
    assert!(s.contains("**With:** @ann"), "{s}");
    // Started and finished.
    let s = &ann[2];
    assert!(
        s.starts_with("#### ICE#0 has started\n@admin started **ICE#0** (ICE)."),
        "{s}"
    );
    assert!(
        s.contains("until Mon 2030-03-11 09:00 CET (Europe/Berlin), in 7 days"),
        "{s}"
    );
    assert!(s.contains("**With:** @bob"), "{s}");
    let s = &bob[3];
    assert!(
        s.starts_with(
            "#### ICE#0 is finished\n@admin finished **ICE#0** (ICE) at Mon 2030-03-11 04:00 EDT"
        ),
        "{s}"
    );
    assert!(
        s.contains("2d of grace, until Wed 2030-03-13 04:00 EDT"),
        "{s}"
    );
    for m in ann.iter().chain(&bob) {
        assert!(
            !m.contains("{{") && !m.contains("<task>"),
            "no placeholders: {m}"
        );
    }
    // Each post carries its outbox key as pending_post_id; nothing is sent twice.
    t.deliver().await;
    let posts = t.mm.dm_posts_to("ann");
    assert_eq!(posts.len(), 4);
    let keys: Vec<String> = t
        .outbox_to("ann")
        .await
        .into_iter()
        .map(|m| m.key)
        .collect();
    let sent: Vec<String> = posts.iter().map(|p| p.pending_post_id.clone()).collect();
    assert_eq!(sent, keys);
    assert!(sent.iter().all(|k| !k.is_empty()));
    let outbox = t.outbox().await;
    assert_eq!((outbox.pending, outbox.failed), (0, 0), "{outbox:?}");
}

#[tokio::test]
async fn scheduling_an_unfilled_task_needs_force() {
    let t = ice_with_members().await;
    run(&t, "admin", "task new shift ICE --number 0").await;
    let out = fails_unchanged(&t, "admin", "task schedule ICE#0").await;
    assert!(
        out.contains("ICE#0 can't be scheduled yet: the task still needs 1 any")
            && out.contains("`/lotto task fill ICE#0`")
            && out.contains("--force"),
        "{out}"
    );
    let out = run(&t, "admin", "task schedule ICE#0 --force").await;
    assert!(out.starts_with("ICE#0 is now **scheduled**."), "{out}");
    assert!(!out.contains("will get a DM"), "nobody to tell: {out}");
}

#[tokio::test]
async fn task_show_and_list_read_in_the_readers_zone() {
    let t = ice_with_members().await;
    run(&t, "admin", "task new shift ICE --number 0").await;
    run(&t, "admin", "task new shift ICE --number 1").await;
    run(&t, "admin", "task assign ICE#0 @ann").await;
    let out = run(&t, "bob", "task show ICE#0").await;
    assert!(out.starts_with("#### ICE#0\n- **State:** pending"), "{out}");
    assert!(
        out.contains(
            "**When:** Mon 2030-03-04 03:00 EST → Mon 2030-03-11 04:00 EDT (America/New_York"
        ),
        "{out}"
    );
    assert!(out.contains("**Who:** @ann (no skills)"), "{out}");
    assert!(out.contains("✅ at least 1 any (has 1)"), "{out}");
    let j = json_of(&run(&t, "bob", "task show ICE#0 --json").await);
    assert_eq!(keys(&j), set(TASK_KEYS));
    assert_eq!(keys(&j["users"][0]), set(&["id", "skills", "username"]));
    assert_eq!(j["start"], "2030-03-04T08:00:00Z");

    let out = run(&t, "ann", "task list ICE").await;
    assert!(
        out.starts_with("Tasks of **ICE** (times in Europe/Berlin):"),
        "{out}"
    );
    assert!(
        out.contains(
            "- **ICE#0** · Mon 2030-03-04 09:00 CET → Mon 2030-03-11 09:00 CET · pending · @ann"
        ),
        "{out}"
    );
    assert!(
        out.contains(
            "- **ICE#1** · Mon 2030-03-11 09:00 CET → Mon 2030-03-18 09:00 CET · pending · nobody yet"
        ),
        "{out}"
    );
    assert!(
        !out.contains('|'),
        "no tables: they wrap badly on phones: {out}"
    );
    // Finished tasks only with --all.
    run(&t, "admin", "task schedule ICE#0").await;
    run(&t, "admin", "task start ICE#0 --now 2030-03-04T08:00Z").await;
    run(&t, "admin", "task finish ICE#0 --now 2030-03-11T08:00Z").await;
    let out = run(&t, "ann", "task list ICE").await;
    assert!(!out.contains("ICE#0"), "{out}");
    let out = run(&t, "ann", "task list ICE --all").await;
    assert!(
        out.contains("- **ICE#0** · ") && out.contains("finished"),
        "{out}"
    );
    let list = json_of(&run(&t, "ann", "task list ICE --all --json").await);
    assert_eq!(list.as_array().unwrap().len(), 2);
    assert_eq!(keys(&list[0]), set(TASK_KEYS));

    let out = run(&t, "ann", "task show ICE#9").await;
    assert_eq!(
        out,
        "ICE has no task #9. See its tasks with `/lotto task list ICE`."
    );
    let out = run(&t, "ann", "task show ICE").await;
    assert!(out.contains("ICE#3"), "shows the form a task takes: {out}");
    run(&t, "admin", "rotation new Empty").await;
    let out = run(&t, "ann", "task list Empty").await;
    assert!(
        out.contains("Empty has no open tasks. Create one with `/lotto task new shift Empty`"),
        "{out}"
    );
}
