//! Executes a `/lotto` command for an acting user: permissions, one store transaction, the domain
//! call, notifications queued in the same transaction; returns a `Reply`.
//!
//! Callable without HTTP: the `exec` subcommand and the tests use `Service::execute` directly.

mod context;
mod error;
/// Text helpers (times in the reader's zone, lists of people, durations) live below the service,
/// so the jobs' messages use them too.
pub use crate::text as format;
mod ops;
mod people;
pub mod views;

mod admin;
mod autopilot;
mod autopilot_cmd;
mod calendar_cmd;
mod history;
mod holiday;
pub mod ical;
mod info;
mod presence;
pub mod profile;
mod rotation;
mod skill;
mod stats;
pub mod swap;
mod task;
mod user;

use std::collections::HashMap;
use std::sync::Arc;

use chrono::Utc;

use crate::calendar::sync::CalendarSync;
use crate::command::{self, Command};
use crate::config::{GraphSettings, RotationCreators};
use crate::lottery::UserId;
use crate::mattermost::MattermostClient;
use crate::shared::Shared;
use crate::store::Db;

pub use autopilot::{ACTOR as AUTOPILOT_ACTOR, AutopilotReport, Step, TickReport};
pub use context::{Actor, Ctx};
pub use error::{Result, ServiceError};
pub use holiday::FeedRefresh;
pub use ops::TaskOps;
pub use views::{Output, Reader, View};

/// `ops.rs` (being split on another branch) still names the text helpers `render::`; they live in
/// `format` now. Drop this once it says `format::`.
use format as render;

/// What the service needs; built once at start-up.
pub struct Deps {
    /// The database, Mattermost, the bot's identity and the outbox, shared with the jobs.
    pub shared: Arc<Shared>,
    /// Who may create rotations.
    pub rotation_creators: RotationCreators,
    pub graph: Option<GraphSettings>,
    pub public_url: Option<String>,
    /// Calendar sources and the sync (`/lotto calendar …` runs it too).
    pub calendar: Arc<CalendarSync>,
    /// What the support packet is made from.
    pub packet: Arc<crate::support::Sources>,
    /// Where the URLs the bot fetches for a user may live (`LOTTO_ALLOW_PRIVATE_URLS`).
    pub url_policy: crate::url_guard::AddressPolicy,
}

#[derive(Clone)]
pub struct Service {
    pub(crate) deps: Arc<Deps>,
    pub(crate) actors: Arc<people::ActorCache>,
    /// Rendered iCal feeds by content (see `ical::FeedCache`).
    pub(crate) feeds: Arc<ical::FeedCache>,
}

/// Who typed a command, as Mattermost names them.
#[derive(Debug, Clone, Default)]
pub struct Caller {
    pub user_id: String,
    /// Their username as the request carried it (may be empty).
    pub user_name: String,
    /// The team the command was typed in (empty outside Mattermost, e.g. `exec`): where
    /// `~channel` names are looked up.
    pub team_id: String,
}

/// What a command answers.
#[derive(Debug, Clone, PartialEq)]
pub struct Reply {
    pub text: String,
    pub is_error: bool,
}

impl Service {
    pub fn new(deps: Deps) -> Self {
        Service {
            deps: Arc::new(deps),
            actors: Arc::new(people::ActorCache::default()),
            feeds: Arc::new(ical::FeedCache::default()),
        }
    }

    pub fn db(&self) -> &Db {
        &self.deps.shared.db
    }

    pub fn mattermost(&self) -> &MattermostClient {
        &self.deps.shared.mm
    }

    pub fn bot_id(&self) -> &UserId {
        &self.deps.shared.bot_id
    }

    /// Usernames that are bot admins besides Mattermost system admins.
    pub fn admins(&self) -> &[String] {
        &self.deps.shared.admins
    }

    /// Wakes the outbox sender after something was queued.
    pub fn wake_sender(&self) {
        self.deps.shared.wake_sender();
    }

    pub async fn ping(&self) -> Result<()> {
        Ok(self.db().ping().await?)
    }

    /// One autopilot run over every rotation that has it on, as of `now` (the autopilot job's tick).
    pub async fn autopilot_tick(&self, now: chrono::DateTime<Utc>) -> Result<TickReport> {
        let report = autopilot::tick(self, now).await?;
        // Swap requests end when their task starts, whoever started it.
        if let Err(e) = swap::expire_due(self, now).await {
            tracing::warn!(error = %e, "could not expire the swap requests of started tasks");
        }
        // The on-call status follows overrides whose stretch began or ended, whoever started the task.
        if let Err(e) = ops::hand_over_due(self, now).await {
            tracing::warn!(error = %e, "could not hand the on-call status over");
        }
        Ok(report)
    }

    /// Deletes the history recorded more than `retention` before `now` (the history job's tick);
    /// how many changes.
    pub async fn prune_history(
        &self,
        now: chrono::DateTime<Utc>,
        retention: chrono::TimeDelta,
    ) -> Result<u64> {
        history::prune(self, now, retention).await
    }

    /// What the support packet is made from (for `admin support-packet` and `/admin/support-packet`).
    pub fn packet_sources(&self) -> &crate::support::Sources {
        &self.deps.packet
    }

    /// The calendar sync (for the calendar job and `calendar sync`).
    pub fn calendar(&self) -> &Arc<CalendarSync> {
        &self.deps.calendar
    }

    /// Runs a command typed by a Mattermost user. `mentions` maps usernames to user ids, as the
    /// slash request's mention fields carry them.
    pub async fn execute(
        &self,
        caller: &Caller,
        text: &str,
        mentions: &HashMap<String, String>,
    ) -> Reply {
        let invocation = match command::parse(text) {
            Ok(i) => i,
            Err(e) => {
                return error_reply(&ServiceError::Parse {
                    message: e.to_string(),
                    usage: e.usage().to_string(),
                });
            }
        };
        let actor = match people::resolve_actor(self, &caller.user_id, &caller.user_name).await {
            Ok(a) => a,
            Err(e) => return error_reply(&e),
        };
        match self
            .run(actor, mentions.clone(), &caller.team_id, invocation)
            .await
        {
            Ok(text) => Reply {
                text,
                is_error: false,
            },
            Err(e) => error_reply(&e),
        }
    }

    /// Runs a command as the user with this username (for `exec`).
    pub async fn execute_as_username(&self, username: &str, text: &str) -> Reply {
        match self.mattermost().get_user_by_username(username).await {
            Ok(u) => {
                let caller = Caller {
                    user_id: u.id.0,
                    user_name: u.username,
                    team_id: String::new(),
                };
                self.execute(&caller, text, &HashMap::new()).await
            }
            Err(e) => Reply {
                text: format!("Mattermost has no user `{username}` the bot can see: {e}"),
                is_error: true,
            },
        }
    }

    async fn run(
        &self,
        actor: Actor,
        mentions: HashMap<String, String>,
        team_id: &str,
        invocation: command::Invocation,
    ) -> Result<String> {
        let now = match &invocation.now {
            None => Utc::now(),
            Some(arg) => {
                if !actor.is_bot_admin {
                    return Err(ServiceError::Forbidden(
                        "Only bot admins can use `--now` (it makes the bot act as if it were another time)."
                            .into(),
                    ));
                }
                arg.resolve(actor.user.zone(), Utc::now())
                    .map_err(|e| ServiceError::invalid(e.to_string()))?
            }
        };
        let mut ctx = Ctx::new(self.clone(), actor, now, mentions);
        ctx.team_id = (!team_id.is_empty()).then(|| team_id.to_string());
        let output = dispatch(&ctx, invocation.command).await?;
        Ok(if invocation.json {
            output.json()
        } else {
            output.markdown(&ctx.reader())
        })
    }
}

/// The one place an error becomes what the user reads: internal failures are logged here, once,
/// with the reference the user is given.
fn error_reply(e: &ServiceError) -> Reply {
    let reference = e.is_internal().then(error::new_reference);
    if let Some(reference) = &reference {
        tracing::error!(error = %e, reference, "a command failed on our side");
    }
    Reply {
        text: e.user_message(reference.as_deref()),
        is_error: true,
    }
}

async fn dispatch(ctx: &Ctx, cmd: Command) -> Result<Output> {
    match cmd {
        Command::Help { topic, text } => Ok(views::HelpView { topic, help: text }.into()),
        Command::Info => info::info(ctx).await,
        Command::Autopilot => autopilot_cmd::all(ctx).await,
        Command::Rotation(c) => rotation::handle(ctx, c).await,
        Command::Task(c) => task::handle(ctx, c).await,
        Command::User(c) => user::handle(ctx, c).await,
        Command::Skill(c) => skill::handle(ctx, c).await,
        Command::Calendar(c) => calendar_cmd::handle(ctx, c).await,
        Command::Who(rotation) => Ok(presence::who(ctx, rotation.as_ref()).await?.into()),
        Command::Admin(c) => admin::handle(ctx, c).await,
        Command::Holiday(c) => holiday::handle(ctx, c).await,
        Command::History(c) => Ok(history::handle(ctx, c).await?.into()),
        Command::Profile(c) => profile::handle(ctx, c).await,
    }
}
