//! Fetching many people from mixed sources: each result is that person's own.

use crate::support::fake_graph::{FakeGraph, FakeItem};
use axum::Router;
use axum::routing::get;
use chrono::{DateTime, TimeZone, Utc};
use futures_util::StreamExt;
use solar_lottery::calendar::{
    AddressPolicy, FetchRequest, Fetcher, GraphClient, IcsClient, Source, SourceError, Span,
};
use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

const WEEKLY: &str = include_str!("../fixtures/calendar/weekly_berlin.ics");

fn at(h: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 2, h, 0, 0).unwrap()
}

/// A feed server: `/good.ics` answers at once, `/slow.ics` not for 30 s. Returns its base URL and
/// how many requests for the slow feed have arrived.
async fn feeds() -> (String, Arc<AtomicUsize>) {
    let slow_arrived = Arc::new(AtomicUsize::new(0));
    let arrived = slow_arrived.clone();
    let app = Router::new()
        .route("/good.ics", get(|| async { WEEKLY }))
        .route(
            "/slow.ics",
            get(move || async move {
                arrived.fetch_add(1, Ordering::SeqCst);
                tokio::time::sleep(Duration::from_secs(30)).await;
                WEEKLY
            }),
        );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (format!("http://{addr}"), slow_arrived)
}

fn request(key: &str, source: Source) -> FetchRequest<String> {
    FetchRequest {
        key: key.to_string(),
        source,
        tz: chrono_tz::Europe::Berlin,
    }
}

#[tokio::test]
async fn mixed_sources_fail_only_for_their_own_person_and_slow_feeds_do_not_hold_the_rest() {
    let fake = FakeGraph::start().await;
    fake.set_schedule(
        "ann@contoso.example",
        vec![FakeItem::new("busy", at(9), at(10))],
    );
    let (base, slow_arrived) = feeds().await;
    let graph = GraphClient::new(fake.config(), Duration::from_secs(5)).unwrap();
    let fetcher = Fetcher::new(
        Some(graph),
        IcsClient::new(Duration::from_secs(2), AddressPolicy::AllowPrivate).unwrap(),
    );

    let mut requests = vec![
        request(
            "ann",
            Source::Graph {
                email: "ann@contoso.example".into(),
            },
        ),
        request(
            "bob",
            Source::Graph {
                email: "nobody@contoso.example".into(),
            },
        ),
        request(
            "cat",
            Source::Ics {
                url: format!("{base}/good.ics"),
            },
        ),
        request(
            "dan",
            Source::Ics {
                url: format!("{base}/missing.ics"),
            },
        ),
        request(
            "eve",
            Source::Ics {
                url: "ftp://example.test/x.ics".into(),
            },
        ),
    ];
    for i in 0..5 {
        requests.push(request(
            &format!("slow{i}"),
            Source::Ics {
                url: format!("{base}/slow.ics"),
            },
        ));
    }
    // Each result as it comes; when the first slow feed times out, count the slow requests the
    // feed server has seen.
    let mut results = fetcher.fetch_each(requests, Span::new(at(0), at(23)).unwrap());
    let mut got = HashMap::new();
    let mut slow_seen_at_first_timeout = None;
    while let Some((key, result)) = results.next().await {
        if key.starts_with("slow") && slow_seen_at_first_timeout.is_none() {
            slow_seen_at_first_timeout = Some(slow_arrived.load(Ordering::SeqCst));
        }
        got.insert(key, result);
    }

    assert_eq!(got.len(), 10);
    assert_eq!(got["ann"].as_ref().unwrap().len(), 1);
    assert!(matches!(
        got["bob"],
        Err(SourceError::UnknownAddress { .. })
    ));
    assert_eq!(got["cat"].as_ref().unwrap().len(), 2);
    assert_eq!(got["dan"], Err(SourceError::Http { status: 404 }));
    assert!(matches!(got["eve"], Err(SourceError::BadUrl { .. })));
    for i in 0..5 {
        assert!(matches!(
            got[&format!("slow{i}")],
            Err(SourceError::Timeout(_))
        ));
    }
    assert_eq!(
        slow_seen_at_first_timeout,
        Some(5),
        "slow feeds time out together, not one after another"
    );
}

#[tokio::test]
async fn graph_people_without_graph_configured_are_told_so() {
    let fetcher = Fetcher::new(
        None,
        IcsClient::new(Duration::from_secs(1), AddressPolicy::AllowPrivate).unwrap(),
    );
    let got = fetcher
        .fetch_all(
            vec![request(
                "ann",
                Source::Graph {
                    email: "ann@contoso.example".into(),
                },
            )],
            Span::new(at(0), at(1)).unwrap(),
        )
        .await;
    assert_eq!(got["ann"], Err(SourceError::GraphNotConfigured));
}

#[test]
fn debug_output_hides_feed_urls() {
    let source = Source::Ics {
        url: "https://cal.example/secret-token/basic.ics".into(),
    };
    assert!(!format!("{source:?}").contains("secret-token"));
}
