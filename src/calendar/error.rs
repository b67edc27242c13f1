//! Why one person's calendar could not be read. Each failure belongs to one person: the job reports
//! it to them once and retries on its next run, while everyone else's sync goes on.

use std::time::Duration;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SourceError {
    #[error(
        "Microsoft Graph does not know the calendar address `{email}` ({code}). Check the address and \
         connect again with `/lotto calendar connect graph <email>`."
    )]
    UnknownAddress { email: String, code: String },

    #[error(
        "Microsoft Graph could not read the calendar of `{email}`: {message} ({code}). If this keeps \
         happening, ask a bot admin to check the Graph app's permissions."
    )]
    Graph {
        email: String,
        code: String,
        message: String,
    },

    #[error(
        "Microsoft Graph left `{email}` out of its answer. The bot will try again on its next run."
    )]
    MissingFromResponse { email: String },

    #[error(
        "Microsoft Graph is throttling calendar requests and still refused after {attempts} attempts. \
         The bot will try again on its next run."
    )]
    Throttled { attempts: u32 },

    #[error(
        "Microsoft Graph calendars are not set up on this server. Ask a bot admin to configure \
         LOTTO_GRAPH_TENANT, LOTTO_GRAPH_CLIENT_ID and LOTTO_GRAPH_CLIENT_SECRET, or connect an ICS \
         feed with `/lotto calendar connect ics <url>`."
    )]
    GraphNotConfigured,

    #[error(
        "The bot could not sign in to Microsoft Graph: {0}. Ask a bot admin to check the Graph \
         tenant, client id and secret, and that admin consent was given (`/lotto calendar consent-url`)."
    )]
    Token(String),

    #[error(
        "The calendar server did not answer within {0:?}. The bot will try again on its next run."
    )]
    Timeout(Duration),

    #[error("The calendar server answered HTTP {status}. The bot will try again on its next run.")]
    Http { status: u16 },

    #[error(
        "The calendar server could not be reached ({0}). The bot will try again on its next run."
    )]
    Transport(String),

    #[error("The calendar server's answer could not be read: {0}.")]
    Decode(String),

    #[error(
        "`{url}` is not a calendar feed address: {reason}. Connect an http:// or https:// ICS link \
         with `/lotto calendar connect ics <url>`."
    )]
    BadUrl { url: String, reason: String },

    #[error(
        "The calendar feed is larger than {limit_bytes} bytes, which is more than the bot reads. \
         Share a smaller calendar (e.g. only your work calendar)."
    )]
    TooLarge { limit_bytes: usize },

    #[error(
        "The calendar feed is not a valid iCalendar file: {0}. Check that the link points to an \
         .ics feed, not a web page."
    )]
    InvalidIcs(String),
}

impl SourceError {
    pub(crate) fn from_reqwest(err: &reqwest::Error, timeout: Duration) -> Self {
        if err.is_timeout() {
            Self::Timeout(timeout)
        } else if err.is_decode() {
            Self::Decode(err.to_string())
        } else if let Some(status) = err.status() {
            Self::Http {
                status: status.as_u16(),
            }
        } else {
            // reqwest's Display names the URL; ICS URLs can carry secrets, so keep only the cause.
            Self::Transport(root_cause(err))
        }
    }

    /// Whether trying the same request again soon may succeed.
    pub fn is_transient(&self) -> bool {
        matches!(
            self,
            Self::Throttled { .. }
                | Self::Timeout(_)
                | Self::Transport(_)
                | Self::MissingFromResponse { .. }
        ) || matches!(self, Self::Http { status } if *status >= 500 || *status == 429)
    }
}

fn root_cause(err: &(dyn std::error::Error + 'static)) -> String {
    let mut cause = err;
    while let Some(next) = cause.source() {
        cause = next;
    }
    cause.to_string()
}
