//! The arguments of one command, sorted into flags, positionals and `@mentions`, with typed getters.
//!
//! Building a command reads what it needs; whatever is left over at [`Args::finish`] is an error
//! naming that token, so nothing the user typed is ever silently ignored.

use std::collections::VecDeque;
use std::fmt::Display;

use chrono::TimeDelta;

use super::datetime::DateTimeArg;
use super::error::{ParseError, ParseErrorKind};
use super::lexer::{Token, shorten};
use super::spec::{self, FlagSpec, Leaf};
use super::suggest::closest;
use super::values::{RotationName, TaskRef, UserRef};
use crate::lottery::{SkillLevel, parse_duration};

/// One occurrence of a flag.
struct Hit {
    spec: &'static FlagSpec,
    /// `None` for a bare switch.
    value: Option<String>,
    used: bool,
}

pub struct Args {
    leaf: &'static Leaf,
    path: Vec<&'static str>,
    hits: Vec<Hit>,
    positionals: VecDeque<Token>,
    mentions: Vec<UserRef>,
    mentions_used: bool,
}

/// Global flags: accepted on every command and handled before the command is built.
pub const GLOBAL_FLAGS: [&str; 3] = ["json", "now", "help"];

/// `--name=value` / `-n=value` split into its parts.
pub enum FlagToken<'a> {
    Long(&'a str, Option<&'a str>),
    Short(char, Option<&'a str>),
}

pub fn split_flag(text: &str) -> FlagToken<'_> {
    if let Some(long) = text.strip_prefix("--") {
        match long.split_once('=') {
            Some((name, value)) => FlagToken::Long(name, Some(value)),
            None => FlagToken::Long(long, None),
        }
    } else {
        let rest = text.strip_prefix('-').unwrap_or(text);
        let mut chars = rest.chars();
        let c = chars.next().unwrap_or('-');
        let after = chars.as_str();
        let value = after
            .strip_prefix('=')
            .or(if after.is_empty() { None } else { Some(after) });
        FlagToken::Short(c, value)
    }
}

/// `true`/`false` and their everyday synonyms.
pub fn parse_bool(s: &str) -> Option<bool> {
    match s.to_ascii_lowercase().as_str() {
        "true" | "yes" | "on" | "1" => Some(true),
        "false" | "no" | "off" | "0" => Some(false),
        _ => None,
    }
}

/// A token that can be a flag's value: anything but another flag (negative numbers are values,
/// so a bad `--count -1` is reported as a bad count rather than a missing one).
fn can_be_value(t: &Token) -> bool {
    !t.is_flag() || t.text.chars().nth(1).is_some_and(|c| c.is_ascii_digit())
}

impl Args {
    /// Sorts `tokens` for `leaf`; unknown, repeated or valueless flags and bad mentions fail here.
    pub fn new(
        leaf: &'static Leaf,
        path: &[&'static str],
        tokens: &[Token],
    ) -> Result<Self, ParseError> {
        let mut args = Args {
            leaf,
            path: path.to_vec(),
            hits: Vec::new(),
            positionals: VecDeque::new(),
            mentions: Vec::new(),
            mentions_used: false,
        };
        let mut iter = tokens.iter().peekable();
        while let Some(tok) = iter.next() {
            if tok.is_flag() {
                let (spec, inline) = args.lookup(&tok.text)?;
                let shown = format!("--{}", spec.long);
                let value = match (spec.value, inline) {
                    (None, None) => None,
                    (None, Some(v)) => {
                        parse_bool(v).ok_or_else(|| {
                            args.error(ParseErrorKind::BadSwitch {
                                flag: shown.clone(),
                                value: shorten(v),
                            })
                        })?;
                        Some(v.to_string())
                    }
                    (Some(_), Some(v)) => Some(v.to_string()),
                    (Some(placeholder), None) => match iter.peek() {
                        Some(next) if can_be_value(next) => iter.next().map(|t| t.text.clone()),
                        _ => {
                            return Err(args.error(ParseErrorKind::MissingValue {
                                flag: shown,
                                example: example_for(placeholder),
                            }));
                        }
                    },
                };
                if !spec.repeatable && args.hits.iter().any(|h| std::ptr::eq(h.spec, spec)) {
                    return Err(args.error(ParseErrorKind::RepeatedFlag { flag: shown }));
                }
                args.hits.push(Hit {
                    spec,
                    value,
                    used: false,
                });
            } else if tok.is_mention() {
                for part in tok.text.split(',').filter(|p| !p.is_empty()) {
                    let user = if part.starts_with('@') {
                        UserRef::parse(part).map_err(|e| args.bad_value("a user mention", e))?
                    } else {
                        let part = shorten(part);
                        return Err(args.bad_value(
                            "a user mention",
                            format!("`{part}` needs an `@`, as in `@{part}`"),
                        ));
                    };
                    if !args.mentions.contains(&user) {
                        args.mentions.push(user);
                    }
                }
            } else {
                args.positionals.push_back(tok.clone());
            }
        }
        Ok(args)
    }

    fn lookup<'t>(
        &self,
        text: &'t str,
    ) -> Result<(&'static FlagSpec, Option<&'t str>), ParseError> {
        let (found, inline) = match split_flag(text) {
            FlagToken::Long(name, v) => (self.leaf.flags.iter().find(|f| f.matches_long(name)), v),
            FlagToken::Short(c, v) => (self.leaf.flags.iter().find(|f| f.short == Some(c)), v),
        };
        found.map(|f| (f, inline)).ok_or_else(|| {
            let name = text.split('=').next().unwrap_or(text);
            let bare = name.trim_start_matches('-');
            let candidates = self
                .leaf
                .flags
                .iter()
                .flat_map(|f| std::iter::once(f.long).chain(f.alias))
                .chain(GLOBAL_FLAGS);
            self.error(ParseErrorKind::UnknownFlag {
                flag: shorten(name),
                command: self.command(),
                suggestion: closest(bare, candidates).map(|s| format!("--{s}")),
            })
        })
    }

    /// `/lotto rotation new`.
    pub fn command(&self) -> String {
        spec::command_line(&self.path)
    }

    pub fn error(&self, kind: ParseErrorKind) -> ParseError {
        ParseError::new(kind, &self.path)
    }

    pub fn bad_value(&self, field: &str, reason: impl Display) -> ParseError {
        self.error(ParseErrorKind::BadValue {
            field: field.to_string(),
            reason: reason.to_string(),
        })
    }

    /// The occurrences of a flag, marked as read.
    fn take(&mut self, long: &str) -> Vec<&Hit> {
        for hit in self.hits.iter_mut().filter(|h| h.spec.long == long) {
            hit.used = true;
        }
        self.hits.iter().filter(|h| h.spec.long == long).collect()
    }

    /// A switch: `Some(true)` for `--x` or `--x=true`, `Some(false)` for `--x=false`, `None` if absent.
    pub fn switch(&mut self, long: &str) -> Option<bool> {
        self.take(long)
            .first()
            .map(|h| h.value.as_deref().and_then(parse_bool).unwrap_or(true))
    }

    /// A switch that is off unless given.
    pub fn on(&mut self, long: &str) -> bool {
        self.switch(long).unwrap_or(false)
    }

    /// The raw value of a single-use flag.
    pub fn raw(&mut self, long: &str) -> Option<String> {
        self.take(long).first().and_then(|h| h.value.clone())
    }

    /// Every value of a repeatable flag, in order.
    pub fn raw_all(&mut self, long: &str) -> Vec<String> {
        self.take(long)
            .iter()
            .filter_map(|h| h.value.clone())
            .collect()
    }

    /// A flag's value converted by `parse`; a failure names the flag.
    pub fn value<T, E: Display>(
        &mut self,
        long: &str,
        parse: impl FnOnce(&str) -> Result<T, E>,
    ) -> Result<Option<T>, ParseError> {
        match self.raw(long) {
            None => Ok(None),
            Some(v) => parse(&v)
                .map(Some)
                .map_err(|e| self.bad_value(&format!("`--{long}`"), e)),
        }
    }

    pub fn duration(&mut self, long: &str) -> Result<Option<TimeDelta>, ParseError> {
        self.value(long, parse_duration)
    }

    pub fn datetime(&mut self, long: &str) -> Result<Option<DateTimeArg>, ParseError> {
        self.value(long, DateTimeArg::parse)
    }

    /// A whole number within `min..=max`.
    pub fn number<T>(&mut self, long: &str, min: T, max: T) -> Result<Option<T>, ParseError>
    where
        T: std::str::FromStr + PartialOrd + Display + Copy,
    {
        self.value(long, |s| parse_number(s, min, max))
    }

    /// `skill-level` lists: comma-separated, and the flag may repeat. Repeats are dropped.
    pub fn skill_levels(&mut self, long: &str) -> Result<Vec<SkillLevel>, ParseError> {
        let mut out = Vec::new();
        for raw in self.raw_all(long) {
            let parts: Vec<&str> = raw
                .split(',')
                .map(str::trim)
                .filter(|p| !p.is_empty())
                .collect();
            if parts.is_empty() {
                return Err(self.bad_value(
                    &format!("`--{long}`"),
                    "give at least one skill, e.g. `webapp-2`",
                ));
            }
            for part in parts {
                let sl: SkillLevel = part
                    .parse()
                    .map_err(|e| self.bad_value(&format!("`--{long}`"), e))?;
                if !out.contains(&sl) {
                    out.push(sl);
                }
            }
        }
        Ok(out)
    }

    /// The next positional argument, if any.
    pub fn positional(&mut self) -> Option<Token> {
        self.positionals.pop_front()
    }

    /// The next positional argument, or an error saying what is missing.
    pub fn required(&mut self, what: &str, example: &str) -> Result<Token, ParseError> {
        self.positional().ok_or_else(|| {
            self.error(ParseErrorKind::MissingArgument {
                command: self.command(),
                what: what.to_string(),
                example: example.to_string(),
            })
        })
    }

    /// The rotation: `-r/--rotation <name>` or the next positional, not both.
    pub fn rotation(&mut self) -> Result<RotationName, ParseError> {
        let flagged = self.raw("rotation");
        let text = match flagged {
            Some(name) => name,
            None => {
                let example = format!("{} ICE", self.command());
                self.required("a rotation", &example)?.text
            }
        };
        RotationName::parse(&text).map_err(|e| self.bad_value("the rotation", e))
    }

    /// A task, written `ICE#3`.
    pub fn task(&mut self) -> Result<TaskRef, ParseError> {
        let example = format!("{} ICE#3", self.command());
        let tok = self.required("a task", &example)?;
        TaskRef::parse(&tok.text).map_err(|e| self.bad_value("the task", e))
    }

    /// Every `@mention`, in the order typed, without repeats.
    pub fn mentions(&mut self) -> Vec<UserRef> {
        self.mentions_used = true;
        self.mentions.clone()
    }

    /// At least one `@mention`.
    pub fn required_mentions(
        &mut self,
        what: &str,
        example: &str,
    ) -> Result<Vec<UserRef>, ParseError> {
        let users = self.mentions();
        if users.is_empty() {
            return Err(self.error(ParseErrorKind::MissingArgument {
                command: self.command(),
                what: what.to_string(),
                example: example.to_string(),
            }));
        }
        Ok(users)
    }

    /// At most one `@mention`; `None` means the acting user.
    pub fn one_mention(&mut self) -> Result<Option<UserRef>, ParseError> {
        let users = self.mentions();
        match users.as_slice() {
            [] => Ok(None),
            [one] => Ok(Some(one.clone())),
            [first, second, ..] => Err(self.error(ParseErrorKind::TooManyUsers {
                command: self.command(),
                first: first.to_string(),
                second: second.to_string(),
            })),
        }
    }

    /// Whether the flag was given at all (without marking it read).
    pub fn has(&self, long: &str) -> bool {
        self.hits.iter().any(|h| h.spec.long == long)
    }

    /// Errors on anything the command did not read.
    pub fn finish(self) -> Result<(), ParseError> {
        if let Some(tok) = self.positionals.front() {
            // People often forget the `@` when a command takes users.
            let suggestion = (self.mentions_used && !tok.quoted)
                .then(|| UserRef::parse(&tok.text).ok())
                .flatten()
                .map(|u| format!("@{u}"));
            return Err(self.error(ParseErrorKind::UnexpectedArgument {
                token: shorten(&tok.text),
                command: self.command(),
                suggestion,
            }));
        }
        if !self.mentions_used
            && let Some(user) = self.mentions.first()
        {
            return Err(self.error(ParseErrorKind::UnexpectedMention {
                user: user.to_string(),
                command: self.command(),
            }));
        }
        if let Some(hit) = self.hits.iter().find(|h| !h.used) {
            return Err(self.error(ParseErrorKind::UnknownFlag {
                flag: format!("--{}", hit.spec.long),
                command: self.command(),
                suggestion: None,
            }));
        }
        Ok(())
    }
}

/// A number in `min..=max`, with a message that gives the range.
pub fn parse_number<T>(s: &str, min: T, max: T) -> Result<T, String>
where
    T: std::str::FromStr + PartialOrd + Display + Copy,
{
    let out_of_range = || format!("`{}` is not a whole number from {min} to {max}", shorten(s));
    let n: T = s.trim().parse().map_err(|_| out_of_range())?;
    if n < min || n > max {
        return Err(out_of_range());
    }
    Ok(n)
}

/// A sample value for a placeholder, for "needs a value, e.g. …" messages.
fn example_for(placeholder: &str) -> String {
    match placeholder {
        p if p.contains("datetime") => "2026-03-01T09:00",
        p if p.contains("duration") => "1h30m",
        p if p.contains("skill") => "webapp-2",
        p if p.contains("period") => "weekly",
        p if p.contains("zone") => "Europe/Berlin",
        p if p.contains("rotation") => "ICE",
        p if p.contains("text") => "\"two words\"",
        p if p.contains("type") => "shift",
        _ => "1",
    }
    .to_string()
}
