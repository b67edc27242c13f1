//! Service errors, and the one place where they become what a user reads.
//!
//! User-facing variants carry a complete sentence (what was wrong and what to type instead). Internal
//! failures (database, Mattermost down) are logged with context and shown as a short apology with a
//! reference, never with internals.

use crate::mattermost::MattermostError;
use crate::store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    /// The command text was not understood; carries the usage to show.
    #[error("{message}")]
    Parse { message: String, usage: String },
    #[error("{0}")]
    NotFound(String),
    #[error("{0}")]
    Forbidden(String),
    #[error("{0}")]
    Invalid(String),
    #[error("{0}")]
    Conflict(String),
    /// A fill could not meet the needs; the text explains who was excluded and why.
    #[error("{0}")]
    Fill(String),
    #[error("Mattermost did not answer as expected: {0}")]
    Mattermost(#[from] MattermostError),
    #[error("storage failed: {0}")]
    Store(#[from] StoreError),
}

pub type Result<T, E = ServiceError> = std::result::Result<T, E>;

impl ServiceError {
    pub fn invalid(msg: impl Into<String>) -> Self {
        ServiceError::Invalid(msg.into())
    }

    /// Whether this is our failure (database, Mattermost) rather than something the user can fix.
    pub fn is_internal(&self) -> bool {
        matches!(self, ServiceError::Mattermost(_) | ServiceError::Store(_))
    }

    /// The text shown to the user; `reference` is quoted for internal failures so an admin can find
    /// the logged error. Pure: logging is the caller's (`Service::execute`).
    pub fn user_message(&self, reference: Option<&str>) -> String {
        let reference = reference.unwrap_or("none");
        match self {
            ServiceError::Parse { message, usage } => {
                if usage.is_empty() {
                    message.clone()
                } else {
                    format!("{message}\n\n{usage}")
                }
            }
            ServiceError::NotFound(m)
            | ServiceError::Forbidden(m)
            | ServiceError::Invalid(m)
            | ServiceError::Conflict(m)
            | ServiceError::Fill(m) => m.clone(),
            ServiceError::Mattermost(_) => format!(
                "Solar Lottery could not reach Mattermost to complete this, so nothing was changed. \
                 Please try again in a minute (reference `{reference}`)."
            ),
            ServiceError::Store(e) if e.is_unavailable() => format!(
                "The database is unavailable right now, so nothing was changed. Please try again in a \
                 minute; if it keeps happening, give your admin the reference `{reference}`."
            ),
            ServiceError::Store(_) => format!(
                "Something went wrong on our side and nothing was changed. Please try again; if it keeps \
                 happening, give your admin the reference `{reference}`."
            ),
        }
    }
}

/// A short id that ties what a user was told to the logged error.
pub fn new_reference() -> String {
    uuid::Uuid::new_v4().simple().to_string()[..8].to_string()
}
