//! Holiday feeds: `holiday feed <url>|off` takes holidays from a published calendar (served here by
//! a small HTTP server), the autopilot honours them, the `holiday-feeds` job follows the calendar's
//! changes, and a feed that stops working keeps its holidays and tells whoever set it, once.

use std::sync::{Arc, Mutex};

use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::routing::get;
use chrono::{Days, NaiveDate, Utc};
use solar_lottery::holidays::HolidayFeedJob;
use solar_lottery::jobs::Job;

use crate::support::app::{Spawn, TestApp, spawn_app_with};

/// A calendar server: what it serves can change between requests.
#[derive(Clone)]
struct Calendar {
    served: Arc<Mutex<(u16, String)>>,
    url: String,
}

impl Calendar {
    async fn start() -> Self {
        let served = Arc::new(Mutex::new((404, String::new())));
        let app = Router::new()
            .route("/holidays.ics", get(serve))
            .with_state(served.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!(
            "http://{}/holidays.ics?key=secret",
            listener.local_addr().unwrap()
        );
        tokio::spawn(async move { axum::serve(listener, app).await });
        Calendar { served, url }
    }

    /// Serves a calendar of all-day entries (day, name).
    fn holidays(&self, days: &[(NaiveDate, &str)]) {
        let mut text = String::from("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\n");
        for (day, name) in days {
            let d = day.format("%Y%m%d");
            text.push_str(&format!(
                "BEGIN:VEVENT\r\nUID:{d}@test\r\nDTSTART;VALUE=DATE:{d}\r\nSUMMARY:{name}\r\nTRANSP:TRANSPARENT\r\nEND:VEVENT\r\n"
            ));
        }
        text.push_str("END:VCALENDAR\r\n");
        *self.served.lock().unwrap() = (200, text);
    }

    fn fail(&self, status: u16) {
        self.served.lock().unwrap().0 = status;
    }
}

async fn serve(State(served): State<Arc<Mutex<(u16, String)>>>) -> impl IntoResponse {
    let (status, body) = served.lock().unwrap().clone();
    (
        StatusCode::from_u16(status).unwrap(),
        [("content-type", "text/calendar")],
        body,
    )
}

fn in_days(n: u64) -> NaiveDate {
    Utc::now()
        .date_naive()
        .checked_add_days(Days::new(n))
        .unwrap()
}

async fn app() -> TestApp {
    spawn_app_with(Spawn {
        settings: vec![("allow_private_urls", "true")],
        ..Default::default()
    })
    .await
}

/// A daily rotation from today at 09:00 UTC, owned by ann.
async fn rotation(t: &TestApp) {
    t.mm.add_user("ann").time_zone("UTC");
    t.mm.add_user("bob").time_zone("UTC");
    let today = Utc::now().date_naive();
    t.run(
        "ann",
        &format!("rotation new ICE --period daily --beginning {today}T09:00 --tz UTC"),
    )
    .await;
}

async fn refresh(t: &TestApp) -> String {
    let svc = t.app.as_ref().unwrap().service.clone();
    HolidayFeedJob::new(svc).tick(Utc::now()).await.unwrap()
}

#[tokio::test]
async fn a_feed_gives_holidays_that_the_autopilot_honours() {
    let t = app().await;
    rotation(&t).await;
    let cal = Calendar::start().await;
    cal.holidays(&[(in_days(3), "Founders Day"), (in_days(30), "Summer Break")]);

    let out = t
        .run("ann", &format!("holiday feed {} --rotation ICE", cal.url))
        .await;
    assert!(
        out.starts_with("Holidays for **ICE** now also come from http://127.0.0.1/…: 2 days."),
        "{out}"
    );
    assert!(out.contains(&format!("**{}**", in_days(3))), "{out}");
    assert!(
        !out.contains("secret"),
        "the link's secret is never shown: {out}"
    );

    let list = t.run("bob", "holiday list --rotation ICE").await;
    assert!(
        list.contains(&format!("**{}**", in_days(3)))
            && list.contains("Founders Day, for ICE (from its feed)"),
        "{list}"
    );
    assert!(
        list.contains("ICE's holidays also come from http://127.0.0.1/…: last read"),
        "{list}"
    );

    // The autopilot creates the coming shifts, passing the holiday by.
    t.run(
        "ann",
        "rotation set autopilot ICE --create --create-prior 5d",
    )
    .await;
    let now = Utc::now().format("%Y-%m-%dT%H:%MZ");
    t.run("admin", &format!("rotation autopilot ICE --now={now}"))
        .await;
    let tasks = t.tasks().await;
    assert!(!tasks.is_empty(), "{tasks:?}");
    assert!(!tasks.contains(&"ICE#3".to_string()), "{tasks:?}");
    assert!(tasks.contains(&"ICE#4".to_string()), "{tasks:?}");

    let history = t.run("bob", "rotation history ICE").await;
    assert!(
        history.contains("| @ann |  | took holidays from the calendar at http://127.0.0.1/… |"),
        "{history}"
    );
}

#[tokio::test]
async fn a_refresh_follows_the_calendar_and_leaves_typed_holidays_alone() {
    let t = app().await;
    rotation(&t).await;
    let cal = Calendar::start().await;
    cal.holidays(&[(in_days(3), "Founders Day"), (in_days(10), "Harvest")]);
    t.run(
        "ann",
        &format!("holiday add {} --name Ours --rotation ICE", in_days(10)),
    )
    .await;
    let out = t
        .run("ann", &format!("holiday feed {} -r ICE", cal.url))
        .await;
    assert!(
        out.contains("2 days (1 of them already were, added by hand"),
        "{out}"
    );

    // The calendar moves Founders Day and adds one.
    cal.holidays(&[
        (in_days(4), "Founders Day"),
        (in_days(10), "Harvest"),
        (in_days(20), "Lantern"),
    ]);
    assert_eq!(
        refresh(&t).await,
        "1 holiday feeds read, 1 changed, 0 could not be read"
    );
    let list = t.run("ann", "holiday list -r ICE").await;
    assert!(!list.contains(&format!("**{}**", in_days(3))), "{list}");
    assert!(list.contains(&format!("**{}**", in_days(4))), "{list}");
    assert!(list.contains("Lantern, for ICE (from its feed)"), "{list}");
    assert!(
        list.contains("Ours, for ICE\n") || list.ends_with("Ours, for ICE"),
        "{list}"
    );
    let history = t.run("ann", "rotation history ICE").await;
    assert!(
        history
            .contains("| autopilot |  | the holiday feed changed: 2 added, 1 removed, 0 renamed |"),
        "{history}"
    );

    // A feed's day removed by hand (the team works that day) stays removed.
    let out = t
        .run("ann", &format!("holiday remove {} -r ICE", in_days(20)))
        .await;
    assert!(
        out.contains("It came from the holiday feed, which leaves it out from now on."),
        "{out}"
    );
    assert_eq!(
        refresh(&t).await,
        "1 holiday feeds read, 0 changed, 0 could not be read"
    );
    let list = t.run("ann", "holiday list -r ICE").await;
    assert!(!list.contains("Lantern"), "{list}");

    // Off: the feed's holidays go, the typed one stays.
    let out = t.run("ann", "holiday feed off -r ICE").await;
    assert!(out.contains("the holiday it gave is gone"), "{out}");
    let list = t.run("ann", "holiday list -r ICE").await;
    assert!(list.contains("Ours, for ICE"), "{list}");
    assert!(!list.contains("from its feed"), "{list}");
    assert!(!list.contains("also come from"), "{list}");
    assert_eq!(
        refresh(&t).await,
        "0 holiday feeds read, 0 changed, 0 could not be read"
    );
}

#[tokio::test]
async fn a_feed_that_stops_working_keeps_its_holidays_and_says_so_once() {
    let t = app().await;
    rotation(&t).await;
    let cal = Calendar::start().await;
    cal.holidays(&[(in_days(3), "Founders Day")]);
    t.run("ann", &format!("holiday feed {} -r ICE", cal.url))
        .await;

    cal.fail(503);
    for _ in 0..2 {
        assert_eq!(
            refresh(&t).await,
            "1 holiday feeds read, 0 changed, 1 could not be read"
        );
    }
    t.deliver().await;
    let dms = t.mm.dms_to("ann");
    let told: Vec<&String> = dms.iter().filter(|d| d.contains("holiday feed")).collect();
    assert_eq!(told.len(), 1, "{dms:?}");
    assert!(
        told[0].contains("The holidays of **ICE** come from http://127.0.0.1/…")
            && told[0].contains("HTTP 503"),
        "{}",
        told[0]
    );
    let list = t.run("ann", "holiday list -r ICE").await;
    assert!(list.contains("Founders Day"), "{list}");
    assert!(list.contains("**can't be read** since"), "{list}");

    // Working again: the list says so.
    cal.holidays(&[(in_days(3), "Founders Day")]);
    refresh(&t).await;
    let list = t.run("ann", "holiday list -r ICE").await;
    assert!(list.contains("last read"), "{list}");
}

#[tokio::test]
async fn a_link_that_does_not_work_or_a_stranger_changes_nothing() {
    let t = app().await;
    rotation(&t).await;
    let cal = Calendar::start().await;
    cal.fail(404);
    let out = t
        .run("ann", &format!("holiday feed {} -r ICE", cal.url))
        .await;
    assert!(
        out.contains("Couldn't take holidays from http://127.0.0.1/…. The calendar server answered HTTP 404. Nothing changed."),
        "{out}"
    );
    cal.holidays(&[(in_days(3), "Founders Day")]);
    let out = t
        .run("bob", &format!("holiday feed {} -r ICE", cal.url))
        .await;
    assert!(out.contains("Only owners of ICE"), "{out}");
    let out = t.run("ann", &format!("holiday feed {}", cal.url)).await;
    assert!(out.contains("Only bot admins"), "{out}");
    let out = t.run("ann", "holiday feed off -r ICE").await;
    assert!(out.contains("ICE has no holiday feed"), "{out}");
    let out = t.run("ann", "holiday feed not-a-link -r ICE").await;
    assert!(out.contains("link"), "{out}");
    let (feeds, holidays): (i64, i64) = sqlx::query_as(
        "SELECT (SELECT COUNT(*) FROM holiday_feeds), (SELECT COUNT(*) FROM holidays)",
    )
    .fetch_one(&t.db)
    .await
    .unwrap();
    assert_eq!((feeds, holidays), (0, 0));
}
