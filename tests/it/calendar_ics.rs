//! ICS fixtures through `blocks_in`, and `IcsClient` against a local HTTP server.

use axum::Router;
use axum::body::Body;
use axum::routing::get;
use chrono::{DateTime, TimeZone, Utc};
use chrono_tz::Tz;
use solar_lottery::calendar::ics::check_url;
use solar_lottery::calendar::{
    AddressPolicy, Availability, Block, CalendarView, IcsClient, SourceError, Span, blocks_in,
};
use std::time::Duration;

const WEEKLY: &str = include_str!("../fixtures/calendar/weekly_berlin.ics");
const OUTLOOK: &str = include_str!("../fixtures/calendar/outlook_windows_zones.ics");
const ALL_DAY: &str = include_str!("../fixtures/calendar/all_day_across_dst.ics");
const BERLIN: Tz = chrono_tz::Europe::Berlin;

fn utc(mo: u32, d: u32, h: u32, mi: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, mo, d, h, mi, 0).unwrap()
}
fn window(a: DateTime<Utc>, b: DateTime<Utc>) -> Span {
    Span::new(a, b).unwrap()
}
fn simple(blocks: &[Block]) -> Vec<(DateTime<Utc>, DateTime<Utc>, Availability)> {
    blocks
        .iter()
        .map(|b| (b.start(), b.end(), b.availability()))
        .collect()
}

#[test]
fn a_weekly_event_keeps_its_exdates_moved_and_cancelled_instances_across_dst() {
    let blocks = blocks_in(WEEKLY, window(utc(3, 1, 0, 0), utc(4, 7, 0, 0)), BERLIN).unwrap();
    use Availability::Busy;
    assert_eq!(
        simple(&blocks),
        vec![
            (utc(3, 2, 8, 30), utc(3, 2, 8, 45), Busy), // daily standup (DURATION, UNTIL as a date)
            (utc(3, 2, 9, 0), utc(3, 2, 10, 0), Busy),  // 10:00 CET
            (utc(3, 3, 8, 30), utc(3, 3, 8, 45), Busy),
            (utc(3, 4, 8, 30), utc(3, 4, 8, 45), Busy), // last standup: UNTIL includes that day
            // Mar 9 cancelled, Mar 16 EXDATE, Mar 23 moved to Tuesday 14:00 CET:
            (utc(3, 24, 13, 0), utc(3, 24, 14, 0), Busy),
            (utc(3, 30, 8, 0), utc(3, 30, 9, 0), Busy), // 10:00 CEST after the DST switch
            (utc(4, 6, 8, 0), utc(4, 6, 9, 0), Busy),
        ]
    );
    let moved = &blocks[4];
    assert_eq!(moved.subject(), Some("Weekly sync (moved to Tuesday)"));
}

#[test]
fn only_instances_overlapping_the_window_are_returned() {
    let blocks = blocks_in(WEEKLY, window(utc(3, 30, 8, 30), utc(3, 30, 12, 0)), BERLIN).unwrap();
    assert_eq!(
        simple(&blocks),
        vec![(utc(3, 30, 8, 0), utc(3, 30, 9, 0), Availability::Busy)]
    );
    let view = CalendarView::at(&blocks, utc(3, 30, 8, 30));
    assert_eq!(view.busy().map(|r| r.end()), Some(utc(3, 30, 9, 0)));
}

#[test]
fn outlook_busy_status_transparency_privacy_and_windows_zone_names_are_understood() {
    let blocks = blocks_in(OUTLOOK, window(utc(3, 1, 0, 0), utc(3, 8, 0, 0)), BERLIN).unwrap();
    use Availability::*;
    assert_eq!(
        simple(&blocks),
        vec![
            (utc(3, 2, 11, 0), utc(3, 2, 12, 0), Tentative), // STATUS:TENTATIVE, 12:00 W. Europe
            (utc(3, 2, 13, 0), utc(3, 2, 14, 0), Free),      // TRANSP:TRANSPARENT
            (utc(3, 2, 17, 0), utc(3, 2, 17, 30), Busy),     // folded SUMMARY, UTC times
            (utc(3, 3, 7, 0), utc(3, 3, 16, 0), WorkingElsewhere), // X-MICROSOFT-CDO-BUSYSTATUS
            (utc(3, 3, 8, 0), utc(3, 3, 8, 45), Busy),       // DURATION:PT45M
            (utc(3, 4, 23, 0), utc(3, 6, 23, 0), OutOfOffice), // all-day OOF, Berlin days
        ],
        "the cancelled review is gone"
    );
    let private = &blocks[4];
    assert!(private.is_private());
    assert_eq!(private.subject(), None, "a private event keeps no subject");
    assert!(
        blocks[2]
            .subject()
            .is_some_and(|s| s.ends_with("seventy-five octets"))
    );

    let view = CalendarView::at(&blocks, utc(3, 5, 12, 0));
    let oof = view.out_of_office().unwrap();
    assert_eq!(
        (oof.start(), oof.end()),
        (utc(3, 4, 23, 0), utc(3, 6, 23, 0))
    );
    assert_eq!(view.availability(), OutOfOffice);
}

#[test]
fn all_day_events_are_whole_days_in_the_persons_zone_even_on_dst_day() {
    let blocks = blocks_in(ALL_DAY, window(utc(3, 20, 0, 0), utc(4, 10, 0, 0)), BERLIN).unwrap();
    use Availability::Busy;
    assert_eq!(
        simple(&blocks),
        vec![
            (utc(3, 21, 23, 0), utc(3, 22, 23, 0), Busy),
            (utc(3, 24, 23, 0), utc(3, 25, 23, 0), Busy), // no DTEND: one day
            (utc(3, 28, 23, 0), utc(3, 29, 22, 0), Busy), // the 23-hour day
            (utc(4, 4, 22, 0), utc(4, 5, 22, 0), Busy),   // UNTIL date included
        ]
    );
    let new_york = blocks_in(
        ALL_DAY,
        window(utc(3, 20, 0, 0), utc(3, 24, 0, 0)),
        chrono_tz::America::New_York,
    )
    .unwrap();
    assert_eq!(
        simple(&new_york),
        vec![(utc(3, 22, 4, 0), utc(3, 23, 4, 0), Busy)]
    );
}

#[test]
fn a_web_page_is_not_a_calendar() {
    let err = blocks_in(
        "<html><body>Sign in</body></html>",
        window(utc(3, 1, 0, 0), utc(3, 2, 0, 0)),
        BERLIN,
    )
    .unwrap_err();
    assert!(matches!(err, SourceError::InvalidIcs(_)));
    assert!(err.to_string().contains(".ics feed"), "{err}");
}

#[test]
fn feed_urls_must_be_http_or_https() {
    assert_eq!(
        check_url("webcal://cal.example/feed.ics").unwrap().as_str(),
        "https://cal.example/feed.ics"
    );
    assert!(check_url("https://cal.example/feed.ics").is_ok());
    for bad in [
        "ftp://cal.example/feed.ics",
        "file:///etc/passwd",
        "not a url",
        "http://",
    ] {
        assert!(
            matches!(check_url(bad), Err(SourceError::BadUrl { .. })),
            "{bad}"
        );
    }
    let message = check_url("ftp://cal.example/private-token-123/feed.ics")
        .unwrap_err()
        .to_string();
    assert!(
        !message.contains("private-token-123"),
        "the error hides the path: {message}"
    );
}

async fn serve() -> String {
    let app = Router::new()
        .route("/weekly.ics", get(|| async { WEEKLY }))
        .route("/big.ics", get(|| async { "X".repeat(10_000) }))
        .route(
            "/streamed.ics",
            get(|| async {
                let chunks = (0..20).map(|_| Ok::<_, std::io::Error>("Y".repeat(1000)));
                Body::from_stream(futures_util::stream::iter(chunks))
            }),
        )
        .route(
            "/slow.ics",
            get(|| async {
                tokio::time::sleep(Duration::from_secs(5)).await;
                WEEKLY
            }),
        );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    format!("http://{addr}")
}

#[tokio::test]
async fn a_feed_is_fetched_and_read() {
    let base = serve().await;
    let client = IcsClient::new(Duration::from_secs(5), AddressPolicy::AllowPrivate).unwrap();
    let blocks = client
        .blocks(
            &format!("{base}/weekly.ics"),
            window(utc(3, 2, 0, 0), utc(3, 3, 0, 0)),
            BERLIN,
        )
        .await
        .unwrap();
    assert_eq!(blocks.len(), 2);
}

#[tokio::test]
async fn error_statuses_oversized_bodies_and_slow_servers_are_refused() {
    let base = serve().await;
    let client = IcsClient::new(Duration::from_millis(500), AddressPolicy::AllowPrivate)
        .unwrap()
        .with_max_bytes(5_000);
    assert_eq!(
        client.fetch(&format!("{base}/missing.ics")).await,
        Err(SourceError::Http { status: 404 })
    );
    assert_eq!(
        client.fetch(&format!("{base}/big.ics")).await,
        Err(SourceError::TooLarge { limit_bytes: 5_000 })
    );
    assert_eq!(
        client.fetch(&format!("{base}/streamed.ics")).await,
        Err(SourceError::TooLarge { limit_bytes: 5_000 }),
        "the cap holds without a Content-Length too"
    );
    assert!(matches!(
        client.fetch(&format!("{base}/slow.ics")).await,
        Err(SourceError::Timeout(_))
    ));
}

#[test]
fn hostile_or_broken_events_are_skipped_without_failing_the_feed() {
    let ics = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\n\
BEGIN:VEVENT\r\nUID:huge\r\nDTSTART:20260302T090000Z\r\nDURATION:P99999999W\r\nEND:VEVENT\r\n\
BEGIN:VEVENT\r\nUID:far\r\nDTSTART:99991231T230000Z\r\nDTEND:99991231T235959Z\r\nRRULE:FREQ=SECONDLY\r\nEND:VEVENT\r\n\
BEGIN:VEVENT\r\nUID:nonsense-rule\r\nDTSTART:20260302T100000Z\r\nDTEND:20260302T110000Z\r\nRRULE:FREQ=FORTNIGHTLY;BYDAY=XX\r\nEND:VEVENT\r\n\
BEGIN:VEVENT\r\nUID:no-start\r\nDTEND:20260302T110000Z\r\nEND:VEVENT\r\n\
BEGIN:VEVENT\r\nUID:backwards\r\nDTSTART:20260302T120000Z\r\nDTEND:20260302T110000Z\r\nEND:VEVENT\r\n\
BEGIN:VEVENT\r\nUID:unknown-zone\r\nDTSTART;TZID=Mars/Olympus:20260302T130000\r\nDTEND;TZID=Mars/Olympus:20260302T140000\r\nEND:VEVENT\r\n\
END:VCALENDAR\r\n";
    let blocks = blocks_in(ics, window(utc(3, 2, 0, 0), utc(3, 3, 0, 0)), BERLIN).unwrap();
    assert_eq!(
        simple(&blocks),
        vec![
            // An unreadable rule keeps its first instance; an unknown zone falls back to the person's.
            (utc(3, 2, 10, 0), utc(3, 2, 11, 0), Availability::Busy),
            (utc(3, 2, 12, 0), utc(3, 2, 13, 0), Availability::Busy),
        ]
    );
}
