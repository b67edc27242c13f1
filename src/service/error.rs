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

impl From<sqlx::Error> for ServiceError {
    fn from(e: sqlx::Error) -> Self {
        ServiceError::Store(StoreError::from(e))
    }
}

pub type Result<T, E = ServiceError> = std::result::Result<T, E>;

impl ServiceError {
    pub fn invalid(msg: impl Into<String>) -> Self {
        ServiceError::Invalid(msg.into())
    }

    /// The text shown to the user.
    pub fn user_message(&self) -> String {
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
            ServiceError::Mattermost(e) => {
                let reference = reference();
                tracing::error!(error = %e, reference, "Mattermost call failed during a command");
                format!(
                    "Solar Lottery could not reach Mattermost to complete this, so nothing was changed. \
                     Please try again in a minute (reference `{reference}`)."
                )
            }
            ServiceError::Store(e) => {
                let reference = reference();
                tracing::error!(error = %e, reference, "storage failed during a command");
                format!(
                    "Something went wrong on our side and nothing was changed. Please try again; if it keeps \
                     happening, give your admin the reference `{reference}`."
                )
            }
        }
    }
}

fn reference() -> String {
    uuid::Uuid::new_v4().simple().to_string()[..8].to_string()
}
