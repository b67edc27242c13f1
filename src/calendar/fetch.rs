//! Fetches everyone's calendar at once: Graph people in shared `$batch` calls, ICS feeds a bounded
//! number at a time, both concurrently. Each person gets their own result; a failing or slow source
//! costs only its own person (every request has a timeout and a bounded number of retries).

use super::SourceError;
use super::graph::GraphClient;
use super::ics::IcsClient;
use super::model::{Block, Span};
use chrono_tz::Tz;
use futures_util::StreamExt;
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
        let mut graph_people: Vec<(K, String)> = Vec::new();
        let mut ics_people: Vec<(K, String, Tz)> = Vec::new();
        for request in requests {
            match request.source {
                Source::Graph { email } => graph_people.push((request.key, email)),
                Source::Ics { url } => ics_people.push((request.key, url, request.tz)),
            }
        }
        let (graph, ics) = tokio::join!(
            self.fetch_graph(graph_people, window),
            self.fetch_ics(ics_people, window)
        );
        graph.into_iter().chain(ics).collect()
    }

    async fn fetch_graph<K>(
        &self,
        people: Vec<(K, String)>,
        window: Span,
    ) -> Vec<(K, Result<Vec<Block>, SourceError>)>
    where
        K: Clone + Eq + Hash,
    {
        if people.is_empty() {
            return Vec::new();
        }
        let Some(graph) = &self.graph else {
            return people
                .into_iter()
                .map(|(k, _)| (k, Err(SourceError::GraphNotConfigured)))
                .collect();
        };
        let emails: Vec<String> = people.iter().map(|(_, e)| e.clone()).collect();
        let by_email = graph.get_schedules(&emails, window).await;
        people
            .into_iter()
            .map(|(key, email)| {
                let result = by_email.get(&email).cloned().unwrap_or_else(|| {
                    Err(SourceError::MissingFromResponse {
                        email: email.clone(),
                    })
                });
                (key, result)
            })
            .collect()
    }

    async fn fetch_ics<K>(
        &self,
        people: Vec<(K, String, Tz)>,
        window: Span,
    ) -> Vec<(K, Result<Vec<Block>, SourceError>)>
    where
        K: Send,
    {
        futures_util::stream::iter(people)
            .map(|(key, url, tz)| async move { (key, self.ics.blocks(&url, window, tz).await) })
            .buffer_unordered(self.ics_in_flight)
            .collect()
            .await
    }
}
