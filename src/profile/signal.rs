//! What the WebSocket listener tells the profile-preset engine. The listener (`profile::listener`)
//! only produces signals; the engine (`profile::engine`) only consumes them, so either side can be
//! exercised without the other.

use chrono::{DateTime, Utc};
use tokio::sync::mpsc;

use crate::mattermost::model::User;

/// One thing the listener learned from Mattermost.
#[derive(Debug, Clone)]
pub enum ProfileSignal {
    /// A `user_updated` event: the user as Mattermost now has them (props include `customStatus`).
    UserUpdated(Box<User>),
    /// The listener was disconnected and could not resume: events after `since` may have been missed,
    /// so the engine re-reads the people with presets (`POST /api/v4/users/ids?since=…`).
    Reconcile { since: DateTime<Utc> },
}

/// The listener's end of the channel.
pub type SignalSender = mpsc::Sender<ProfileSignal>;
/// The engine's end of the channel.
pub type SignalReceiver = mpsc::Receiver<ProfileSignal>;

/// Bounded: a burst of events waits for the engine instead of growing memory without limit.
pub const SIGNAL_CAPACITY: usize = 256;

pub fn channel() -> (SignalSender, SignalReceiver) {
    mpsc::channel(SIGNAL_CAPACITY)
}
