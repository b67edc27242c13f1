//! `--json`, `--now=<datetime>` and `-h/--help`: accepted anywhere on every command, so they are
//! taken out of the token list before the command words are followed.

use super::args::{FlagToken, parse_bool, split_flag};
use super::datetime::DateTimeArg;
use super::error::{ParseError, ParseErrorKind};
use super::lexer::{Token, shorten};

#[derive(Debug, Default, PartialEq, Eq)]
pub struct Globals {
    pub json: bool,
    pub now: Option<DateTimeArg>,
    pub help: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Global {
    Json,
    Now,
    Help,
}

impl Global {
    fn of(tok: &Token) -> Option<(Global, Option<String>)> {
        if !tok.is_flag() {
            return None;
        }
        let (global, value) = match split_flag(&tok.text) {
            FlagToken::Long(name, v) if name.eq_ignore_ascii_case("json") => (Global::Json, v),
            FlagToken::Long(name, v) if name.eq_ignore_ascii_case("now") => (Global::Now, v),
            FlagToken::Long(name, v) if name.eq_ignore_ascii_case("help") => (Global::Help, v),
            FlagToken::Short('h', v) => (Global::Help, v),
            _ => return None,
        };
        Some((global, value.map(str::to_string)))
    }

    fn flag(self) -> &'static str {
        match self {
            Global::Json => "--json",
            Global::Now => "--now",
            Global::Help => "--help",
        }
    }
}

fn error(kind: ParseErrorKind) -> ParseError {
    ParseError::new(kind, &[])
}

impl Globals {
    /// Splits the global flags off `tokens`, returning the rest in order.
    pub fn extract(tokens: Vec<Token>) -> Result<(Vec<Token>, Globals), ParseError> {
        let mut globals = Globals::default();
        let mut seen: Vec<Global> = Vec::new();
        let mut rest = Vec::with_capacity(tokens.len());
        let mut iter = tokens.into_iter().peekable();
        while let Some(tok) = iter.next() {
            let Some((global, value)) = Global::of(&tok) else {
                rest.push(tok);
                continue;
            };
            if seen.contains(&global) {
                return Err(error(ParseErrorKind::RepeatedFlag {
                    flag: global.flag().into(),
                }));
            }
            seen.push(global);
            if global == Global::Now {
                let value = match value {
                    Some(v) => v,
                    None => iter
                        .next_if(|t| !t.is_flag())
                        .map(|t| t.text)
                        .ok_or_else(|| {
                            error(ParseErrorKind::MissingValue {
                                flag: "--now".into(),
                                example: "2026-03-01T09:00".into(),
                            })
                        })?,
                };
                let now = DateTimeArg::parse(&value).map_err(|e| {
                    error(ParseErrorKind::BadValue {
                        field: "`--now`".into(),
                        reason: e.to_string(),
                    })
                })?;
                globals.now = Some(now);
                continue;
            }
            let on = match value {
                None => true,
                Some(v) => parse_bool(&v).ok_or_else(|| {
                    error(ParseErrorKind::BadSwitch {
                        flag: global.flag().into(),
                        value: shorten(&v),
                    })
                })?,
            };
            match global {
                Global::Json => globals.json = on,
                _ => globals.help = on,
            }
        }
        Ok((rest, globals))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::command::lexer::tokenize;

    fn extract(text: &str) -> Result<(Vec<String>, Globals), ParseError> {
        let tokens = tokenize(text, 100).unwrap().unwrap();
        Globals::extract(tokens).map(|(rest, g)| (rest.into_iter().map(|t| t.text).collect(), g))
    }

    #[test]
    fn takes_globals_from_anywhere_and_keeps_the_rest_in_order() {
        let (rest, g) = extract("a --JSON b --now=today c -h").unwrap();
        assert_eq!(rest, ["a", "b", "c"]);
        assert_eq!(
            g,
            Globals {
                json: true,
                now: Some(DateTimeArg::Today),
                help: true
            }
        );
        let (rest, g) = extract("a --now 2026-03-01 --json=false --other").unwrap();
        assert_eq!(rest, ["a", "--other"]);
        assert_eq!((g.json, g.now.is_some()), (false, true));
    }

    #[test]
    fn quoted_lookalikes_stay_in_place() {
        let (rest, g) = extract(r#"a "--json" "-h""#).unwrap();
        assert_eq!(rest, ["a", "--json", "-h"]);
        assert_eq!(g, Globals::default());
    }

    #[test]
    fn repeats_missing_and_bad_values_are_errors() {
        assert!(extract("--json --json").is_err());
        assert!(extract("--now").is_err());
        assert!(extract("--now --json").is_err());
        assert!(extract("--now=someday").is_err());
        assert!(extract("--json=perhaps").is_err());
        assert!(extract("--help --help").is_err());
    }
}
