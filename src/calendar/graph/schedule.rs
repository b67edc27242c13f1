//! Runs a whole fetch: people → `getSchedule` requests → `$batch` calls, a bounded number in flight,
//! each request retried on its own after its own `Retry-After`, so one throttled request delays only
//! its twenty people. Each person's result is handed out as soon as it is settled, not at the end.

use super::wire::{BatchItemResponse, GraphErrorBody, ScheduleResponse};
use super::{BatchOutcome, GraphClient, parse_retry_after};
use crate::calendar::SourceError;
use crate::calendar::model::{Availability, Block, Span};
use futures_util::StreamExt;
use futures_util::stream::FuturesUnordered;
use std::collections::{BTreeMap, HashMap, HashSet, VecDeque};
use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

pub(super) type Outcome = Result<Vec<Block>, SourceError>;

/// Where settled results go: each address exactly once, the moment it is settled.
struct Found<'f> {
    settle: &'f mut (dyn FnMut(String, Outcome) + Send),
    settled: HashSet<String>,
    failed: usize,
}

impl Found<'_> {
    fn insert(&mut self, email: String, result: Outcome) {
        if self.settled.insert(email.clone()) {
            self.failed += usize::from(result.is_err());
            (self.settle)(email, result);
        }
    }
}

/// One `getSchedule` request waiting to be sent (again).
struct Request {
    id: u32,
    /// Lower-cased, unique addresses.
    emails: Vec<String>,
    attempts: u32,
}

enum Event {
    Answered(Vec<Request>, BatchOutcome),
    Due(Vec<Request>),
}

type Pending<'a> = Pin<Box<dyn Future<Output = Event> + Send + 'a>>;

/// Fetches the schedules of `emails` (trimmed and lower-cased, each once) and calls `settle` for
/// every one of those addresses exactly once, as soon as its result is known.
pub(super) async fn fetch(
    client: &GraphClient,
    emails: &[String],
    window: Span,
    settle: &mut (dyn FnMut(String, Outcome) + Send),
) {
    let limits = client.inner.limits;
    let mut unique: Vec<String> = emails.iter().map(|e| e.trim().to_lowercase()).collect();
    unique.sort();
    unique.dedup();

    let mut next_id = 0u32;
    let mut new_request = |emails: Vec<String>, attempts: u32| {
        next_id += 1;
        Request {
            id: next_id,
            emails,
            attempts,
        }
    };
    let mut ready: VecDeque<Request> = unique
        .chunks(limits.schedules_per_request)
        .map(|chunk| new_request(chunk.to_vec(), 0))
        .collect();

    let mut found = Found {
        settle,
        settled: HashSet::with_capacity(unique.len()),
        failed: 0,
    };
    let mut pending: FuturesUnordered<Pending<'_>> = FuturesUnordered::new();
    let mut batches_in_flight = 0usize;
    loop {
        while batches_in_flight < limits.batches_in_flight && !ready.is_empty() {
            let take = ready.len().min(limits.requests_per_batch);
            let batch: Vec<Request> = ready.drain(..take).collect();
            batches_in_flight += 1;
            pending.push(Box::pin(async move {
                let items: Vec<(String, &[String])> = batch
                    .iter()
                    .map(|r| (r.id.to_string(), r.emails.as_slice()))
                    .collect();
                let outcome = client.send_batch(&items, window).await;
                drop(items);
                Event::Answered(batch, outcome)
            }));
        }
        let Some(event) = pending.next().await else {
            break;
        };
        let batch = match event {
            Event::Due(requests) => {
                ready.extend(requests);
                continue;
            }
            Event::Answered(batch, outcome) => {
                batches_in_flight -= 1;
                (batch, outcome)
            }
        };
        let mut later: BTreeMap<Duration, Vec<Request>> = BTreeMap::new();
        let (requests, outcome) = batch;
        match outcome {
            BatchOutcome::Fatal(error) => {
                for request in requests {
                    fail(&mut found, &request.emails, &error);
                }
            }
            BatchOutcome::Retry { after, error } => {
                for request in requests {
                    retry(
                        request,
                        after,
                        error.clone(),
                        limits,
                        &mut found,
                        &mut later,
                    );
                }
            }
            BatchOutcome::Items(mut items) => {
                for request in requests {
                    let Some(item) = items.remove(&request.id.to_string()) else {
                        let error = SourceError::MissingFromResponse {
                            email: request.emails.join(", "),
                        };
                        retry(request, None, error, limits, &mut found, &mut later);
                        continue;
                    };
                    match item.status {
                        200..=299 => read_schedules(&request.emails, &item, &mut found),
                        429 | 503 | 504 => {
                            let after = item.header("Retry-After").and_then(parse_retry_after);
                            let error = if item.status == 429 {
                                SourceError::Throttled {
                                    attempts: request.attempts + 1,
                                }
                            } else {
                                SourceError::Http {
                                    status: item.status,
                                }
                            };
                            retry(request, after, error, limits, &mut found, &mut later);
                        }
                        // The request as a whole failed, often because its first address (the
                        // mailbox it runs under) is unknown: ask for each person on their own.
                        _ if request.emails.len() > 1 => {
                            for email in request.emails {
                                ready.push_back(new_request(vec![email], request.attempts));
                            }
                        }
                        _ => fail(
                            &mut found,
                            &request.emails,
                            &item_error(&request.emails[0], &item),
                        ),
                    }
                }
            }
        }
        for (delay, requests) in later {
            pending.push(Box::pin(async move {
                tokio::time::sleep(delay).await;
                Event::Due(requests)
            }));
        }
    }

    // Every address gets an answer, even one a bug left unsettled.
    for email in unique.iter() {
        if !found.settled.contains(email) {
            found.insert(
                email.clone(),
                Err(SourceError::MissingFromResponse {
                    email: email.clone(),
                }),
            );
        }
    }
    tracing::debug!(
        people = unique.len(),
        failed = found.failed,
        "graph free/busy fetched"
    );
}

/// Queues a request again after `after` (or a growing pause), unless it has used its attempts or
/// Graph asks for a longer pause than this run can wait.
fn retry(
    mut request: Request,
    after: Option<Duration>,
    error: SourceError,
    limits: super::GraphLimits,
    found: &mut Found<'_>,
    later: &mut BTreeMap<Duration, Vec<Request>>,
) {
    request.attempts += 1;
    let delay = after.unwrap_or_else(|| Duration::from_millis(500 << request.attempts.min(6)));
    if request.attempts >= limits.max_attempts || delay > limits.max_retry_after {
        let error = match error {
            SourceError::Throttled { .. } => SourceError::Throttled {
                attempts: request.attempts,
            },
            other => other,
        };
        fail(found, &request.emails, &error);
        return;
    }
    later.entry(delay).or_default().push(request);
}

fn fail(found: &mut Found<'_>, emails: &[String], error: &SourceError) {
    for email in emails {
        found.insert(email.clone(), Err(error.clone()));
    }
}

fn item_error(email: &str, item: &BatchItemResponse) -> SourceError {
    let body = GraphErrorBody::from_value(&item.body).error;
    let code = if body.code.is_empty() {
        format!("HTTP {}", item.status)
    } else {
        body.code
    };
    if item.status == 404 || is_unknown_address(&code) {
        SourceError::UnknownAddress {
            email: email.to_string(),
            code,
        }
    } else {
        SourceError::Graph {
            email: email.to_string(),
            code,
            message: body.message,
        }
    }
}

fn is_unknown_address(code: &str) -> bool {
    matches!(
        code,
        "ErrorInvalidSmtpAddress"
            | "ErrorInvalidUser"
            | "ErrorMailRecipientNotFound"
            | "ErrorNonExistentMailbox"
            | "ResourceNotFound"
            | "ErrorItemNotFound"
    )
}

fn read_schedules(emails: &[String], item: &BatchItemResponse, found: &mut Found<'_>) {
    let parsed: ScheduleResponse = match serde_json::from_value(item.body.clone()) {
        Ok(parsed) => parsed,
        Err(e) => {
            fail(
                found,
                emails,
                &SourceError::Decode(format!("Graph's getSchedule answer: {e}")),
            );
            return;
        }
    };
    let mut by_id: HashMap<String, _> = parsed
        .value
        .into_iter()
        .map(|info| (info.schedule_id.trim().to_lowercase(), info))
        .collect();
    for email in emails {
        let result = match by_id.remove(email) {
            None => Err(SourceError::MissingFromResponse {
                email: email.clone(),
            }),
            Some(info) => match info.error {
                Some(error) => {
                    let code = error.response_code.unwrap_or_default();
                    if is_unknown_address(&code) {
                        Err(SourceError::UnknownAddress {
                            email: email.clone(),
                            code,
                        })
                    } else {
                        Err(SourceError::Graph {
                            email: email.clone(),
                            code,
                            message: error.message.unwrap_or_default(),
                        })
                    }
                }
                None => Ok(info
                    .schedule_items
                    .into_iter()
                    .filter_map(|it| {
                        let availability = Availability::from_graph(&it.status)?;
                        let span = Span::new(it.start.to_utc()?, it.end.to_utc()?).ok()?;
                        Some(
                            Block::new(span, availability)
                                .private(it.is_private)
                                .with_subject(it.subject),
                        )
                    })
                    .collect()),
            },
        };
        found.insert(email.clone(), result);
    }
}
