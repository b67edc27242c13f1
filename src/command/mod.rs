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
mod globals;
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

pub use crate::lottery::{AutopilotChange, AutopilotUpdate, TaskType};
pub use calendar::{BusyMode, CalendarCommand, CalendarSource};
pub use datetime::{DateTimeArg, DateTimeError, ZoneSpec};
pub use error::{ParseError, ParseErrorKind};
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
mod tests {
    use super::*;

    fn help_topic(text: &str) -> Vec<String> {
        match parse(text).unwrap().command {
            Command::Help { topic, text } => {
                assert!(!text.is_empty());
                topic
            }
            other => panic!("{text}: expected help, got {other:?}"),
        }
    }

    #[test]
    fn help_comes_from_every_spelling() {
        assert!(help_topic("").is_empty());
        assert!(help_topic("   ").is_empty());
        assert!(help_topic("help").is_empty());
        assert!(help_topic("--help").is_empty());
        assert_eq!(help_topic("rotation"), ["rotation"]);
        assert_eq!(help_topic("help rotation"), ["rotation"]);
        assert_eq!(help_topic("rotation help"), ["rotation"]);
        assert_eq!(help_topic("Rotation SET"), ["rotation", "set"]);
        assert_eq!(
            help_topic("help rotation set autopilot"),
            ["rotation", "set", "autopilot"]
        );
        assert_eq!(help_topic("rotation new -h"), ["rotation", "new"]);
        assert_eq!(
            help_topic("rotation new ICE --period nonsense --help"),
            ["rotation", "new"]
        );
        assert_eq!(help_topic("task new"), ["task", "new"]);
        assert_eq!(help_topic("calendar set"), ["calendar", "set"]);
    }

    #[test]
    fn help_text_is_the_usage_of_that_level() {
        let Command::Help { text, .. } = parse("help user").unwrap().command else {
            panic!()
        };
        assert_eq!(Some(text), usage(&["user"]));
    }

    #[test]
    fn global_flags_work_anywhere_on_every_command() {
        let inv = parse("--json rotation list").unwrap();
        assert!(inv.json && inv.now.is_none());
        let inv = parse("rotation --now 2026-03-01T09:00Z autopilot ICE").unwrap();
        assert_eq!(
            inv.now,
            Some(DateTimeArg::parse("2026-03-01T09:00Z").unwrap())
        );
        assert!(!inv.json);
        let inv = parse(r#"user show --now="2026-03-01 09:00 Europe/Berlin" --json=true"#).unwrap();
        assert!(inv.json && inv.now.is_some());
        assert!(!parse("info --json=false").unwrap().json);
        assert!(parse("info --json --json").is_err());
        assert!(parse("info --now").is_err());
        let err = parse("info --now=yesterday").unwrap_err();
        assert!(
            err.to_string().contains("`--now`") && err.to_string().contains("`yesterday`"),
            "{err}"
        );
    }

    #[test]
    fn typos_get_suggestions_for_commands_and_flags() {
        let cases = [
            ("rotaton list", "`rotation`"),
            ("rotation shwo ICE", "`show`"),
            ("rotation set autopliot ICE", "`autopilot`"),
            ("rotation new ICE --peroid weekly", "`--period`"),
            ("task list ICE --al", "`--all`"),
            ("info --jsno", "`--json`"),
            ("calender sync", "`calendar`"),
            ("hlep", "`help`"),
        ];
        for (text, suggestion) in cases {
            let err = parse(text).unwrap_err();
            let msg = err.to_string();
            assert!(
                msg.contains(&format!("Did you mean {suggestion}?")),
                "{text}: {msg}"
            );
        }
    }

    #[test]
    fn errors_carry_the_usage_of_their_level() {
        let err = parse("rotation nope").unwrap_err();
        assert_eq!(err.topic(), ["rotation"]);
        assert_eq!(Some(err.usage().to_string()), usage(&["rotation"]));
        let err = parse("rotation new ICE --bogus").unwrap_err();
        assert_eq!(err.topic(), ["rotation", "new"]);
        assert!(err.usage().contains("--period"));
        assert!(
            err.to_markdown()
                .starts_with("**`--bogus` is not a flag of `/lotto rotation new`.**")
        );
        let err = parse("nope").unwrap_err();
        assert!(err.topic().is_empty() && err.usage().contains("/lotto rotation"));
    }

    #[test]
    fn flags_before_the_command_word_are_explained() {
        let err = parse("rotation --period weekly new ICE").unwrap_err();
        assert!(
            matches!(err.kind(), ParseErrorKind::MissingSubcommand { token, .. } if token == "--period"),
            "{err}"
        );
        let err = parse("\"rotation\" list").unwrap_err();
        assert!(
            matches!(err.kind(), ParseErrorKind::MissingSubcommand { .. }),
            "{err}"
        );
    }

    #[test]
    fn limits_are_enforced_with_clear_messages() {
        let err = parse(&"a".repeat(MAX_TEXT_LEN + 1)).unwrap_err();
        assert!(err.to_string().contains("4097 characters"), "{err}");
        let err = parse(&"x ".repeat(MAX_TOKENS + 1)).unwrap_err();
        assert!(
            matches!(err.kind(), ParseErrorKind::TooManyTokens { .. }),
            "{err}"
        );
        let err = parse("task new ticket ICE --summary \"oops").unwrap_err();
        assert!(err.to_string().contains("`\"oops`"), "{err}");
    }

    #[test]
    fn repeated_and_valueless_flags_are_errors() {
        let err = parse("rotation new ICE --fuzz 1 --fuzz=2").unwrap_err();
        assert!(matches!(err.kind(), ParseErrorKind::RepeatedFlag { flag } if flag == "--fuzz"));
        let err = parse("rotation new ICE --period").unwrap_err();
        assert!(err.to_string().contains("`--period=weekly`"), "{err}");
        let err = parse("rotation new ICE --period --fuzz 1").unwrap_err();
        assert!(
            matches!(err.kind(), ParseErrorKind::MissingValue { .. }),
            "{err}"
        );
        let err = parse("task list ICE --all=maybe").unwrap_err();
        assert!(
            matches!(err.kind(), ParseErrorKind::BadSwitch { .. }),
            "{err}"
        );
    }

    #[test]
    fn short_flags_take_values_in_three_spellings() {
        for text in [
            "task new shift ICE -n 4",
            "task new shift ICE -n=4",
            "task new shift ICE -n4",
        ] {
            let Command::Task(TaskCommand::NewShift { number, .. }) = parse(text).unwrap().command
            else {
                panic!("{text}")
            };
            assert_eq!(number, Some(4), "{text}");
        }
    }

    #[test]
    fn quoted_tokens_are_never_flags_or_mentions() {
        let Command::Task(TaskCommand::NewTicket { summary, .. }) =
            parse(r#"task new ticket ICE --summary "--json @bob""#)
                .unwrap()
                .command
        else {
            panic!()
        };
        assert_eq!(summary.unwrap().as_str(), "--json @bob");
        assert!(
            !parse(r#"task new ticket ICE --summary "--json""#)
                .unwrap()
                .json
        );
    }

    #[test]
    fn canonical_text_round_trips() {
        for text in [
            "info",
            "help rotation set",
            "rotation new ICE --period 3d --beginning \"2026-03-02 09:00 Europe/Berlin\" --seed 7 --tz America/New_York",
            "rotation set autopilot ICE --create --create-prior=2w --remind-finish=false",
            "rotation set require ICE -s a-2,b --count 3",
            "rotation set limit ICE --clear",
            "rotation owner add ICE @a @b",
            "task new ticket ICE --summary “say \\\"hi\\\" \\\\ there”",
            "task assign ICE#3 @a -f --json --now today",
            "user qualify @x -s web.app-expert,db",
            "user unavailable @a --clear --start 2026-03-01T09:00+02:00 --finish 2026-03-02",
            "calendar connect ics https://x.org/a.ics?b=1&c=2 @a",
        ] {
            let first = parse(text).unwrap();
            let canonical = first.to_input();
            let second = parse(&canonical).unwrap_or_else(|e| panic!("{canonical}: {e}"));
            assert_eq!(first, second, "{text} -> {canonical}");
            assert_eq!(second.to_input(), canonical);
        }
    }
}
