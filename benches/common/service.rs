//! The service as the benches build it: one database, one Mattermost client, no Graph, no public
//! URL, default calendar options and an empty support-packet configuration.

use std::sync::Arc;
use std::time::Duration;

use secrecy::SecretString;
use solar_lottery::calendar::sync::{CalendarSync, SyncOptions};
use solar_lottery::lottery::UserId;
use solar_lottery::mattermost::MattermostClient;
use solar_lottery::service::{Deps, Service};
use solar_lottery::shared::Shared;
use solar_lottery::store::Db;

/// A Mattermost client for benches that never reach Mattermost (a tick that only queues DMs,
/// a feed that only reads the database).
pub fn unreachable_mattermost() -> MattermostClient {
    MattermostClient::new(
        "http://127.0.0.1:9",
        SecretString::from("unused"),
        Duration::from_secs(1),
    )
    .unwrap()
}

pub fn service(db: Db, mm: MattermostClient, bot_id: UserId) -> Service {
    let shared = Arc::new(Shared {
        db,
        mm,
        bot_id,
        admins: vec![],
        sender: None,
    });
    let calendar =
        CalendarSync::from_settings(shared.clone(), None, false, SyncOptions::default()).unwrap();
    let packet = solar_lottery::support::Sources::new(
        solar_lottery::config::Settings::from_pairs([]).unwrap(),
        shared.db.clone(),
        None,
    );
    Service::new(Deps {
        packet: Arc::new(packet),
        shared,
        rotation_creators: Default::default(),
        graph: None,
        public_url: None,
        calendar: Arc::new(calendar),
        url_policy: Default::default(),
    })
}
