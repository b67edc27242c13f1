//! The Graph client against the fake Graph: batching limits, per-item errors, throttling, tokens.

use crate::support::fake_graph::{FakeGraph, FakeItem};
use chrono::{DateTime, TimeZone, Utc};
use solar_lottery::calendar::{Availability, GraphClient, GraphLimits, SourceError, Span};
use std::time::Duration;

fn at(h: u32, m: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 2, h, m, 0).unwrap()
}
fn window() -> Span {
    Span::new(at(10, 0), at(22, 0)).unwrap()
}
fn person(i: usize) -> String {
    format!("person{i:05}@contoso.example")
}
fn client(fake: &FakeGraph) -> GraphClient {
    GraphClient::new(fake.config(), Duration::from_secs(10)).unwrap()
}
fn populate(fake: &FakeGraph, n: usize) -> Vec<String> {
    (0..n)
        .map(|i| {
            let email = person(i);
            fake.set_schedule(&email, vec![FakeItem::new("busy", at(10, 0), at(11, 0))]);
            email
        })
        .collect()
}

#[tokio::test]
async fn schedule_items_are_read_as_blocks_in_utc() {
    let fake = FakeGraph::start().await;
    fake.set_schedule(
        "Alice@Contoso.example",
        vec![
            FakeItem::new("busy", at(9, 30), at(10, 30)).subject("Standup"),
            FakeItem::new("tentative", at(13, 0), at(14, 0))
                .subject("Secret thing")
                .private(),
            FakeItem::new("oof", at(15, 0), at(23, 0)),
            FakeItem::new("workingElsewhere", at(8, 0), at(17, 0)),
            FakeItem::new("unknown", at(18, 0), at(19, 0)),
            FakeItem::new("busy", at(23, 0), at(23, 30)),
        ],
    );
    let emails = vec!["alice@contoso.example".to_string()];
    let got = client(&fake).get_schedules(&emails, window()).await;
    let blocks = got["alice@contoso.example"].as_ref().unwrap();
    let summary: Vec<_> = blocks
        .iter()
        .map(|b| {
            (
                b.availability(),
                b.start(),
                b.end(),
                b.is_private(),
                b.subject().map(str::to_string),
            )
        })
        .collect();
    assert_eq!(
        summary,
        vec![
            (
                Availability::Busy,
                at(9, 30),
                at(10, 30),
                false,
                Some("Standup".to_string())
            ),
            (Availability::Tentative, at(13, 0), at(14, 0), true, None),
            (Availability::OutOfOffice, at(15, 0), at(23, 0), false, None),
            (
                Availability::WorkingElsewhere,
                at(8, 0),
                at(17, 0),
                false,
                None
            ),
        ],
        "items outside the window and of unknown status are left out"
    );
}

#[tokio::test]
async fn batches_respect_graph_limits_and_everyone_is_answered() {
    let fake = FakeGraph::start().await;
    let emails = populate(&fake, 1000);
    let got = client(&fake).get_schedules(&emails, window()).await;

    assert_eq!(got.len(), 1000);
    assert!(got.values().all(|r| r.as_ref().is_ok_and(|b| b.len() == 1)));
    let c = fake.counters();
    assert_eq!(c.inner_requests, 50, "1000 people / 20 per request");
    assert_eq!(c.batches, 3, "50 requests / 20 per batch");
    assert_eq!(c.max_requests_per_batch, 20);
    assert_eq!(c.max_schedules_per_request, 20);
    assert_eq!(c.rejected_batches, 0);
    assert_eq!(c.token_requests, 1, "one token serves every batch");
}

#[tokio::test]
async fn an_invalid_address_fails_only_that_person() {
    let fake = FakeGraph::start().await;
    let mut emails = populate(&fake, 30);
    emails.insert(7, "typo@contoso.example".to_string());
    let got = client(&fake).get_schedules(&emails, window()).await;

    match &got["typo@contoso.example"] {
        Err(SourceError::UnknownAddress { email, code }) => {
            assert_eq!(email, "typo@contoso.example");
            assert_eq!(code, "ErrorInvalidSmtpAddress");
        }
        other => panic!("expected an unknown-address error, got {other:?}"),
    }
    let ok = got.values().filter(|r| r.is_ok()).count();
    assert_eq!(ok, 30);
    let message = got["typo@contoso.example"]
        .as_ref()
        .unwrap_err()
        .to_string();
    assert!(
        message.contains("/lotto calendar connect graph"),
        "{message}"
    );
}

#[tokio::test]
async fn an_unknown_first_mailbox_does_not_sink_its_request() {
    let fake = FakeGraph::start().await;
    let mut emails = populate(&fake, 19);
    // Sorted first, so it is the mailbox the request would run under.
    emails.push("aaa-gone@contoso.example".to_string());
    let got = client(&fake).get_schedules(&emails, window()).await;

    assert!(matches!(
        got["aaa-gone@contoso.example"],
        Err(SourceError::UnknownAddress { .. })
    ));
    assert_eq!(got.values().filter(|r| r.is_ok()).count(), 19);
}

#[tokio::test]
async fn throttled_requests_are_retried_after_retry_after() {
    let fake = FakeGraph::start().await;
    let emails = populate(&fake, 60);
    fake.throttle(&person(25), 2, 1);
    let started = std::time::Instant::now();
    let got = client(&fake).get_schedules(&emails, window()).await;

    assert!(got.values().all(|r| r.is_ok()), "{got:?}");
    let c = fake.counters();
    assert_eq!(c.throttled_items, 2);
    assert_eq!(
        c.inner_requests,
        3 + 2,
        "only the throttled request is sent again"
    );
    assert!(
        started.elapsed() >= Duration::from_secs(2),
        "Retry-After was honoured each time"
    );
}

#[tokio::test]
async fn throttling_past_the_attempt_limit_fails_only_that_request() {
    let fake = FakeGraph::start().await;
    let emails = populate(&fake, 60);
    fake.throttle(&person(45), 10, 0);
    let limits = GraphLimits {
        max_attempts: 3,
        ..GraphLimits::default()
    };
    let client = GraphClient::with_limits(fake.config(), Duration::from_secs(10), limits).unwrap();
    let got = client.get_schedules(&emails, window()).await;

    let throttled: Vec<_> = got
        .iter()
        .filter(|(_, r)| r.is_err())
        .map(|(e, _)| e.clone())
        .collect();
    assert_eq!(
        throttled.len(),
        20,
        "the 20 people of the throttled request"
    );
    assert!(throttled.contains(&person(45)));
    assert!(matches!(
        got[&person(45)],
        Err(SourceError::Throttled { attempts: 3 })
    ));
    assert_eq!(fake.counters().throttled_items, 3);
}

#[tokio::test]
async fn a_retry_after_longer_than_the_run_can_wait_fails_at_once() {
    let fake = FakeGraph::start().await;
    let emails = populate(&fake, 20);
    fake.throttle(&person(3), 1, 3600);
    // Waiting out the hour would trip this generous deadline long before the hour is over.
    let got = tokio::time::timeout(
        Duration::from_secs(60),
        client(&fake).get_schedules(&emails, window()),
    )
    .await
    .expect("the client gave up instead of waiting an hour");
    assert!(matches!(
        got[&person(3)],
        Err(SourceError::Throttled { .. })
    ));
    let c = fake.counters();
    assert_eq!(
        (c.inner_requests, c.throttled_items),
        (1, 1),
        "the throttled request was not sent again"
    );
}

#[tokio::test]
async fn the_token_is_cached_and_refreshed_when_graph_refuses_it() {
    let fake = FakeGraph::start().await;
    let emails = populate(&fake, 5);
    let client = client(&fake);
    assert!(
        client
            .get_schedules(&emails, window())
            .await
            .values()
            .all(|r| r.is_ok())
    );
    assert!(
        client
            .get_schedules(&emails, window())
            .await
            .values()
            .all(|r| r.is_ok())
    );
    assert_eq!(fake.counters().token_requests, 1);

    fake.revoke_tokens();
    assert!(
        client
            .get_schedules(&emails, window())
            .await
            .values()
            .all(|r| r.is_ok())
    );
    let c = fake.counters();
    assert_eq!(c.token_requests, 2);
    assert_eq!(c.unauthorized, 1);
}

#[tokio::test]
async fn a_wrong_secret_is_reported_to_everyone_without_retrying() {
    let fake = FakeGraph::start().await;
    let emails = populate(&fake, 3);
    let mut config = fake.config();
    config.client_secret = "nope".to_string().into();
    let got = GraphClient::new(config, Duration::from_secs(10))
        .unwrap()
        .get_schedules(&emails, window())
        .await;
    for result in got.values() {
        match result {
            Err(SourceError::Token(why)) => assert!(why.contains("Invalid client secret"), "{why}"),
            other => panic!("expected a token error, got {other:?}"),
        }
    }
    assert_eq!(fake.counters().token_requests, 1);
    assert_eq!(fake.counters().batches, 0);
}

#[tokio::test]
async fn batches_in_flight_are_bounded_but_parallel() {
    let fake = FakeGraph::start().await;
    fake.set_batch_latency(Duration::from_millis(300));
    let emails = populate(&fake, 400 * 10);
    let limits = GraphLimits {
        batches_in_flight: 4,
        ..GraphLimits::default()
    };
    let client = GraphClient::with_limits(fake.config(), Duration::from_secs(10), limits).unwrap();
    let got = client.get_schedules(&emails, window()).await;
    assert!(got.values().all(|r| r.is_ok()));
    let c = fake.counters();
    assert_eq!(c.batches, 10);
    assert_eq!(c.max_batches_in_flight, 4);
}

#[tokio::test]
async fn duplicate_and_differently_cased_addresses_are_fetched_once() {
    let fake = FakeGraph::start().await;
    populate(&fake, 2);
    let emails = vec![person(0), person(0).to_uppercase(), person(1)];
    let got = client(&fake).get_schedules(&emails, window()).await;
    assert_eq!(got.len(), 3);
    assert!(got.values().all(|r| r.is_ok()));
    assert_eq!(fake.counters().max_schedules_per_request, 2);
}

#[tokio::test]
async fn the_fake_rejects_oversized_and_duplicate_batches() {
    let fake = FakeGraph::start().await;
    let http = reqwest::Client::new();
    let token: serde_json::Value = http
        .post(&fake.token_url)
        .form(&[
            ("grant_type", "client_credentials"),
            ("client_id", crate::support::fake_graph::CLIENT_ID),
            ("client_secret", crate::support::fake_graph::CLIENT_SECRET),
            ("scope", "https://graph.microsoft.com/.default"),
        ])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let token = token["access_token"].as_str().unwrap().to_string();
    let item =
        |id: usize| serde_json::json!({"id": (id % 21).to_string(), "method": "GET", "url": "/me"});
    for (n, dup) in [(21usize, false), (2, true)] {
        let requests: Vec<_> = (0..n)
            .map(|i| if dup { item(0) } else { item(i) })
            .collect();
        let resp = http
            .post(format!("{}/$batch", fake.base_url))
            .bearer_auth(&token)
            .json(&serde_json::json!({"requests": requests}))
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 400);
        let body: serde_json::Value = resp.json().await.unwrap();
        assert_eq!(body["error"]["code"], "BadRequest");
    }
}
