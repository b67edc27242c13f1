//! `/lotto calendar …` as people type it: success and failure paths, and who may do what.

use chrono::{TimeDelta, Utc};
use serde_json::Value;

use super::harness::{Cal, Setup, at, t0};
use crate::support::fake_graph::FakeItem;

fn json_of(reply: &str) -> Value {
    let body = reply
        .trim()
        .strip_prefix("```json")
        .and_then(|r| r.strip_suffix("```"))
        .unwrap_or_else(|| panic!("not a JSON reply: {reply}"));
    serde_json::from_str(body).unwrap()
}

#[tokio::test]
async fn connecting_microsoft_365_takes_the_mattermost_address_or_the_one_typed() {
    let cal = Cal::start().await;
    cal.person("ann");
    cal.graph.set_schedule("ann.work@contoso.example", vec![]);

    let out = cal.run("ann", "calendar connect graph --json").await;
    let json = json_of(&out);
    assert_eq!(json["source"]["email"], "ann@contoso.example");
    assert_eq!(json["readable"], true);

    let out = cal
        .run("ann", "calendar connect graph ann.work@contoso.example")
        .await;
    assert!(
        out.contains("`ann.work@contoso.example`") && out.contains("replaces"),
        "{out}"
    );
    assert!(out.contains("Right now it shows: free."), "{out}");
    assert_eq!(cal.connected_calendars().await, ["ann"]);

    // An address Graph does not know is refused, and the connection stays as it was.
    let out = cal
        .run("ann", "calendar connect graph nobody@contoso.example")
        .await;
    assert!(
        out.contains("Microsoft Graph does not know the calendar address `nobody@contoso.example`")
            && out.contains("Nothing was connected."),
        "{out}"
    );
    let out = cal.run("ann", "calendar show --json").await;
    assert!(out.contains("ann.work@contoso.example"), "{out}");
}

#[tokio::test]
async fn connecting_without_graph_or_an_address_says_what_to_do() {
    let cal = Cal::start_with(Setup {
        graph: false,
        ..Setup::default()
    })
    .await;
    cal.person("ann");
    let out = cal.run("ann", "calendar connect graph").await;
    assert!(
        out.contains("LOTTO_GRAPH_TENANT") && out.contains("connect ics"),
        "{out}"
    );
    assert!(cal.connected_calendars().await.is_empty());

    let cal = Cal::start().await;
    cal.mm.add_user("noemail").time_zone("UTC").email("");
    let out = cal.run("noemail", "calendar connect graph").await;
    assert!(
        out.contains("no e-mail address") && out.contains("connect graph name@example.com"),
        "{out}"
    );
}

#[tokio::test]
async fn feeds_on_internal_addresses_are_refused_unless_allowed() {
    let cal = Cal::start_with(Setup {
        allow_private_ics: false,
        ..Setup::default()
    })
    .await;
    cal.person("ann");
    let url = cal.feeds.serve("ann.ics", &super::harness::ics(&[]));
    let out = cal.run("ann", &format!("calendar connect ics {url}")).await;
    assert!(
        out.contains("private or internal network address")
            && out.contains("LOTTO_ALLOW_PRIVATE_URLS=true")
            && out.contains("Nothing was connected."),
        "{out}"
    );
    assert!(
        !out.contains("ann.ics"),
        "the URL's path is not echoed: {out}"
    );
    assert_eq!(
        cal.feeds.hits(),
        0,
        "the bot never asked the internal address"
    );
    let out = cal
        .run(
            "ann",
            "calendar connect ics http://169.254.169.254/latest/meta-data",
        )
        .await;
    assert!(out.contains("private or internal"), "{out}");
    assert!(cal.connected_calendars().await.is_empty());

    // A feed that is not a calendar is refused as well.
    let cal = Cal::start().await;
    cal.person("ann");
    let url = cal.feeds.serve("page.html", "<html>hello</html>");
    let out = cal.run("ann", &format!("calendar connect ics {url}")).await;
    assert!(out.contains("not a valid iCalendar file"), "{out}");
}

#[tokio::test]
async fn only_admins_act_for_others_and_run_admin_commands() {
    let cal = Cal::start().await;
    cal.person("ann");
    cal.person("bob");
    for (text, what) in [
        ("calendar connect graph @bob", "connect a calendar"),
        ("calendar show @bob", "see the calendar"),
        ("calendar pause 2h @bob", "pause the calendar"),
        ("calendar set busy away @bob", "change calendar settings"),
        ("calendar disconnect @bob", "disconnect a calendar"),
        ("calendar sync", "run the calendar sync"),
        (
            "calendar consent-url",
            "get the Microsoft Graph admin-consent link",
        ),
    ] {
        let out = cal.run("ann", text).await;
        assert!(
            out.contains(&format!("Only bot admins can {what}")),
            "{text}: {out}"
        );
    }
    let out = cal
        .run("ann", "calendar sync --now=2030-03-04T10:00Z")
        .await;
    assert!(out.contains("Only bot admins can use `--now`"), "{out}");
    assert!(cal.connected_calendars().await.is_empty());

    let out = cal.run("admin", "calendar connect graph @bob").await;
    assert!(
        out.contains("Connected @bob's Microsoft 365 calendar (`bob@contoso.example`)"),
        "{out}"
    );
    let out = cal.run("admin", "calendar set busy away @bob").await;
    assert!(out.starts_with("For @bob: "), "{out}");
    let out = cal.run("bob", "calendar show --json").await;
    assert_eq!(json_of(&out)["settings"]["busy_status"], "away");
}

#[tokio::test]
async fn settings_change_and_a_pause_lasts_until_resumed() {
    let cal = Cal::start().await;
    cal.person("ann");
    let out = cal.run("ann", "calendar set busy dnd").await;
    assert!(out.contains("You have no calendar connected"), "{out}");
    cal.run("ann", "calendar connect graph").await;

    let out = cal.run("ann", "calendar set busy off").await;
    assert!(out.contains("status is left alone while busy"), "{out}");
    let out = cal.run("ann", "calendar set notices off").await;
    assert!(out.contains("without a DM"), "{out}");
    let out = cal.run("ann", "calendar set custom-status off").await;
    assert!(out.contains("will not set custom statuses"), "{out}");
    let before = Utc::now();
    let out = cal.run("ann", "calendar pause 3h").await;
    let after = Utc::now();
    assert!(out.starts_with("Paused until"), "{out}");
    assert!(out.contains("rotations from picking you"), "{out}");

    let settings = json_of(&cal.run("ann", "calendar show --json").await)["settings"].clone();
    assert_eq!(settings["busy_status"], "off");
    assert_eq!(settings["notices"], false);
    assert_eq!(settings["custom_status"], false);
    let until = settings["paused_until"].as_str().unwrap();
    let until = chrono::DateTime::parse_from_rfc3339(until)
        .unwrap()
        .to_utc();
    // Three hours from when the command ran (stored in whole seconds).
    let three_hours = TimeDelta::hours(3);
    assert!(
        until > before + three_hours - TimeDelta::seconds(1) && until <= after + three_hours,
        "{until} is not 3 h after the command ({before} … {after})"
    );
    let shown = cal.run("ann", "calendar show").await;
    assert!(shown.contains("paused until"), "{shown}");
    assert!(
        shown.contains("nothing in Mattermost while paused"),
        "{shown}"
    );

    let out = cal.run("ann", "calendar resume").await;
    assert!(out.starts_with("Resumed"), "{out}");
    let settings = json_of(&cal.run("ann", "calendar show --json").await)["settings"].clone();
    assert_eq!(settings["paused_until"], Value::Null);

    // Bad values are the grammar's to refuse, with the usage.
    let out = cal.run("ann", "calendar set busy sometimes").await;
    assert!(out.contains("dnd") && out.contains("away"), "{out}");
    let out = cal.run("ann", "calendar pause 0").await;
    assert!(out.contains("longer than zero"), "{out}");
}

#[tokio::test]
async fn show_tells_what_the_bot_sees_without_private_subjects_and_changes_nothing() {
    let cal = Cal::start().await;
    cal.person("ann");
    cal.run("ann", "calendar connect graph").await;
    let now = Utc::now();
    cal.graph.set_schedule(
        "ann@contoso.example",
        vec![
            FakeItem::new(
                "busy",
                now - TimeDelta::minutes(10),
                now + TimeDelta::minutes(50),
            )
            .subject("Quarterly planning"),
            FakeItem::new("busy", now + TimeDelta::hours(2), now + TimeDelta::hours(3))
                .subject("Doctor appointment")
                .private(),
        ],
    );

    let own = cal.run("ann", "calendar show").await;
    assert!(own.contains("**Your calendar**"), "{own}");
    assert!(own.contains("Mattermost now: **Online**"), "{own}");
    assert!(
        own.contains("The calendar now (Europe/Berlin): busy until"),
        "{own}"
    );
    assert!(own.contains("Quarterly planning"), "her own subject: {own}");
    assert!(!own.contains("Doctor"), "a private subject: {own}");
    assert!(
        own.contains("What the bot would do now: set the status to **Do Not Disturb** until"),
        "{own}"
    );
    assert!(own.contains("Not read by the sync yet."), "{own}");

    let theirs = cal.run("admin", "calendar show @ann").await;
    assert!(theirs.contains("**@ann's calendar**"), "{theirs}");
    assert!(
        theirs.contains("(UTC): busy until"),
        "the reader's zone: {theirs}"
    );
    assert!(!theirs.contains("Quarterly"), "{theirs}");
    assert!(cal.mm.status_writes().is_empty(), "show wrote a status");

    let json = json_of(&cal.run("ann", "calendar show --json").await);
    assert_eq!(json["now"]["availability"], "busy");
    assert_eq!(json["mattermost"]["status"], "online");
    assert_eq!(json["upcoming"][1]["private"], true);
    assert_eq!(json["upcoming"][1]["subject"], Value::Null);
}

#[tokio::test]
async fn disconnect_hands_back_the_status_and_the_lottery() {
    let cal = Cal::start().await;
    cal.person("ann");
    cal.graph.set_schedule(
        "ann@contoso.example",
        vec![
            FakeItem::new("busy", at(-30), at(60)),
            FakeItem::new("oof", at(-60), at(2000)),
        ],
    );
    cal.run("ann", "calendar connect graph").await;
    cal.sync_at(t0()).await;
    assert_eq!(cal.mm.status_of("ann").status, "dnd");
    assert!(cal.mm.custom_status_of("ann").is_some());
    assert_eq!(cal.calendar_time_off().await, ["ann"]);

    let out = cal.run("ann", "calendar disconnect").await;
    assert!(
        out.starts_with("Disconnected your Microsoft 365 calendar"),
        "{out}"
    );
    assert!(out.contains("put the status back to **Online**"), "{out}");
    assert!(
        out.contains("cleared the custom status it had set"),
        "{out}"
    );
    assert!(
        out.contains("removed 1 out-of-office entry from the lottery"),
        "{out}"
    );
    assert_eq!(cal.mm.status_of("ann").status, "online");
    assert!(cal.mm.custom_status_of("ann").is_none());
    assert!(cal.connected_calendars().await.is_empty());
    assert!(cal.calendar_time_off().await.is_empty());

    let out = cal.run("ann", "calendar disconnect").await;
    assert!(out.contains("You have no calendar connected"), "{out}");
    // Nobody is synced any more.
    let out = cal.sync_at(at(5)).await;
    assert!(out.contains("0 connected"), "{out}");
}

#[tokio::test]
async fn disconnect_leaves_a_status_the_person_changed_alone() {
    let cal = Cal::start().await;
    cal.person("ann");
    cal.graph.set_schedule(
        "ann@contoso.example",
        vec![FakeItem::new("busy", at(-30), at(60))],
    );
    cal.run("ann", "calendar connect graph").await;
    cal.sync_at(t0()).await;
    cal.mm.set_status_as_user("ann", "away", true);
    let out = cal.run("ann", "calendar disconnect").await;
    assert!(!out.contains("put the status back"), "{out}");
    assert_eq!(cal.mm.status_of("ann").status, "away");
}

#[tokio::test]
async fn sync_prints_what_it_changed() {
    let cal = Cal::start().await;
    cal.person("ann");
    cal.person("bob");
    cal.graph.set_schedule(
        "ann@contoso.example",
        vec![FakeItem::new("busy", at(-30), at(60))],
    );
    cal.run("ann", "calendar connect graph").await;
    cal.run("bob", "calendar connect graph").await;

    let out = cal.sync_at(t0()).await;
    assert!(
        out.contains("2 connected, 2 read, 0 could not be read; 1 status"),
        "{out}"
    );
    assert!(
        out.contains("- @ann: status → Do Not Disturb until Mon 2030-03-04 11:00 UTC"),
        "the admin reads UTC: {out}"
    );
    assert!(!out.contains("@bob"), "{out}");
    let again = cal.sync_at(at(1)).await;
    assert!(again.contains("Nothing needed changing."), "{again}");

    let json = json_of(
        &cal.run("admin", "calendar sync --now=2030-03-04T11:00Z --json")
            .await,
    );
    assert_eq!(json["status_writes"], 1);
    assert_eq!(json["people_changed"][0]["username"], "ann");
    assert_eq!(
        json["people_changed"][0]["changes"][0]["status"]["status"],
        "online"
    );
}

#[tokio::test]
async fn the_consent_link_uses_the_public_url_or_says_what_to_set() {
    let cal = Cal::start_with(Setup {
        public_url: Some("https://lotto.example.com"),
        ..Setup::default()
    })
    .await;
    let out = cal.run("admin", "calendar consent-url").await;
    assert!(
        out.contains("https://login.microsoftonline.com/fake-tenant/adminconsent?client_id=fake-client&redirect_uri=https%3A%2F%2Flotto.example.com"),
        "{out}"
    );

    let cal = Cal::start().await;
    let out = cal.run("admin", "calendar consent-url").await;
    assert!(
        out.contains(
            "redirect_uri=https%3A%2F%2Flogin.microsoftonline.com%2Fcommon%2Foauth2%2Fnativeclient"
        ) && out.contains("LOTTO_PUBLIC_URL"),
        "{out}"
    );

    let cal = Cal::start_with(Setup {
        graph: false,
        ..Setup::default()
    })
    .await;
    let out = cal.run("admin", "calendar consent-url").await;
    assert!(
        out.contains("LOTTO_GRAPH_TENANT")
            && out.contains("LOTTO_GRAPH_CLIENT_ID")
            && out.contains("LOTTO_GRAPH_CLIENT_SECRET"),
        "{out}"
    );
}
