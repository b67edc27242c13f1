//! Splits the command text into tokens, with nom.
//!
//! Tokens are separated by whitespace. A double-quoted part (`"…"`, or Mattermost's smart quotes
//! `“…”`) keeps its spaces, and `\"` and `\\` escape inside it; quoted and bare parts glue together,
//! so `--summary="two words"` is one token. A token that *starts* with a quote is always a plain
//! value: `"--json"` is text, not a flag, and `"@bob"` is text, not a mention.

use nom::branch::alt;
use nom::bytes::complete::{take_while, take_while1};
use nom::character::complete::{anychar, char};
use nom::combinator::{eof, opt};
use nom::multi::{fold_many0, many1};
use nom::sequence::preceded;
use nom::{IResult, Parser};

/// One whitespace-separated word of the command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Token {
    /// The text with quotes removed and escapes applied.
    pub text: String,
    /// Whether the token began with a quote, which makes it a plain value.
    pub quoted: bool,
}

impl Token {
    pub fn bare(text: &str) -> Self {
        Self {
            text: text.to_string(),
            quoted: false,
        }
    }

    /// An unquoted token starting with `-` followed by a letter or `-`.
    pub fn is_flag(&self) -> bool {
        let mut chars = self.text.chars();
        !self.quoted
            && chars.next() == Some('-')
            && chars.next().is_some_and(|c| c == '-' || c.is_alphabetic())
    }

    /// An unquoted token starting with `@`.
    pub fn is_mention(&self) -> bool {
        !self.quoted && self.text.starts_with('@')
    }

    /// A bare word: neither quoted, nor a flag, nor a mention.
    pub fn is_word(&self) -> bool {
        !self.quoted && !self.is_flag() && !self.is_mention()
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LexError {
    /// Holds the text from the opening quote, shortened for display.
    #[error("the quote that opens `{0}` is never closed")]
    UnterminatedQuote(String),
}

/// nom's error for this module: either an unclosed quote (fatal) or an ordinary mismatch.
#[derive(Debug)]
enum Fail<'a> {
    Unterminated(&'a str),
    Mismatch,
}

impl<'a> nom::error::ParseError<&'a str> for Fail<'a> {
    fn from_error_kind(_input: &'a str, _kind: nom::error::ErrorKind) -> Self {
        Fail::Mismatch
    }
    fn append(_input: &'a str, _kind: nom::error::ErrorKind, other: Self) -> Self {
        other
    }
}

fn is_open_quote(c: char) -> bool {
    c == '"' || c == '“'
}

/// The closing quote for an opening one: `"` closes `"`; `”` or `"` closes `“`.
fn closes(open: char, c: char) -> bool {
    c == '"' || (open == '“' && c == '”')
}

fn quoted(input: &str) -> IResult<&str, String, Fail<'_>> {
    let (rest, open) = alt((char('"'), char('“'))).parse(input)?;
    let escape = preceded(char('\\'), anychar).map(|c| match c {
        '"' | '\\' | '“' | '”' => c.to_string(),
        other => format!("\\{other}"),
    });
    let plain = take_while1(move |c: char| c != '\\' && !closes(open, c)).map(str::to_string);
    let body = fold_many0(alt((escape, plain)), String::new, |mut acc, part| {
        acc.push_str(&part);
        acc
    });
    let close = nom::character::complete::satisfy(move |c| closes(open, c));
    let result: IResult<&str, (String, char), Fail<'_>> = (body, close).parse(rest);
    match result {
        Ok((rest, (text, _))) => Ok((rest, text)),
        Err(_) => Err(nom::Err::Failure(Fail::Unterminated(input))),
    }
}

fn bare(input: &str) -> IResult<&str, String, Fail<'_>> {
    take_while1(|c: char| !is_separator(c) && !is_open_quote(c))
        .map(str::to_string)
        .parse(input)
}

fn token(input: &str) -> IResult<&str, Token, Fail<'_>> {
    let starts_quoted = input.chars().next().is_some_and(is_open_quote);
    many1(alt((quoted, bare)))
        .map(|parts| Token {
            text: parts.concat(),
            quoted: starts_quoted,
        })
        .parse(input)
}

fn whitespace(input: &str) -> IResult<&str, &str, Fail<'_>> {
    take_while(is_separator).parse(input)
}

/// Splits `input` into tokens; stops with an error once more than `max_tokens` are found.
pub fn tokenize(input: &str, max_tokens: usize) -> Result<Result<Vec<Token>, usize>, LexError> {
    let mut tokens = Vec::new();
    let mut rest = input;
    loop {
        let step = (whitespace, opt(eof)).parse(rest);
        match step {
            Ok((_, (_, Some(_)))) => return Ok(Ok(tokens)),
            Ok((after_ws, (_, None))) => rest = after_ws,
            Err(_) => return Ok(Ok(tokens)),
        }
        match token(rest) {
            Ok((after, tok)) => {
                tokens.push(tok);
                if tokens.len() > max_tokens {
                    return Ok(Err(tokens.len()));
                }
                rest = after;
            }
            Err(nom::Err::Failure(Fail::Unterminated(at)))
            | Err(nom::Err::Error(Fail::Unterminated(at))) => {
                return Err(LexError::UnterminatedQuote(shorten(at)));
            }
            // Unreachable in practice: after whitespace there is always a bare or quoted part.
            Err(_) => return Ok(Ok(tokens)),
        }
    }
}

/// The first few characters of `s`, safe to echo inside a code span: never a whole pasted
/// paragraph, no backticks that would end the span, and no control or bidi characters that could
/// garble or disguise the reply.
pub fn shorten(s: &str) -> String {
    const KEEP: usize = 24;
    let mut out: String = s.chars().take(KEEP).map(sanitize_char).collect();
    if s.chars().count() > KEEP {
        out.push('…');
    }
    out
}

/// `s` with backticks, whitespace, control and bidi characters replaced as [`shorten`] does.
pub fn sanitize(s: &str) -> String {
    s.chars().map(sanitize_char).collect()
}

fn sanitize_char(c: char) -> char {
    match c {
        '`' => '\'',
        c if c.is_whitespace() => ' ',
        c if c.is_control() || is_invisible_format(c) => '\u{fffd}',
        c => c,
    }
}

/// Separates tokens: Unicode whitespace plus the zero-width characters chat clients slip in.
fn is_separator(c: char) -> bool {
    c.is_whitespace() || matches!(c, '\u{200b}' | '\u{2060}' | '\u{feff}')
}

/// Bidirectional overrides and zero-width characters (Unicode category Cf, the ones that matter).
fn is_invisible_format(c: char) -> bool {
    matches!(c, '\u{200b}'..='\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2060}'..='\u{2069}' | '\u{feff}' | '\u{061c}')
}

/// `s` as one token that lexes back to exactly `s`: bare when that is safe, else quoted and escaped.
pub fn quote(s: &str) -> String {
    let plain = !s.is_empty()
        && !s.starts_with(['-', '@'])
        && !s
            .chars()
            .any(|c| c.is_whitespace() || is_open_quote(c) || c == '\\' || c == '”');
    if plain {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        if matches!(c, '"' | '\\' | '“' | '”') {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(input: &str) -> Vec<String> {
        tokenize(input, 100)
            .unwrap()
            .unwrap()
            .into_iter()
            .map(|t| t.text)
            .collect()
    }

    #[test]
    fn splits_on_any_whitespace() {
        assert_eq!(
            texts("  rotation\tnew \n ICE\u{a0}x "),
            ["rotation", "new", "ICE", "x"]
        );
        assert_eq!(texts("\u{feff}info\u{200b}x"), ["info", "x"]);
        assert!(texts("").is_empty());
        assert!(texts("   ").is_empty());
    }

    #[test]
    fn quotes_keep_spaces_and_glue_to_flags() {
        assert_eq!(
            texts(r#"--summary "two words" --x="a b"c"#),
            ["--summary", "two words", "--x=a bc"]
        );
        assert_eq!(texts("“smart quotes” “mixed\""), ["smart quotes", "mixed"]);
        assert_eq!(texts(r#""""#), [""]);
    }

    #[test]
    fn escapes_apply_inside_quotes_only() {
        assert_eq!(texts(r#""say \"hi\" \\ \n""#), [r#"say "hi" \ \n"#]);
        assert_eq!(texts(r#"a\b"#), [r#"a\b"#]);
    }

    #[test]
    fn a_quoted_start_makes_plain_text() {
        let toks = tokenize(r#""--json" "@bob" --json @bob"#, 100)
            .unwrap()
            .unwrap();
        assert!(!toks[0].is_flag() && !toks[1].is_mention());
        assert!(toks[2].is_flag() && toks[3].is_mention());
        assert!(!Token::bare("-5").is_flag() && !Token::bare("-").is_flag());
    }

    #[test]
    fn unclosed_quotes_are_reported_with_their_text() {
        assert_eq!(
            tokenize(r#"task new ticket --summary "disk full"#, 100),
            Err(LexError::UnterminatedQuote("\"disk full".into()))
        );
        assert!(tokenize(r#""ends with backslash\"#, 100).is_err());
        assert!(tokenize("“never closed", 100).is_err());
    }

    #[test]
    fn quoting_round_trips_through_the_lexer() {
        for s in [
            "plain",
            "two words",
            "",
            "--json",
            "@bob",
            r#"a "b" \ c"#,
            "“x”",
            "tab\there",
        ] {
            let toks = tokenize(&quote(s), 10).unwrap().unwrap();
            assert_eq!(toks.len(), 1, "{s:?}");
            assert_eq!(toks[0].text, s);
            assert!(toks[0].is_word() || toks[0].quoted);
        }
        assert_eq!(quote("ICE"), "ICE");
    }

    #[test]
    fn shortened_echoes_are_safe_in_code_spans() {
        assert_eq!(shorten("a`b"), "a'b");
        assert_eq!(shorten("x\u{202e}y\u{0}\tz"), "x\u{fffd}y\u{fffd} z");
        assert_eq!(shorten(&"é".repeat(30)), format!("{}…", "é".repeat(24)));
    }

    #[test]
    fn stops_counting_past_the_limit() {
        assert_eq!(tokenize("a b c d", 3), Ok(Err(4)));
        assert_eq!(tokenize("a b c", 3).unwrap().unwrap().len(), 3);
    }
}
