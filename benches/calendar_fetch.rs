//! One full calendar sync for 10,000 Graph-connected people against a fake Graph that answers each
//! `$batch` call after 1.2 s: fetch everyone, then decide for each person. Target: under 5 s (the
//! seed's one-batch-at-a-time estimate is about 37.5 s).

#[path = "common/population.rs"]
mod population;
#[expect(
    dead_code,
    reason = "this bench uses only the fake Graph of the tests' support code"
)]
#[path = "../tests/it/support/mod.rs"]
mod support;

use chrono::{DateTime, TimeDelta, TimeZone, Utc};
use criterion::{Criterion, SamplingMode, criterion_group, criterion_main};
use population::{calendar, email};
use solar_lottery::calendar::rules::{MattermostStatus, Memory, Settings, StatusKind};
use solar_lottery::calendar::{
    AddressPolicy, CalendarView, Decision, FetchRequest, Fetcher, GraphClient, IcsClient,
    RuleInput, Source, Span, decide,
};
use std::time::Duration;
use support::fake_graph::FakeGraph;

const PEOPLE: usize = 10_000;
const LATENCY: Duration = Duration::from_millis(1200);

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 2, 10, 0, 0).unwrap()
}

async fn sync(fetcher: &Fetcher, requests: Vec<FetchRequest<usize>>) -> Vec<Decision> {
    let window = Span::new(now(), now() + TimeDelta::hours(12)).unwrap();
    let results = fetcher.fetch_all(requests, window).await;
    results
        .into_values()
        .filter_map(|blocks| blocks.ok())
        .map(|blocks| {
            decide(&RuleInput {
                now: now(),
                settings: Settings::default(),
                status: MattermostStatus::new(StatusKind::Online, false),
                custom_status: None,
                memory: Memory::default(),
                view: CalendarView::at(&blocks, now()),
                tz: chrono_tz::Europe::Berlin,
            })
        })
        .collect()
}

fn bench(c: &mut Criterion) {
    // The fake runs on its own runtime, like a server elsewhere.
    let fake_rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    let fake = fake_rt.block_on(FakeGraph::start());
    for i in 0..PEOPLE {
        fake.set_schedule(&email(i), calendar(i, now()));
    }
    fake.set_batch_latency(LATENCY);

    let rt = tokio::runtime::Runtime::new().unwrap();
    let graph = GraphClient::new(fake.config(), Duration::from_secs(30)).unwrap();
    let fetcher = Fetcher::new(
        Some(graph),
        IcsClient::new(Duration::from_secs(10), AddressPolicy::PublicOnly).unwrap(),
    );
    let requests: Vec<FetchRequest<usize>> = (0..PEOPLE)
        .map(|i| FetchRequest {
            key: i,
            source: Source::Graph { email: email(i) },
            tz: chrono_tz::Europe::Berlin,
        })
        .collect();

    // One checked run first: everyone answered, and only those who must change get a status write.
    let decisions = rt.block_on(sync(&fetcher, requests.clone()));
    assert_eq!(decisions.len(), PEOPLE, "every person was fetched");
    let writes = decisions.iter().filter(|d| d.status.is_some()).count();
    let custom = decisions
        .iter()
        .filter(|d| d.custom_status.is_some())
        .count();
    assert_eq!(writes, PEOPLE / 4);
    let counters = fake.counters();
    eprintln!(
        "calendar sync: {PEOPLE} people, {} $batch calls, {} getSchedule requests, peak {} in flight; \
         {writes} status writes, {custom} custom statuses",
        counters.batches, counters.inner_requests, counters.max_batches_in_flight
    );

    let mut group = c.benchmark_group("calendar_sync");
    group
        .sampling_mode(SamplingMode::Flat)
        .sample_size(10)
        .warm_up_time(Duration::from_secs(1));
    group.measurement_time(Duration::from_secs(30));
    group.bench_function("graph_10000_people_1200ms_batches", |b| {
        b.to_async(&rt).iter(|| sync(&fetcher, requests.clone()));
    });
    group.finish();
}

criterion_group! {
    name = benches;
    // No plots: with plotters' `ab_glyph` feature (the `rotation stats` chart) criterion's plots
    // find no font and panic; the figures are what count.
    config = Criterion::default().without_plots();
    targets = bench
}
criterion_main!(benches);
