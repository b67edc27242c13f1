//! What went wrong in a command, as a sentence for the person who typed it, plus the usage text of
//! the command level where it went wrong so the reply can show how to type it instead.

use super::suggest::did_you_mean;

/// A command that could not be understood. `Display` is one or two sentences; [`ParseError::usage`]
/// is the usage text of the level where parsing stopped (Mattermost markdown). Boxed, so results
/// carrying it stay small.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", .0.kind)]
pub struct ParseError(Box<Inner>);

#[derive(Debug, Clone, PartialEq, Eq)]
struct Inner {
    kind: ParseErrorKind,
    usage: String,
    topic: Vec<String>,
}

impl ParseError {
    pub(crate) fn new(kind: ParseErrorKind, topic: &[&str]) -> Self {
        let usage = super::help::usage_text(topic).unwrap_or_default();
        Self(Box::new(Inner {
            kind,
            usage,
            topic: topic.iter().map(|s| s.to_string()).collect(),
        }))
    }

    pub fn kind(&self) -> &ParseErrorKind {
        &self.0.kind
    }

    /// The usage text of the command level where parsing stopped.
    pub fn usage(&self) -> &str {
        &self.0.usage
    }

    /// The command path where parsing stopped, e.g. `["rotation", "new"]`; empty at the top level.
    pub fn topic(&self) -> &[String] {
        &self.0.topic
    }

    /// The error in bold, a blank line, then the usage: what a slash-command reply shows.
    pub fn to_markdown(&self) -> String {
        format!("**{self}**\n\n{}", self.0.usage)
    }
}

/// The kinds of mistakes, each rendered as a sentence naming the offending text.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ParseErrorKind {
    #[error(
        "The command is {len} characters long; the limit is {max}. Shorten it or split it into several commands."
    )]
    TooLong { len: usize, max: usize },
    #[error("The command has more than {max} words. Split it into several commands.")]
    TooManyTokens { max: usize },
    #[error(
        "The quote that opens `{fragment}` is never closed. Add a closing `\"` (write `\\\"` for a quote inside quotes)."
    )]
    UnterminatedQuote { fragment: String },
    #[error("`{word}` is not a command of `{level}`.{}", did_you_mean(.suggestion))]
    UnknownCommand {
        word: String,
        level: String,
        suggestion: Option<String>,
    },
    #[error("`{level}` needs a command before `{token}`; see the list below.")]
    MissingSubcommand { level: String, token: String },
    #[error("`{flag}` is not a flag of `{command}`.{}", did_you_mean(.suggestion))]
    UnknownFlag {
        flag: String,
        command: String,
        suggestion: Option<String>,
    },
    #[error("`{flag}` is given more than once; give it once.")]
    RepeatedFlag { flag: String },
    #[error("`{flag}` needs a value, e.g. `{flag}={example}`.")]
    MissingValue { flag: String, example: String },
    #[error("`{flag}` is a switch: write `{flag}` or `{flag}=false`, not `{flag}={value}`.")]
    BadSwitch { flag: String, value: String },
    #[error("`{command}` needs {what}, e.g. `{example}`.")]
    MissingArgument {
        command: String,
        what: String,
        example: String,
    },
    #[error("`{token}` was not expected: `{command}` takes no more arguments.{}", did_you_mean(.suggestion))]
    UnexpectedArgument {
        token: String,
        command: String,
        suggestion: Option<String>,
    },
    #[error("`{command}` is not about users, so `@{user}` was not expected.")]
    UnexpectedMention { user: String, command: String },
    #[error("`{command}` takes at most one user, but got `@{first}` and `@{second}`.")]
    TooManyUsers {
        command: String,
        first: String,
        second: String,
    },
    #[error("Bad value for {field}: {}", sentence_end(.reason))]
    BadValue { field: String, reason: String },
    #[error("`{first}` and `{second}` can't be used together.")]
    Conflict { first: String, second: String },
    #[error("`{command}` needs at least one of {flags}.")]
    NothingToChange { command: String, flags: String },
}

/// Ends a reason with a full stop unless it already ends with punctuation.
fn sentence_end(reason: &str) -> String {
    let trimmed = reason.trim_end();
    if trimmed.ends_with(['.', '!', '?']) {
        trimmed.to_string()
    } else {
        format!("{trimmed}.")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bad_values_end_in_exactly_one_full_stop() {
        let k = ParseErrorKind::BadValue {
            field: "`--grace`".into(),
            reason: "`x` is not a duration".into(),
        };
        assert_eq!(
            k.to_string(),
            "Bad value for `--grace`: `x` is not a duration."
        );
        let k = ParseErrorKind::BadValue {
            field: "`--grace`".into(),
            reason: "it is wrong.".into(),
        };
        assert_eq!(k.to_string(), "Bad value for `--grace`: it is wrong.");
    }

    #[test]
    fn suggestions_are_appended_as_questions() {
        let k = ParseErrorKind::UnknownCommand {
            word: "rotaton".into(),
            level: "/lotto".into(),
            suggestion: Some("rotation".into()),
        };
        assert_eq!(
            k.to_string(),
            "`rotaton` is not a command of `/lotto`. Did you mean `rotation`?"
        );
    }
}
