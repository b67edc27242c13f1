//! What the command service and the background jobs both use: the database, the Mattermost client,
//! the bot's identity, who the bot admins are, and the outbox sender to wake. It sits below both, so
//! jobs can call services and services never need a job.

use crate::lottery::UserId;
use crate::mattermost::MattermostClient;
use crate::notify::Sender;
use crate::store::Db;

pub struct Shared {
    pub db: Db,
    pub mm: MattermostClient,
    /// The bot account's user id.
    pub bot_id: UserId,
    /// Usernames that are bot admins besides Mattermost system admins (`LOTTO_ADMINS`).
    pub admins: Vec<String>,
    /// Woken after something was queued; `None` where nothing delivers in the background (`exec`
    /// delivers itself before exiting).
    pub sender: Option<Sender>,
}

impl Shared {
    /// Wakes the outbox sender after something was queued.
    pub fn wake_sender(&self) {
        if let Some(s) = &self.sender {
            s.wake();
        }
    }
}
