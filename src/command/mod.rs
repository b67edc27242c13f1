//! The `/lotto` grammar: text after `/lotto ` in, a typed [`Invocation`] or a [`ParseError`] out.
//!
//! Pure and synchronous: no I/O, no clock, no knowledge of the acting user. Datetimes stay as typed
//! ([`DateTimeArg`]) until the service resolves them in the user's zone; `@user` with no mention
//! means the acting user, which the service fills in.
//!
//! Layout: `lexer` splits tokens (quotes, escapes); `spec` is the command tree that parsing and help
//! share; `args` sorts a command's tokens into flags, positionals and mentions; one file per command
//! group builds the typed command; `help` renders usage texts from the tree.

pub mod admin;
mod args;
pub mod calendar;
pub mod datetime;
mod error;
mod globals;
mod help;
pub mod history;
pub mod holiday;
mod info;
pub mod lexer;
pub mod presence;
pub mod profile;
pub mod rotation;
pub mod rotation_report;
mod rotation_set;
pub mod skill;
mod spec;
mod suggest;
pub mod task;
mod task_swap;
pub mod user;
pub mod values;
pub mod zone;

pub use crate::lottery::{AutopilotChange, AutopilotUpdate, TaskType};
pub use admin::AdminCommand;
pub use calendar::{BusyMode, CalendarCommand, CalendarSource};
pub use datetime::{DateTimeArg, DateTimeError, ZoneSpec};
pub use error::{ParseError, ParseErrorKind};
pub use history::HistoryCommand;
pub use holiday::HolidayCommand;
pub use presence::{OncallChange, PresenceChange};
pub use profile::{EmojiName, ImageUrl, Nickname, ProfileCommand};
pub use rotation::{FillType, NeedAction, NeedChange, NewRotation, RotationCommand};
pub use skill::SkillCommand;
pub use task::TaskCommand;
pub use user::{DisqualifySkills, UnavailableChange, UserCommand};
pub use values::{Email, IcsUrl, RotationName, Summary, TaskRef, UserRef, ValueError, Who};

use args::Args;
use globals::Globals;
use lexer::{Token, shorten};
use spec::{Node, ROOT};
use suggest::closest;

/// Longest accepted command text, in characters.
pub const MAX_TEXT_LEN: usize = 4096;
/// Most tokens (words) in one command.
pub const MAX_TOKENS: usize = 100;

/// A parsed command with the options every command accepts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invocation {
    pub command: Command,
    /// `--json`: reply with the result as JSON.
    pub json: bool,
    /// `--now=<datetime>`: act as if it were that time (bot admins only; the service checks).
    pub now: Option<DateTimeArg>,
}

/// Everything `/lotto` can do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    /// `info`: version and build.
    Info,
    /// `autopilot`: run every rotation's autopilot now (bot admins).
    Autopilot,
    /// `help [topic…]`, a bare group such as `rotation`, or `--help` on any command.
    Help {
        topic: Vec<String>,
        text: String,
    },
    Rotation(RotationCommand),
    Task(TaskCommand),
    User(UserCommand),
    Skill(SkillCommand),
    Calendar(CalendarCommand),
    /// `who [<rot>]`: who is on call now (every active rotation, or one).
    Who(Option<RotationName>),
    Admin(AdminCommand),
    Holiday(HolidayCommand),
    /// `rotation history`, `task history`: the audit log.
    History(HistoryCommand),
    Profile(ProfileCommand),
}

/// Parses the text that follows `/lotto `.
pub fn parse(text: &str) -> Result<Invocation, ParseError> {
    let len = text.chars().count();
    if len > MAX_TEXT_LEN {
        return Err(ParseError::new(
            ParseErrorKind::TooLong {
                len,
                max: MAX_TEXT_LEN,
            },
            &[],
        ));
    }
    let tokens = match lexer::tokenize(text, MAX_TOKENS) {
        Ok(Ok(tokens)) => tokens,
        Ok(Err(_)) => {
            return Err(ParseError::new(
                ParseErrorKind::TooManyTokens { max: MAX_TOKENS },
                &[],
            ));
        }
        Err(lexer::LexError::UnterminatedQuote(fragment)) => {
            return Err(ParseError::new(
                ParseErrorKind::UnterminatedQuote { fragment },
                &[],
            ));
        }
    };
    let (tokens, globals) = Globals::extract(tokens)?;
    let command = walk(&tokens, globals.help)?;
    Ok(Invocation {
        command,
        json: globals.json,
        now: globals.now,
    })
}

/// The usage text for a command path: `[]` for the top level, `["rotation", "set"]`, … (any case).
pub fn usage(path: &[&str]) -> Option<String> {
    help::usage_text(path)
}

/// Follows command words down the tree, then builds the command found there.
fn walk(tokens: &[Token], mut help: bool) -> Result<Command, ParseError> {
    let mut group = &ROOT;
    let mut path: Vec<&'static str> = Vec::new();
    let mut i = 0;
    loop {
        let Some(tok) = tokens.get(i) else {
            return Ok(help_for(&path));
        };
        if tok.is_word() && tok.text.eq_ignore_ascii_case("help") {
            help = true;
            i += 1;
            continue;
        }
        let level = spec::command_line(&path);
        if !tok.is_word() {
            return Err(ParseError::new(
                ParseErrorKind::MissingSubcommand {
                    level,
                    token: shorten(&tok.text),
                },
                &path,
            ));
        }
        let Some(node) = group.child(&tok.text) else {
            let candidates = group.children.iter().map(Node::name);
            let suggestion = closest(&tok.text, candidates.chain(std::iter::once("help")));
            return Err(ParseError::new(
                ParseErrorKind::UnknownCommand {
                    word: shorten(&tok.text),
                    level,
                    suggestion: suggestion.map(str::to_string),
                },
                &path,
            ));
        };
        path.push(node.name());
        i += 1;
        match node {
            Node::Group(g) => group = g,
            Node::Leaf(_) if help => return Ok(help_for(&path)),
            Node::Leaf(leaf) => {
                let mut args = Args::new(leaf, &path, &tokens[i..])?;
                let command = (leaf.build)(&mut args)?;
                args.finish()?;
                return Ok(command);
            }
        }
    }
}

fn help_for(path: &[&'static str]) -> Command {
    Command::Help {
        topic: path.iter().map(|s| s.to_string()).collect(),
        text: help::usage_text(path).unwrap_or_default(),
    }
}

impl Command {
    /// The canonical command text (without `/lotto `), which parses back to this command. Useful
    /// for echoing what was understood.
    pub fn to_input(&self) -> String {
        match self {
            Command::Info => "info".into(),
            Command::Autopilot => "autopilot".into(),
            Command::Help { topic, .. } if topic.is_empty() => "help".into(),
            Command::Help { topic, .. } => format!("help {}", topic.join(" ")),
            Command::Rotation(c) => c.to_input(),
            Command::Task(c) => c.to_input(),
            Command::User(c) => c.to_input(),
            Command::Skill(c) => c.to_input(),
            Command::Calendar(c) => c.to_input(),
            Command::Who(None) => "who".into(),
            Command::Who(Some(r)) => format!("who {r}"),
            Command::Admin(c) => c.to_input(),
            Command::Holiday(c) => c.to_input(),
            Command::History(c) => c.to_input(),
            Command::Profile(c) => c.to_input(),
        }
    }
}

impl Invocation {
    /// The canonical command text including `--json` and `--now`.
    pub fn to_input(&self) -> String {
        let mut s = self.command.to_input();
        if self.json {
            s.push_str(" --json");
        }
        if let Some(now) = &self.now {
            s.push_str(&format!(" --now={now}"));
        }
        s
    }
}

#[cfg(test)]
mod tests;
