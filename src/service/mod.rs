//! Executes a `/lotto` command for an acting user: permissions, one store transaction, the domain
//! call, notifications queued in the same transaction; returns a `Reply`.
//!
//! Callable without HTTP: the `exec` subcommand and the tests use `Service::execute` directly.

mod context;
mod error;
pub mod format;
pub mod messages;
mod ops;
mod people;
mod render;

mod autopilot_cmd;
mod calendar_cmd;
mod info;
mod rotation;
mod skill;
mod task;
mod user;

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use serde_json::Value;
use sqlx::SqlitePool;

use crate::calendar::job::CalendarSync;
use crate::command::{self, Command};
use crate::config::{GraphSettings, RotationCreators};
use crate::lottery::UserId;
use crate::mattermost::{CommandResponse, MattermostClient};
use crate::notify::Sender;

pub use context::{Actor, Ctx};
pub use error::{Result, ServiceError};
pub use ops::{AutopilotReport, TaskOps};

/// What the service needs; built once at start-up.
pub struct Deps {
    pub pool: SqlitePool,
    pub mm: MattermostClient,
    pub bot_id: UserId,
    /// Usernames that are bot admins besides Mattermost system admins.
    pub admins: Vec<String>,
    /// Who may create rotations.
    pub rotation_creators: RotationCreators,
    /// Woken after a command queues messages; `None` when nothing delivers (exec delivers itself).
    pub sender: Option<Sender>,
    pub slash_deadline: Duration,
    pub graph: Option<GraphSettings>,
    pub public_url: Option<String>,
    /// Calendar sources and the sync job's lock (`/lotto calendar …` and the background sync).
    pub calendar: Arc<CalendarSync>,
}

#[derive(Clone)]
pub struct Service {
    pub(crate) deps: Arc<Deps>,
    pub(crate) actors: Arc<people::ActorCache>,
}

/// The fields of a slash request the service uses (docs/mattermost-contract.md §1.2).
#[derive(Debug, Clone, Default)]
pub struct SlashRequest {
    pub user_id: String,
    pub user_name: String,
    pub text: String,
    pub channel_id: String,
    pub team_id: String,
    pub response_url: Option<String>,
    /// username → user id, from the repeated `user_mentions`/`user_mentions_ids` fields.
    pub mentions: HashMap<String, String>,
}

impl SlashRequest {
    /// Reads the form fields; returns the name of a missing required field.
    pub fn from_fields(fields: &[(String, String)]) -> std::result::Result<Self, &'static str> {
        let get = |k: &str| fields.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone());
        let all = |k: &str| {
            fields
                .iter()
                .filter(|(n, _)| n == k)
                .map(|(_, v)| v.clone())
                .collect::<Vec<_>>()
        };
        let user_id = get("user_id").filter(|v| !v.is_empty()).ok_or("user_id")?;
        let mentions = all("user_mentions")
            .into_iter()
            .zip(all("user_mentions_ids"))
            .map(|(name, id)| (name.trim_start_matches('@').to_string(), id))
            .collect();
        Ok(SlashRequest {
            user_id,
            user_name: get("user_name").unwrap_or_default(),
            text: get("text").unwrap_or_default(),
            channel_id: get("channel_id").unwrap_or_default(),
            team_id: get("team_id").unwrap_or_default(),
            response_url: get("response_url")
                .filter(|u| u.starts_with("http://") || u.starts_with("https://")),
            mentions,
        })
    }
}

/// What a command answers.
#[derive(Debug, Clone, PartialEq)]
pub struct Reply {
    pub text: String,
    pub is_error: bool,
}

/// A handler's result: the markdown for people and the full object for `--json`.
#[derive(Debug, Clone)]
pub struct Output {
    pub text: String,
    pub json: Value,
}

impl Output {
    pub fn new(text: impl Into<String>, json: Value) -> Self {
        Output {
            text: text.into(),
            json,
        }
    }
}

impl Service {
    pub fn new(deps: Deps) -> Self {
        Service {
            deps: Arc::new(deps),
            actors: Arc::new(people::ActorCache::default()),
        }
    }

    pub fn pool(&self) -> &SqlitePool {
        &self.deps.pool
    }

    pub fn mattermost(&self) -> &MattermostClient {
        &self.deps.mm
    }

    pub fn bot_id(&self) -> &UserId {
        &self.deps.bot_id
    }

    /// Wakes the outbox sender after something was queued.
    pub fn wake_sender(&self) {
        if let Some(s) = &self.deps.sender {
            s.wake();
        }
    }

    pub async fn ping(&self) -> Result<()> {
        sqlx::query("SELECT 1").execute(&self.deps.pool).await?;
        Ok(())
    }

    /// Answers a slash request. Work that outlives the deadline keeps running and its result is
    /// posted to `response_url`, while Mattermost gets an immediate "working on it".
    pub async fn handle_slash(&self, req: SlashRequest) -> CommandResponse {
        let svc = self.clone();
        let response_url = req.response_url.clone();
        let mut work = tokio::spawn(async move { svc.execute(&req).await });
        match tokio::time::timeout(self.deps.slash_deadline, &mut work).await {
            Ok(Ok(reply)) => CommandResponse::ephemeral_long(&reply.text),
            Ok(Err(e)) => {
                tracing::error!(error = %e, "command task failed");
                CommandResponse::ephemeral(
                    "Something went wrong on our side; nothing was changed. Please try again.",
                )
            }
            Err(_) => {
                let mm = self.deps.mm.clone();
                tokio::spawn(async move {
                    let text = match work.await {
                        Ok(reply) => reply.text,
                        Err(_) => "Something went wrong on our side while finishing your command."
                            .to_string(),
                    };
                    if let Some(url) = response_url
                        && let Err(e) = mm
                            .post_response_url(&url, &CommandResponse::ephemeral_long(&text))
                            .await
                    {
                        tracing::warn!(error = %e, "could not post the delayed reply");
                    }
                });
                CommandResponse::ephemeral("Working on it… the result will appear here shortly.")
            }
        }
    }

    /// Runs a command typed by a Mattermost user (as a slash request carries it).
    pub async fn execute(&self, req: &SlashRequest) -> Reply {
        let invocation = match command::parse(&req.text) {
            Ok(i) => i,
            Err(e) => {
                return Reply {
                    text: ServiceError::Parse {
                        message: e.to_string(),
                        usage: e.usage().to_string(),
                    }
                    .user_message(),
                    is_error: true,
                };
            }
        };
        let actor = match people::resolve_actor(self, &req.user_id, &req.user_name).await {
            Ok(a) => a,
            Err(e) => {
                return Reply {
                    text: e.user_message(),
                    is_error: true,
                };
            }
        };
        let result = self.run(actor, req.mentions.clone(), invocation).await;
        match result {
            Ok(text) => Reply {
                text,
                is_error: false,
            },
            Err(e) => Reply {
                text: e.user_message(),
                is_error: true,
            },
        }
    }

    /// Runs a command as the user with this username (for `exec`).
    pub async fn execute_as_username(&self, username: &str, text: &str) -> Reply {
        match self.deps.mm.get_user_by_username(username).await {
            Ok(u) => {
                let req = SlashRequest {
                    user_id: u.id.0,
                    user_name: u.username,
                    text: text.to_string(),
                    ..Default::default()
                };
                self.execute(&req).await
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
        let ctx = Ctx::new(self.clone(), actor, now, mentions);
        let output = dispatch(&ctx, invocation.command).await?;
        if invocation.json {
            let pretty =
                serde_json::to_string_pretty(&output.json).unwrap_or_else(|_| "null".into());
            Ok(format!("```json\n{pretty}\n```"))
        } else {
            Ok(output.text)
        }
    }
}

async fn dispatch(ctx: &Ctx, cmd: Command) -> Result<Output> {
    match cmd {
        Command::Help { topic, text } => Ok(Output::new(
            text.clone(),
            serde_json::json!({ "topic": topic, "help": text }),
        )),
        Command::Info => info::info(ctx).await,
        Command::Autopilot => autopilot_cmd::all(ctx).await,
        Command::Rotation(c) => rotation::handle(ctx, c).await,
        Command::Task(c) => task::handle(ctx, c).await,
        Command::User(c) => user::handle(ctx, c).await,
        Command::Skill(c) => skill::handle(ctx, c).await,
        Command::Calendar(c) => calendar_cmd::handle(ctx, c).await,
    }
}
