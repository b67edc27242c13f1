//! Fetching many people from mixed sources: each result is that person's own.

use crate::support::fake_graph::{FakeGraph, FakeItem};
use axum::Router;
use axum::routing::get;
use chrono::{DateTime, TimeZone, Utc};
use solar_lottery::calendar::{
    AddressPolicy, FetchRequest, Fetcher, GraphClient, IcsClient, Source, SourceError, Span,
};
use std::time::{Duration, Instant};

const WEEKLY: &str = include_str!("../fixtures/calendar/weekly_berlin.ics");

fn at(h: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 2, h, 0, 0).unwrap()
}

async fn feeds() -> String {
    let app = Router::new()
        .route("/good.ics", get(|| async { WEEKLY }))
        .route(
            "/slow.ics",
            get(|| async {
                tokio::time::sleep(Duration::from_secs(30)).await;
                WEEKLY
            }),
        );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    format!("http://{addr}")
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
    let base = feeds().await;
    let graph = GraphClient::new(fake.config(), Duration::from_secs(5)).unwrap();
    let fetcher = Fetcher::new(
        Some(graph),
        IcsClient::new(Duration::from_millis(800), AddressPolicy::AllowPrivate).unwrap(),
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
    let started = Instant::now();
    let got = fetcher
        .fetch_all(requests, Span::new(at(0), at(23)).unwrap())
        .await;
    let took = started.elapsed();

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
    assert!(
        took < Duration::from_secs(3),
        "slow feeds time out together, not one after another: {took:?}"
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
