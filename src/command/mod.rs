//! The `/lotto` grammar: text after `/lotto ` in, a typed [`Invocation`] or a [`ParseError`] out.
//!
//! Pure and synchronous: no I/O, no clock, no knowledge of the acting user. Datetimes stay as typed
//! ([`DateTimeArg`]) until the service resolves them in the user's zone; `@user` with no mention
//! means the acting user, which the service fills in.
//!
//! Layout: `lexer` splits tokens (quotes, escapes); `spec` is the command tree that parsing and help
//! share; `args` sorts a command's tokens into flags, positionals and mentions; one file per command
//! group builds the typed command; `help` renders usage texts from the tree.

mod args;
pub mod calendar;
pub mod datetime;
mod error;
mod help;
mod info;
pub mod lexer;
pub mod rotation;
mod rotation_set;
pub mod skill;
mod spec;
mod suggest;
pub mod task;
pub mod user;
pub mod values;
pub mod zone;

pub use calendar::{BusyMode, CalendarCommand, CalendarSource};
pub use datetime::{DateTimeArg, DateTimeError, ZoneSpec};
pub use error::{ParseError, ParseErrorKind};
pub use rotation::{
    AutopilotChange, AutopilotSettings, FillType, NeedAction, NeedChange, NewRotation,
    RotationCommand, TaskType,
};
pub use skill::SkillCommand;
pub use task::TaskCommand;
pub use user::{DisqualifySkills, UnavailableChange, UserCommand};
pub use values::{Email, IcsUrl, RotationName, Summary, TaskRef, UserRef, ValueError, Who};

use args::{Args, FlagToken, parse_bool, split_flag};
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

/// `--json`, `--now` and `--help`, which may appear anywhere.
#[derive(Default)]
struct Globals {
    json: bool,
    now: Option<DateTimeArg>,
    help: bool,
}

impl Globals {
    fn extract(tokens: Vec<Token>) -> Result<(Vec<Token>, Globals), ParseError> {
        let mut g = Globals::default();
        let mut seen: Vec<&str> = Vec::new();
        let mut rest = Vec::with_capacity(tokens.len());
        let mut iter = tokens.into_iter().peekable();
        let top = |kind| ParseError::new(kind, &[]);
        while let Some(tok) = iter.next() {
            if !tok.is_flag() {
                rest.push(tok);
                continue;
            }
            let (name, value) = match split_flag(&tok.text) {
                FlagToken::Long(n, v) if GLOBAL_NAMES.iter().any(|g| g.eq_ignore_ascii_case(n)) => {
                    (n.to_ascii_lowercase(), v.map(str::to_string))
                }
                FlagToken::Short('h', v) => ("help".to_string(), v.map(str::to_string)),
                _ => {
                    rest.push(tok);
                    continue;
                }
            };
            let name: &'static str = GLOBAL_NAMES
                .iter()
                .find(|g| **g == name)
                .copied()
                .unwrap_or("help");
            if seen.contains(&name) {
                return Err(top(ParseErrorKind::RepeatedFlag {
                    flag: format!("--{name}"),
                }));
            }
            seen.push(name);
            match name {
                "now" => {
                    let value = match value {
                        Some(v) => v,
                        None => match iter.peek() {
                            Some(next) if !next.is_flag() => {
                                iter.next().map(|t| t.text).unwrap_or_default()
                            }
                            _ => {
                                return Err(top(ParseErrorKind::MissingValue {
                                    flag: "--now".into(),
                                    example: "2026-03-01T09:00".into(),
                                }));
                            }
                        },
                    };
                    g.now = Some(DateTimeArg::parse(&value).map_err(|e| {
                        top(ParseErrorKind::BadValue {
                            field: "`--now`".into(),
                            reason: e.to_string(),
                        })
                    })?);
                }
                switch => {
                    let on = match value {
                        None => true,
                        Some(v) => parse_bool(&v).ok_or_else(|| {
                            top(ParseErrorKind::BadSwitch {
                                flag: format!("--{switch}"),
                                value: shorten(&v),
                            })
                        })?,
                    };
                    if switch == "json" {
                        g.json = on;
                    } else {
                        g.help = on;
                    }
                }
            }
        }
        Ok((rest, g))
    }
}

const GLOBAL_NAMES: [&str; 3] = args::GLOBAL_FLAGS;

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
