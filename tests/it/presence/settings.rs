//! `rotation set presence` and `rotation set oncall-status`: owners only, and bad input is a clear
//! error that changes nothing.

use super::on_call_app;

#[tokio::test]
async fn bad_presence_and_oncall_settings_are_refused_and_change_nothing() {
    let app = on_call_app().await;
    app.mm.add_user("mallory").time_zone("UTC");
    app.mm.add_channel("secret", true, &["olga"]);
    app.mm
        .add_channel("bot-room", true, &["olga", "solar-lottery"]);
    app.mm.add_channel("old", false, &[]);
    app.mm.archive_channel("old");
    let before = app.snapshot().await;
    let long = "x".repeat(101);
    let cases: Vec<(&str, String, &str)> = vec![
        (
            "olga",
            "rotation set presence NOPE --absent-after 15m".into(),
            "No active rotation is called `NOPE`",
        ),
        (
            "olga",
            "rotation set presence ICE --absent-after 30s".into(),
            "out of range: use from 1m to 7d",
        ),
        (
            "olga",
            "rotation set presence ICE --absent-after 8d".into(),
            "out of range: use from 1m to 7d",
        ),
        (
            "olga",
            "rotation set presence ICE --absent-after 15m --channel ~nowhere".into(),
            "There is no channel ~nowhere",
        ),
        (
            "olga",
            "rotation set presence ICE --absent-after 15m --channel ~secret".into(),
            "There is no channel ~secret",
        ),
        (
            "olga",
            "rotation set presence ICE --absent-after 15m --channel ~old".into(),
            "~old is archived",
        ),
        (
            "mallory",
            "rotation set presence ICE --absent-after 15m".into(),
            "Only owners of ICE",
        ),
        (
            "olga",
            "rotation set oncall-status ICE --emoji no_such_emoji --text x".into(),
            "doesn't know the emoji `:no_such_emoji:`",
        ),
        (
            "olga",
            format!("rotation set oncall-status ICE --emoji pager --text {long}"),
            "101 characters long",
        ),
        (
            "olga",
            "rotation set oncall-status NOPE --off".into(),
            "No active rotation is called `NOPE`",
        ),
        (
            "mallory",
            "rotation set oncall-status ICE --emoji pager --text x".into(),
            "Only owners of ICE",
        ),
    ];
    for (who, cmd, says) in &cases {
        let out = app.run(who, cmd).await;
        assert!(out.contains(says), "{cmd}: {out}");
    }
    // A system-admin bot sees the private channel, but is not in it.
    app.mm.bot().system_admin();
    let out = app
        .run(
            "olga",
            "rotation set presence ICE --absent-after 15m --channel ~secret",
        )
        .await;
    assert!(out.contains("The bot can't post in ~secret"), "{out}");
    assert_eq!(app.snapshot().await, before, "nothing changed");
}

#[tokio::test]
async fn good_settings_are_stored_and_can_be_turned_off() {
    let app = on_call_app().await;
    app.mm
        .add_channel("bot-room", true, &["olga", "solar-lottery"]);
    app.mm.add_custom_emoji("ice-cube");
    let out = app
        .run(
            "olga",
            "rotation set presence ICE --absent-after 15m --channel ~bot-room",
        )
        .await;
    assert!(out.contains("~bot-room gets a post"), "{out}");
    let out = app
        .run(
            "olga",
            "rotation set oncall-status ICE --emoji ice-cube --text \"{rotation} duty\"",
        )
        .await;
    assert!(out.contains(":ice-cube: ICE duty"), "{out}");
    let json = app
        .run("olga", "rotation set presence ICE --off --json")
        .await;
    assert!(json.contains("\"absent_after\": null"), "{json}");
    let out = app
        .run("olga", "rotation set oncall-status ICE --off")
        .await;
    assert!(out.contains("no longer sets"), "{out}");
}
