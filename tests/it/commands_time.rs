//! Time zones, `--now` and `--json` across commands: input is read in the actor's Mattermost zone
//! unless it names one, output is shown in the reader's zone, JSON is UTC RFC 3339.

use crate::commands_helpers::*;

#[tokio::test]
async fn input_times_are_read_in_the_actors_zone_unless_they_name_one() {
    let t = team().await;
    t.mm.add_user("ravi").automatic_time_zone("Asia/Kolkata");
    t.mm.add_user("nozone");
    let cases = [
        // (user, start as typed, expected UTC)
        ("ann", "2031-01-10T09:00", "2031-01-10T08:00:00Z"),
        ("ann", "2031-07-10T09:00", "2031-07-10T07:00:00Z"),
        ("bob", "2031-01-10T09:00", "2031-01-10T14:00:00Z"),
        ("ravi", "2031-01-10T09:00", "2031-01-10T03:30:00Z"),
        ("nozone", "2031-01-10T09:00", "2031-01-10T09:00:00Z"),
        ("bob", "2031-01-10T09:00Z", "2031-01-10T09:00:00Z"),
        ("bob", "2031-01-10T09:00+02:00", "2031-01-10T07:00:00Z"),
        (
            "bob",
            "2031-01-10T09:00[Asia/Tokyo]",
            "2031-01-10T00:00:00Z",
        ),
        ("ann", "2031-01-10", "2031-01-09T23:00:00Z"),
    ];
    for (user, start, utc) in cases {
        let out = run(
            &t,
            user,
            &format!(r#"user unavailable --start "{start}" --finish 2032-01-01T00:00Z"#),
        )
        .await;
        assert!(out.contains("is unavailable from"), "{user} {start}: {out}");
        let (stored_start, _) = *t.time_off_of(user).await.last().unwrap();
        assert_eq!(stored_start, ts(utc), "{user} typed {start}");
    }
    // Replies show the actor's own zone.
    let out = run(
        &t,
        "ravi",
        "user unavailable --start 2031-02-01T09:00 --finish 2031-02-01T10:00",
    )
    .await;
    assert!(
        out.contains("from Sat 2031-02-01 09:00 IST to Sat 2031-02-01 10:00 IST (Asia/Kolkata)"),
        "{out}"
    );
    let out = run(&t, "nozone", "info").await;
    assert!(out.contains("times are shown in UTC"), "{out}");
}

#[tokio::test]
async fn output_is_in_the_readers_zone_and_json_in_utc() {
    let t = team().await;
    weekly_ice(&t).await;
    run(&t, "admin", "task new shift ICE --number 0").await;
    let shown = [
        ("ann", "Mon 2030-03-04 09:00 CET"),
        ("bob", "Mon 2030-03-04 03:00 EST"),
        ("cat", "Mon 2030-03-04 08:00 UTC"),
    ];
    for (user, when) in shown {
        let out = run(&t, user, "task show ICE#0").await;
        assert!(out.contains(&format!("**When:** {when}")), "{user}: {out}");
        let j = json_of(&run(&t, user, "task show ICE#0 --json").await);
        assert_eq!(
            j["start"], "2030-03-04T08:00:00Z",
            "JSON is the same for everyone"
        );
    }
}

#[tokio::test]
async fn now_makes_an_admin_act_at_another_time() {
    let t = team().await;
    weekly_ice(&t).await;
    // Relative times and "the next shift" follow --now, read in the admin's zone (UTC).
    let out = run(&t, "admin", "task new shift ICE --now 2030-03-20T12:00").await;
    assert!(out.starts_with("Created ICE#3."), "{out}");
    assert!(out.contains("starts in 4 days"), "{out}");
    let out = run(&t, "admin", "task show ICE#3 --now=2030-03-25T09:00Z").await;
    assert!(out.contains("ends in 6 days"), "{out}");
    let out = run(&t, "admin", "user join ICE @ann --now 2030-01-01T00:00Z").await;
    assert!(out.starts_with("Added @ann"), "{out}");
    assert_eq!(t.joined_at("ICE", "ann").await, ts("2030-01-01T00:00:00Z"));
    let out = run(&t, "admin", "info --now tomorrow").await;
    assert!(out.starts_with("**Solar Lottery**"), "{out}");
    let out = fails_unchanged(&t, "admin", "info --now someday").await;
    assert!(
        out.contains("`--now`") && out.contains("`someday`"),
        "{out}"
    );
    let out = fails_unchanged(&t, "ann", "rotation show ICE --now 2030-01-01").await;
    assert_eq!(
        out,
        "Only bot admins can use `--now` (it makes the bot act as if it were another time)."
    );
}

#[tokio::test]
async fn json_works_on_every_kind_of_command() {
    let t = team().await;
    weekly_ice(&t).await;
    let j = json_of(&run(&t, "admin", "rotation new WEB --json").await);
    assert_eq!(j["name"], "WEB");
    let j = json_of(&run(&t, "admin", "user join ICE @ann --json").await);
    assert_eq!(keys(&j), set(&["added", "joined_at", "rotation"]));
    assert_eq!(j["added"][0]["username"], "ann");
    let j = json_of(&run(&t, "admin", "user leave ICE @ann --json").await);
    assert_eq!(keys(&j), set(&["removed", "rotation"]));
    let j = json_of(&run(&t, "ann", "user qualify --skills webapp-2 --json").await);
    assert_eq!(keys(&j[0]), set(PERSON_KEYS));
    let j = json_of(&run(&t, "admin", "rotation owner add ICE @ann --json").await);
    assert_eq!(keys(&j), set(&["owners", "rotation"]));
    let j = json_of(&run(&t, "admin", "rotation archive WEB --json").await);
    assert_eq!(j["archived"], true);
    let j = json_of(&run(&t, "admin", "skill new db --json").await);
    assert_eq!(j, serde_json::json!({"name": "db"}));
    let j = json_of(&run(&t, "ann", "help task --json").await);
    assert_eq!(keys(&j), set(&["help", "topic"]));
    assert_eq!(j["topic"], serde_json::json!(["task"]));
    // `--json=false` is plain text; a failure is a sentence, not JSON.
    assert!(
        run(&t, "ann", "info --json=false")
            .await
            .starts_with("**Solar Lottery**")
    );
    let out = run(&t, "ann", "rotation show NOPE --json").await;
    assert!(
        out.starts_with("No active rotation is called `NOPE`"),
        "{out}"
    );
}
