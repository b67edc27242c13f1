//! `rotation ical` and `user ical`: the secret feed link.

use serde::Serialize;

use super::{Reader, View};

#[derive(Debug, Clone, Serialize)]
pub struct IcalLinkView {
    pub url: String,
    /// What the feed lists, in words.
    #[serde(skip)]
    pub feed: String,
    /// A new link replaced the old one.
    pub reset: bool,
}

impl View for IcalLinkView {
    fn markdown(&self, _: &Reader) -> String {
        let head = if self.reset {
            "A new calendar link; the old one no longer works"
        } else {
            "Your calendar link"
        };
        format!(
            "{head} ({}):\n{}\n\nSubscribe to it in your calendar app (\"add calendar from URL\"). Keep it to yourself: anyone with the link sees the feed. `--reset` gives a new link and turns this one off.",
            self.feed, self.url
        )
    }
}
