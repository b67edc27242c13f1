//! The sync job end to end: the lottery, rotation owners, failing sources, a bot without permission,
//! custom statuses turned off, ICS fixtures, and the background loop.

use std::time::Duration;

use chrono::{TimeDelta, Utc};

use super::harness::{Cal, Setup, at, ics, t0};
use crate::support::fake_graph::FakeItem;
use crate::support::fake_mattermost::RouteKind;
use crate::support::wait::eventually;

/// Graph calendar entries for `name@contoso.example`: (status, from, to) in minutes after t0.
fn schedule(cal: &Cal, name: &str, items: &[(&'static str, i64, i64)]) {
    cal.graph.set_schedule(
        &format!("{name}@contoso.example"),
        items
            .iter()
            .map(|(s, a, b)| FakeItem::new(s, at(*a), at(*b)))
            .collect(),
    );
}

async fn connect_graph(cal: &Cal, name: &str) {
    let out = cal.run(name, "calendar connect graph").await;
    assert!(out.starts_with("Connected your"), "{out}");
}

/// Rotation ICE (weekly from Mon 2030-03-04 09:00 UTC) with these members, needing `need` people,
/// and its first shift ICE#0.
async fn rotation_with(cal: &Cal, members: &str, need: u32) {
    for cmd in [
        "rotation new ICE --period weekly --beginning 2030-03-04T09:00 --tz UTC".to_string(),
        format!("user join ICE {members}"),
        format!("rotation set require ICE --skill any --count {need}"),
        "task new shift ICE --number 0".to_string(),
    ] {
        let out = cal.run("admin", &cmd).await;
        assert!(
            !out.contains("Only") && !out.contains("No "),
            "{cmd}: {out}"
        );
    }
}

#[tokio::test]
async fn out_of_office_makes_a_person_unpickable_in_a_fill() {
    let cal = Cal::start().await;
    cal.person("ann");
    cal.person("bob");
    rotation_with(&cal, "@ann @bob", 2).await;
    // Ann is away for two weeks from Sunday: across ICE#0 and ICE#1.
    schedule(&cal, "ann", &[("oof", -1440, 14 * 1440)]);
    connect_graph(&cal, "ann").await;

    let out = cal.sync_at(t0()).await;
    assert!(out.contains("@ann: unavailable"), "{out}");
    assert_eq!(cal.calendar_time_off().await, ["ann"]);
    let shown = cal.run("admin", "user show @ann").await;
    assert!(shown.contains("calendar"), "{shown}");
    let history = cal.run("admin", "rotation history ICE").await;
    assert!(
        history.contains("| autopilot |  | added @ann's time off from ")
            && history.contains(" (out of office in their calendar) |"),
        "{history}"
    );

    // Two people needed, only Bob available: nothing is assigned, and the reason is shown.
    let out = cal.run("admin", "task fill ICE#0").await;
    assert!(out.contains("Couldn't fill ICE#0"), "{out}");
    assert!(out.contains("@ann: unavailable (calendar)"), "{out}");

    // One needed: Bob, every time.
    cal.run("admin", "rotation set require ICE --skill any --count 1")
        .await;
    cal.run("admin", "task new shift ICE --number 1").await;
    let out = cal.run("admin", "task fill ICE#1").await;
    assert!(out.contains("The lottery picked @bob"), "{out}");

    // The time off is cancelled: the entry goes and Ann can be picked again.
    schedule(&cal, "ann", &[]);
    cal.sync_at(at(10)).await;
    assert!(cal.calendar_time_off().await.is_empty());
    let history = cal.run("admin", "rotation history ICE").await;
    assert!(
        history.contains("| autopilot |  | removed @ann's time off from "),
        "{history}"
    );
    cal.run("admin", "task new shift ICE --number 2").await;
    let out = cal.run("admin", "task fill ICE#2").await;
    assert!(out.contains("The lottery picked"), "{out}");
}

#[tokio::test]
async fn owners_hear_once_when_someone_on_a_scheduled_task_is_out_of_office() {
    let cal = Cal::start().await;
    cal.person("ann");
    cal.person("olga");
    rotation_with(&cal, "@ann", 1).await;
    for cmd in [
        "rotation owner add ICE @olga",
        "task assign ICE#0 @ann",
        "task schedule ICE#0",
    ] {
        let out = cal.run("admin", cmd).await;
        assert!(!out.contains("Only"), "{cmd}: {out}");
    }
    schedule(&cal, "ann", &[("oof", -60, 2880)]);
    connect_graph(&cal, "ann").await;
    let olga_before = cal.dms("olga").await.len();
    let admin_before = cal.dms("admin").await.len();

    cal.sync_at(t0()).await;
    let olga = cal.dms("olga").await;
    assert_eq!(olga.len(), olga_before + 1, "{olga:?}");
    let told = &olga[olga_before];
    assert!(
        told.contains("@ann is out of office during ICE#0"),
        "{told}"
    );
    assert!(told.contains("task assign ICE#0"), "{told}");
    assert!(
        told.contains("Europe/Berlin"),
        "olga reads her own zone: {told}"
    );
    assert_eq!(cal.dms("admin").await.len(), admin_before + 1);

    // Once: later runs, and a longer absence, say nothing new.
    cal.sync_at(at(10)).await;
    schedule(&cal, "ann", &[("oof", -60, 4000)]);
    cal.sync_at(at(20)).await;
    assert_eq!(cal.dms("olga").await.len(), olga_before + 1);
    assert_eq!(cal.dms("admin").await.len(), admin_before + 1);
}

#[tokio::test]
async fn a_failing_source_is_told_once_retried_and_holds_up_nobody() {
    let cal = Cal::start().await;
    cal.person("ann");
    cal.person("carl");
    cal.person("dave");
    schedule(&cal, "ann", &[("busy", 0, 60)]);
    connect_graph(&cal, "ann").await;
    let broken = cal.feeds.script("carl.ics", 500, "oops", Duration::ZERO);
    let out = cal
        .run("carl", &format!("calendar connect ics {broken}"))
        .await;
    assert!(out.contains("could not be read just now"), "{out}");
    let slow = cal
        .feeds
        .serve("dave.ics", &ics(&[(at(0), at(60), "BUSY")]));
    let out = cal
        .run("dave", &format!("calendar connect ics {slow}"))
        .await;
    assert!(out.starts_with("Connected your ICS feed"), "{out}");

    // Dave's feed hangs: Ann's status must not wait for it.
    cal.feeds.hold("dave.ics");
    let svc = cal.app.service.clone();
    let running = tokio::spawn(async move { svc.calendar().run(t0()).await });
    let ann = eventually("Ann's status while Dave's feed hangs", async || {
        let writes = cal.writes_for("ann");
        (!writes.is_empty()).then_some(writes)
    })
    .await;
    assert_eq!(ann.len(), 1, "Ann waited for Dave's feed: {ann:?}");
    assert_eq!(cal.feeds.holding(), 1, "Dave's feed is still being read");
    cal.feeds.release();
    let report = running.await.unwrap().unwrap();
    assert_eq!((report.read, report.failed_sources), (2, 1), "{report:?}");
    assert_eq!(cal.writes_for("dave").len(), 1);

    let carl = cal.dms("carl").await;
    assert_eq!(carl.len(), 1, "{carl:?}");
    assert!(
        carl[0].contains("Your calendar could not be read") && carl[0].contains("HTTP 500"),
        "{}",
        carl[0]
    );
    // Retried every run, told once.
    let out = cal.sync_at(at(5)).await;
    assert!(out.contains("@carl: calendar not read"), "{out}");
    assert_eq!(cal.dms("carl").await.len(), 1);
    let shown = cal.run("carl", "calendar show").await;
    assert!(shown.contains("Problem since"), "{shown}");

    // Fixed: the problem is gone; broken again later: told again.
    cal.feeds.serve("carl.ics", &ics(&[]));
    cal.sync_at(at(10)).await;
    let shown = cal.run("carl", "calendar show").await;
    assert!(!shown.contains("Problem since"), "{shown}");
    cal.feeds.script("carl.ics", 404, "gone", Duration::ZERO);
    cal.sync_at(at(15)).await;
    let carl = cal.dms("carl").await;
    assert_eq!(carl.len(), 2, "{carl:?}");
    assert!(carl[1].contains("HTTP 404"), "{}", carl[1]);
}

#[tokio::test]
async fn a_bot_without_permission_tells_the_admins_once_and_does_not_hammer() {
    let cal = Cal::start_with(Setup {
        bot_is_admin: false,
        ..Setup::default()
    })
    .await;
    let people: Vec<String> = (0..40).map(|i| format!("p{i:02}")).collect();
    for p in &people {
        cal.person(p);
        schedule(&cal, p, &[("busy", 0, 60)]);
        connect_graph(&cal, p).await;
    }
    let admin_before = cal.dms("admin").await.len();

    cal.sync_at(t0()).await;
    let attempts = cal.mm.request_count(RouteKind::UpdateStatus);
    assert!(
        (1..people.len()).contains(&attempts),
        "{attempts} status writes for {} people",
        people.len()
    );
    let refused: Vec<String> = cal
        .mm
        .status_writes()
        .into_iter()
        .filter(|w| w.http_status == 403)
        .map(|w| w.username)
        .collect();
    assert_eq!(refused.len(), attempts);
    let admin = cal.dms("admin").await;
    assert_eq!(admin.len(), admin_before + 1, "{admin:?}");
    assert!(
        admin[admin_before].contains("Calendar status sync needs an admin")
            && admin[admin_before].contains("system_admin"),
        "{}",
        admin[admin_before]
    );
    for p in &people {
        let dms = cal.dms(p).await;
        let expected = usize::from(refused.contains(p));
        assert_eq!(dms.len(), expected, "{p}: {dms:?}");
        if let Some(dm) = dms.first() {
            assert!(dm.contains("The bot may not change your status"), "{dm}");
        }
    }

    // The next run says nothing new to anyone.
    cal.sync_at(at(5)).await;
    assert_eq!(cal.dms("admin").await.len(), admin_before + 1);
    for p in &refused {
        assert_eq!(cal.dms(p).await.len(), 1, "{p}");
    }

    // Fixed: everyone gets their status, and the alert is cleared for next time.
    cal.mm.bot().system_admin();
    cal.sync_at(at(10)).await;
    for p in &people {
        let writes = cal.writes_for(p);
        assert_eq!(writes.last().map(|w| w.2), Some(200), "{p}: {writes:?}");
    }
    assert!(cal.calendar_alerts().await.is_empty());
}

#[tokio::test]
async fn custom_statuses_turned_off_still_keep_people_out_of_the_lottery() {
    let cal = Cal::start().await;
    cal.mm.set_custom_statuses_enabled(false);
    cal.person("ann");
    schedule(&cal, "ann", &[("oof", -60, 2880)]);
    connect_graph(&cal, "ann").await;

    let out = cal.sync_at(t0()).await;
    assert!(out.contains("custom status not changed"), "{out}");
    assert_eq!(cal.calendar_time_off().await, ["ann"]);
    let ann = cal.dms("ann").await;
    assert_eq!(ann.len(), 1, "{ann:?}");
    assert!(ann[0].contains("rotations will not pick you"), "{}", ann[0]);
    assert!(!ann[0].contains("custom status"), "{}", ann[0]);
    let admin = cal.dms("admin").await;
    assert!(
        admin
            .iter()
            .any(|m| m.contains("Custom statuses are turned off")),
        "{admin:?}"
    );

    // Turned on again: the custom status comes, the alert goes.
    cal.mm.set_custom_statuses_enabled(true);
    cal.sync_at(at(5)).await;
    assert_eq!(
        cal.mm.custom_status_of("ann").map(|c| c.text).as_deref(),
        Some("Out of office")
    );
    assert!(cal.calendar_alerts().await.is_empty());
}

#[tokio::test]
async fn an_ics_feed_with_a_weekly_meeting_sets_dnd_until_it_ends() {
    let cal = Cal::start().await;
    cal.person("ann");
    let url = cal.feeds.serve(
        "ann/weekly.ics",
        include_str!("../../fixtures/calendar/weekly_berlin.ics"),
    );
    let out = cal.run("ann", &format!("calendar connect ics {url}")).await;
    assert!(out.contains("Connected your ICS feed"), "{out}");
    assert!(
        !out.contains("weekly.ics"),
        "the feed URL is not echoed: {out}"
    );

    // Mondays 10:00–11:00 in Berlin: on 2030-03-04 that is 09:00–10:00 UTC.
    cal.sync_at(at(-30)).await;
    assert_eq!(
        cal.writes_for("ann"),
        vec![("dnd".to_string(), t0().timestamp(), 200)]
    );
    let dm = cal.dms("ann").await;
    assert!(dm[0].contains("until 11:00"), "{}", dm[0]);
    cal.sync_at(t0()).await;
    assert_eq!(
        cal.writes_for("ann").last().map(|w| w.0.as_str()),
        Some("online")
    );
}

#[tokio::test]
async fn the_background_sync_runs_on_its_own_under_the_lease() {
    let cal = Cal::start_with(Setup {
        interval: "1s",
        ..Setup::default()
    })
    .await;
    cal.person("ann");
    let now = Utc::now();
    cal.graph.set_schedule(
        "ann@contoso.example",
        vec![FakeItem::new(
            "busy",
            now - TimeDelta::minutes(5),
            now + TimeDelta::minutes(30),
        )],
    );
    connect_graph(&cal, "ann").await;
    let first = eventually("the background sync to set Ann's status", async || {
        cal.writes_for("ann").into_iter().next()
    })
    .await;
    assert_eq!(first.0, "dnd");
    assert!(
        cal.calendar_lease_holder().await.is_some(),
        "the calendar lease is held"
    );
}
