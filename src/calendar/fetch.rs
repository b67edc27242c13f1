//! Fetches everyone's calendar at once: Graph people in shared `$batch` calls, ICS feeds a bounded
//! number at a time, both concurrently. Each person gets their own result; a failing or slow source
//! costs only its own person (every request has a timeout and a bounded number of retries).

use super::SourceError;
use super::graph::GraphClient;
use super::ics::IcsClient;
use super::model::{Block, Span};
use chrono_tz::Tz;
use futures_util::StreamExt;
use futures_util::stream::BoxStream;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::fmt;
use std::hash::Hash;

/// Where a person's calendar comes from.
#[derive(Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Source {
    Graph { email: String },
    Ics { url: String },
}

impl fmt::Debug for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Graph { email } => f.debug_struct("Graph").field("email", email).finish(),
            // Feed URLs often carry a private token.
            Self::Ics { .. } => f.debug_struct("Ics").field("url", &"<hidden>").finish(),
        }
    }
}

/// One person to fetch. `key` is whatever the caller identifies people by (e.g. a `UserId`).
#[derive(Debug, Clone)]
pub struct FetchRequest<K> {
    pub key: K,
    pub source: Source,
    /// The person's zone, for all-day events in ICS feeds.
    pub tz: Tz,
}

pub type FetchResults<K> = HashMap<K, Result<Vec<Block>, SourceError>>;

#[derive(Debug, Clone)]
pub struct Fetcher {
    graph: Option<GraphClient>,
    ics: IcsClient,
    ics_in_flight: usize,
}

impl Fetcher {
    pub const DEFAULT_ICS_IN_FLIGHT: usize = 16;

    /// Without a Graph client, Graph people get [`SourceError::GraphNotConfigured`].
    pub fn new(graph: Option<GraphClient>, ics: IcsClient) -> Self {
        Self {
            graph,
            ics,
            ics_in_flight: Self::DEFAULT_ICS_IN_FLIGHT,
        }
    }

    /// The ICS client (its timeout, size cap and address policy), for other calendars the bot reads.
    pub fn ics(&self) -> &IcsClient {
        &self.ics
    }

    pub fn with_ics_in_flight(mut self, n: usize) -> Self {
        self.ics_in_flight = n.max(1);
        self
    }

    /// Every person's blocks within `window`, one entry per request key.
    pub async fn fetch_all<K>(
        &self,
        requests: Vec<FetchRequest<K>>,
        window: Span,
    ) -> FetchResults<K>
    where
        K: Clone + Eq + Hash + Send + Sync,
    {
        self.fetch_each(requests, window).collect().await
    }

    /// Every person's blocks within `window`, each the moment it is known: a slow feed or a
    /// throttled Graph request holds up only its own people. One item per request key.
    pub fn fetch_each<'a, K>(
        &'a self,
        requests: Vec<FetchRequest<K>>,
        window: Span,
    ) -> BoxStream<'a, (K, Result<Vec<Block>, SourceError>)>
    where
        K: Clone + Eq + Hash + Send + Sync + 'a,
    {
        let mut graph_people: HashMap<String, Vec<K>> = HashMap::new();
        let mut ics_people: Vec<(K, String, Tz)> = Vec::new();
        for request in requests {
            match request.source {
                Source::Graph { email } => graph_people
                    .entry(email.trim().to_lowercase())
                    .or_default()
                    .push(request.key),
                Source::Ics { url } => ics_people.push((request.key, url, request.tz)),
            }
        }
        let ics = futures_util::stream::iter(ics_people)
            .map(
                move |(key, url, tz)| async move { (key, self.ics.blocks(&url, window, tz).await) },
            )
            .buffer_unordered(self.ics_in_flight);
        futures_util::stream::select(self.fetch_graph(graph_people, window), ics).boxed()
    }

    /// Graph people by address (several people may share one), fanned back out to their keys.
    fn fetch_graph<'a, K>(
        &'a self,
        mut people: HashMap<String, Vec<K>>,
        window: Span,
    ) -> BoxStream<'a, (K, Result<Vec<Block>, SourceError>)>
    where
        K: Clone + Send + Sync + 'a,
    {
        let Some(graph) = &self.graph else {
            return futures_util::stream::iter(
                people
                    .into_values()
                    .flatten()
                    .map(|key| (key, Err(SourceError::GraphNotConfigured))),
            )
            .boxed();
        };
        let emails: Vec<String> = people.keys().cloned().collect();
        graph
            .schedules_each(emails, window)
            .flat_map(move |(email, result)| {
                let keys = people.remove(&email).unwrap_or_default();
                futures_util::stream::iter(keys.into_iter().map(move |key| (key, result.clone())))
            })
            .boxed()
    }
}
