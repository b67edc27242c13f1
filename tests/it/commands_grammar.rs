//! What a user types, as the bot reads it: help at every level, what was not understood (with
//! the usage and a "did you mean"), quoting, and @mentions resolved with or without the
//! request's mention fields.

use crate::commands_helpers::*;
use crate::support::fake_mattermost::RouteKind;
use solar_lottery::command::usage;
use solar_lottery::mattermost::ResponseType;

/// Every group, with the subcommands its help must list one line each.
const GROUPS: &[(&[&str], &[&str])] = &[
    (&[], &["info", "rotation", "task", "user", "skill", "help"]),
    (
        &["rotation"],
        &[
            "new",
            "list",
            "show",
            "archive",
            "autopilot",
            "set",
            "owner",
        ],
    ),
    (
        &["rotation", "set"],
        &["autopilot", "fill", "require", "limit", "task"],
    ),
    (&["rotation", "owner"], &["add", "remove"]),
    (
        &["task"],
        &[
            "new", "assign", "unassign", "fill", "schedule", "start", "finish", "show", "list",
        ],
    ),
    (&["task", "new"], &["shift", "ticket"]),
    (
        &["user"],
        &[
            "join",
            "leave",
            "qualify",
            "disqualify",
            "show",
            "unavailable",
        ],
    ),
    (&["skill"], &["list", "new", "delete"]),
];

#[tokio::test]
async fn help_at_every_level_lists_one_line_per_subcommand() {
    let t = team().await;
    for (path, subcommands) in GROUPS {
        let expected = usage(path).unwrap();
        let joined = path.join(" ");
        // `help <group>`, the bare group, and `<group> help` all print that level's usage.
        for text in [
            format!("help {joined}"),
            joined.clone(),
            format!("{joined} help"),
            format!("{joined} --help"),
        ] {
            let reply = t.slash("ann", text.trim()).await;
            assert_eq!(reply.ok().response_type, ResponseType::Ephemeral);
            assert_eq!(reply.text(), expected, "`{text}`");
        }
        for sub in *subcommands {
            let line = if path.is_empty() {
                format!("- `/lotto {sub}")
            } else {
                format!("- `/lotto {joined} {sub}")
            };
            let count = expected.lines().filter(|l| l.starts_with(&line)).count();
            assert_eq!(
                count, 1,
                "`{line}` once in the help of `{joined}`:\n{expected}"
            );
        }
    }
}

#[tokio::test]
async fn help_for_a_command_shows_its_syntax_and_flags() {
    let t = team().await;
    let leaves: &[&[&str]] = &[
        &["rotation", "new"],
        &["rotation", "list"],
        &["rotation", "show"],
        &["rotation", "archive"],
        &["rotation", "autopilot"],
        &["rotation", "set", "autopilot"],
        &["rotation", "set", "fill"],
        &["rotation", "set", "require"],
        &["rotation", "set", "limit"],
        &["rotation", "set", "task"],
        &["rotation", "owner", "add"],
        &["rotation", "owner", "remove"],
        &["task", "new", "shift"],
        &["task", "new", "ticket"],
        &["task", "assign"],
        &["task", "unassign"],
        &["task", "fill"],
        &["task", "schedule"],
        &["task", "start"],
        &["task", "finish"],
        &["task", "show"],
        &["task", "list"],
        &["user", "join"],
        &["user", "leave"],
        &["user", "qualify"],
        &["user", "disqualify"],
        &["user", "show"],
        &["user", "unavailable"],
        &["skill", "list"],
        &["skill", "new"],
        &["skill", "delete"],
        &["info"],
    ];
    for path in leaves {
        let joined = path.join(" ");
        let expected = usage(path).unwrap();
        assert!(
            expected.starts_with(&format!("**`/lotto {joined}")),
            "{joined}: {expected}"
        );
        assert_eq!(t.run("ann", &format!("help {joined}")).await, expected);
        assert_eq!(t.run("ann", &format!("{joined} --help")).await, expected);
        assert_eq!(t.run("ann", &format!("{joined} -h")).await, expected);
    }
    // An empty command is the top-level help.
    assert_eq!(t.run("ann", "").await, usage(&[]).unwrap());
    let new = usage(&["rotation", "new"]).unwrap();
    for flag in [
        "--period",
        "--beginning",
        "--task-type",
        "--seed",
        "--fuzz",
        "--tz",
    ] {
        assert!(new.contains(flag), "{flag}: {new}");
    }
}

#[tokio::test]
async fn an_unknown_command_says_what_and_suggests_with_the_usage() {
    let t = team().await;
    let cases: &[(&str, &str, &[&str])] = &[
        (
            "rotaton list",
            "`rotaton` is not a command of `/lotto`. Did you mean `rotation`?",
            &[],
        ),
        (
            "rotation shwo ICE",
            "`shwo` is not a command of `/lotto rotation`. Did you mean `show`?",
            &["rotation"],
        ),
        ("task fil ICE#1", "Did you mean `fill`?", &["task"]),
        ("user unavailible", "Did you mean `unavailable`?", &["user"]),
        ("hlep", "Did you mean `help`?", &[]),
    ];
    for (text, says, level) in cases {
        let out = fails_unchanged(&t, "ann", text).await;
        assert!(
            out.lines().next().unwrap().contains(says),
            "`{text}`: {out}"
        );
        assert!(
            out.ends_with(&usage(level).unwrap()),
            "`{text}` shows its level's usage: {out}"
        );
    }
    let out = t.run("ann", "frobnicate").await;
    assert!(
        out.starts_with("`frobnicate` is not a command of `/lotto`."),
        "{out}"
    );
    assert!(!out.contains("Did you mean"), "nothing close: {out}");
}

#[tokio::test]
async fn an_unknown_flag_says_what_and_suggests_with_the_usage() {
    let t = team().await;
    weekly_ice(&t).await;
    let cases = [
        (
            "rotation new X --peroid weekly",
            "`--peroid` is not a flag of `/lotto rotation new`. Did you mean `--period`?",
            &["rotation", "new"][..],
        ),
        (
            "task list ICE --al",
            "`--al` is not a flag of `/lotto task list`. Did you mean `--all`?",
            &["task", "list"][..],
        ),
        ("info --jsno", "Did you mean `--json`?", &["info"][..]),
        (
            "rotation set autopilot ICE --remind-strat",
            "Did you mean `--remind-start`?",
            &["rotation", "set", "autopilot"][..],
        ),
    ];
    for (text, says, level) in cases {
        let out = fails_unchanged(&t, "admin", text).await;
        assert!(
            out.lines().next().unwrap().contains(says),
            "`{text}`: {out}"
        );
        assert!(out.ends_with(&usage(level).unwrap()), "`{text}`: {out}");
    }
    // Missing positionals and extra words are named too.
    let out = fails_unchanged(&t, "admin", "rotation show").await;
    assert!(
        out.starts_with("`/lotto rotation show` needs a rotation"),
        "{out}"
    );
    let out = fails_unchanged(&t, "admin", "rotation show ICE extra").await;
    assert!(out.contains("`extra`"), "{out}");
    let out = fails_unchanged(&t, "admin", "task fill ICE").await;
    assert!(out.contains("ICE#3"), "shows how a task is written: {out}");
}

#[tokio::test]
async fn quoted_values_keep_their_spaces_and_quotes() {
    let t = team().await;
    run(&t, "admin", "rotation new Support --task-type ticket").await;
    let cases = [
        (r#"--summary "two words""#, "two words"),
        (r#"--summary="equals = fine""#, "equals = fine"),
        (r#"--summary "say \"hi\" twice""#, r#"say "hi" twice"#),
    ];
    for (flag, stored) in cases {
        let j = json_of(
            &run(
                &t,
                "admin",
                &format!("task new ticket Support {flag} --json"),
            )
            .await,
        );
        assert_eq!(j["summary"], stored, "{flag}");
    }
    let out = fails_unchanged(
        &t,
        "admin",
        r#"task new ticket Support --summary "never closed"#,
    )
    .await;
    assert!(
        out.starts_with("The quote that opens `\"never closed` is never closed."),
        "{out}"
    );
    let long = "x".repeat(201);
    let out = fails_unchanged(
        &t,
        "admin",
        &format!("task new ticket Support --summary {long}"),
    )
    .await;
    assert!(
        out.contains("the summary is 201 characters long; the limit is 200"),
        "{out}"
    );
    let huge = "a ".repeat(3000);
    let out = fails_unchanged(&t, "admin", &huge).await;
    assert!(out.contains("4096") || out.contains("too long"), "{out}");
}

#[tokio::test]
async fn mentions_resolve_through_the_requests_mention_fields() {
    let t = team().await;
    weekly_ice(&t).await;
    let before_names = t.mm.request_count(RouteKind::GetUsersByUsernames);
    let out = run(&t, "admin", "user join ICE @ann @BOB").await;
    assert_eq!(out, "Added @ann and @bob to **ICE**.");
    assert_eq!(
        t.mm.request_count(RouteKind::GetUsersByUsernames),
        before_names,
        "ids came with the request"
    );
    // A second time the profiles are cached: no Mattermost call at all.
    let by_ids = t.mm.request_count(RouteKind::GetUsersByIds);
    run(&t, "admin", "user show @ann @bob").await;
    assert_eq!(t.mm.request_count(RouteKind::GetUsersByIds), by_ids);
}

#[tokio::test]
async fn mentions_without_mention_fields_are_looked_up_by_username() {
    let t = team().await;
    weekly_ice(&t).await;
    let admin = t.mm.user("admin");
    let url = t.slash_url();
    let token = t.mm.slash_token();
    let raw = |text: &'static str| {
        vec![
            ("token", token.clone()),
            ("user_id", admin.id().to_string()),
            ("user_name", "admin".to_string()),
            ("command", "/lotto".to_string()),
            ("text", text.to_string()),
        ]
    };
    let send = |fields: Vec<(&'static str, String)>| {
        let url = url.clone();
        let mm = &t.mm;
        async move {
            let f: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
            mm.slash_raw(&url, &f).await
        }
    };
    let reply = send(raw("user join ICE @ann @cat")).await;
    assert_eq!(reply.text(), "Added @ann and @cat to **ICE**.");
    assert!(t.mm.request_count(RouteKind::GetUsersByUsernames) >= 1);
    assert_eq!(t.members_of("ICE").await, ["ann", "cat"]);
    t.deliver().await;
    assert_eq!(
        t.mm.dms_to("cat").len(),
        1,
        "the looked-up user is the real one"
    );

    let before = delivered_snapshot(&t).await;
    let reply = send(raw("user join ICE @ghost @bob")).await;
    assert_eq!(
        reply.text(),
        "Mattermost has no active user @ghost (check the spelling; deactivated users can't be used)."
    );
    assert_eq!(
        delivered_snapshot(&t).await,
        before,
        "Bob was not added either"
    );
    t.mm.user("bob").deactivated();
    let reply = send(raw("user join ICE @bob")).await;
    assert!(
        reply.text().contains("no active user @bob"),
        "{}",
        reply.text()
    );
}

#[tokio::test]
async fn names_numbers_and_counts_have_sane_limits() {
    let t = team().await;
    weekly_ice(&t).await;
    let long = "R".repeat(65);
    let out = fails_unchanged(&t, "admin", &format!("rotation new {long}")).await;
    assert!(out.contains("use 1–64 letters"), "{out}");
    assert!(
        run(&t, "admin", &format!("rotation new {}", "R".repeat(64)))
            .await
            .starts_with("Created rotation")
    );
    let out = fails_unchanged(&t, "admin", "task new shift ICE --number 1000000001").await;
    assert!(out.contains("1000000001"), "{out}");
    assert!(!out.starts_with("Created"), "{out}");
    let out = fails_unchanged(&t, "admin", "rotation new X --fuzz 101").await;
    assert!(out.contains("101"), "{out}");
    let out = fails_unchanged(&t, "admin", "task show ICE#99999999999999999999").await;
    assert!(out.contains("out of range"), "{out}");
    let many = "@ann ".repeat(101);
    let out = fails_unchanged(&t, "admin", &format!("user join ICE {many}")).await;
    assert!(out.contains("100"), "{out}");
}
