//! Validated argument types: rotation names, user mentions, task references, summaries, e-mail
//! addresses and calendar URLs. Each is checked once here, so the service never sees raw text.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// Longest rotation name or username, in characters.
pub const MAX_NAME_LEN: usize = 64;
/// Longest ticket summary, in characters.
pub const MAX_SUMMARY_LEN: usize = 200;
/// Longest calendar feed URL, in characters.
pub const MAX_URL_LEN: usize = 2048;
/// Longest e-mail address (RFC 5321's path limit).
pub const MAX_EMAIL_LEN: usize = 254;
/// Highest shift number: a daily rotation would need thousands of years to reach it.
pub const MAX_TASK_NUMBER: i64 = 1_000_000_000;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ValueError {
    #[error(
        "`{0}` is not a rotation name: use 1–{MAX_NAME_LEN} letters, digits, `_`, `.` or `-`, not starting with `-`"
    )]
    BadRotationName(String),
    #[error(
        "`{0}` is not a username: write `@name` with 1–{MAX_NAME_LEN} letters, digits, `_`, `.` or `-`"
    )]
    BadUsername(String),
    #[error("`{0}` is not a task: write the rotation and the task number, e.g. `ICE#3`")]
    BadTaskRef(String),
    #[error("task number `{0}` is out of range: use 0 to {MAX_TASK_NUMBER}")]
    TaskNumberOutOfRange(String),
    #[error("the summary is {0} characters long; the limit is {MAX_SUMMARY_LEN}")]
    SummaryTooLong(usize),
    #[error(
        "the summary is empty: write some text in quotes, e.g. `--summary \"disk full on db-2\"`"
    )]
    EmptySummary,
    #[error("`{0}` is not an e-mail address, e.g. `alice@example.com`")]
    BadEmail(String),
    #[error("`{0}` is not a calendar URL: it must start with `https://`, `http://` or `webcal://`")]
    BadUrl(String),
    #[error("the URL is {0} characters long; the limit is {MAX_URL_LEN}")]
    UrlTooLong(usize),
}

fn is_name_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-')
}

fn valid_name(s: &str) -> bool {
    !s.is_empty() && s.chars().count() <= MAX_NAME_LEN && s.chars().all(is_name_char)
}

/// A rotation's name as typed: 1–64 of `[A-Za-z0-9_.-]`, not starting with `-` (it would read as a
/// flag). Never compiled as a pattern.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct RotationName(String);

impl RotationName {
    pub fn parse(s: &str) -> Result<Self, ValueError> {
        if valid_name(s) && !s.starts_with('-') {
            Ok(Self(s.to_string()))
        } else {
            Err(ValueError::BadRotationName(super::lexer::shorten(s)))
        }
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A mentioned user: the Mattermost username without `@`, lower-cased as Mattermost stores it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct UserRef(String);

impl UserRef {
    /// Accepts `name` or `@name`.
    pub fn parse(s: &str) -> Result<Self, ValueError> {
        let name = s.strip_prefix('@').unwrap_or(s);
        if valid_name(name) {
            Ok(Self(name.to_ascii_lowercase()))
        } else {
            Err(ValueError::BadUsername(super::lexer::shorten(s)))
        }
    }
    /// The username without `@`.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A task as people write it: rotation name, `#`, number (`ICE#3`).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct TaskRef {
    pub rotation: RotationName,
    pub number: i64,
}

impl TaskRef {
    pub fn parse(s: &str) -> Result<Self, ValueError> {
        let bad = || ValueError::BadTaskRef(super::lexer::shorten(s));
        let (rotation, number) = s.rsplit_once('#').ok_or_else(bad)?;
        let rotation = RotationName::parse(rotation).map_err(|_| bad())?;
        if number.is_empty() || !number.chars().all(|c| c.is_ascii_digit()) {
            return Err(bad());
        }
        let number = number
            .parse::<i64>()
            .ok()
            .filter(|n| *n <= MAX_TASK_NUMBER)
            .ok_or_else(|| ValueError::TaskNumberOutOfRange(number.to_string()))?;
        Ok(Self { rotation, number })
    }
}

/// A ticket summary: 1–200 characters of any text.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Summary(String);

impl Summary {
    pub fn parse(s: &str) -> Result<Self, ValueError> {
        let t = s.trim();
        let len = t.chars().count();
        if len == 0 {
            Err(ValueError::EmptySummary)
        } else if len > MAX_SUMMARY_LEN {
            Err(ValueError::SummaryTooLong(len))
        } else {
            Ok(Self(t.to_string()))
        }
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// An e-mail address, checked only for shape: the calendar provider is the real judge.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Email(String);

impl Email {
    pub fn parse(s: &str) -> Result<Self, ValueError> {
        let bad = || ValueError::BadEmail(super::lexer::shorten(s));
        if s.chars().count() > MAX_EMAIL_LEN || s.chars().any(|c| c.is_whitespace() || c == '"') {
            return Err(bad());
        }
        let (local, domain) = s.rsplit_once('@').ok_or_else(bad)?;
        let domain_ok = domain.contains('.')
            && !domain.starts_with('.')
            && !domain.ends_with('.')
            && domain
                .chars()
                .all(|c| c.is_alphanumeric() || c == '-' || c == '.');
        if local.is_empty() || local.contains('@') || !domain_ok {
            return Err(bad());
        }
        Ok(Self(s.to_string()))
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// An ICS feed URL: absolute `http`/`https` with a host, at most 2048 characters.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct IcsUrl(String);

impl IcsUrl {
    pub fn parse(s: &str) -> Result<Self, ValueError> {
        let len = s.chars().count();
        if len > MAX_URL_LEN {
            return Err(ValueError::UrlTooLong(len));
        }
        let url =
            reqwest::Url::parse(s).map_err(|_| ValueError::BadUrl(super::lexer::shorten(s)))?;
        // `webcal://` is how calendar apps publish subscribable feeds; the ICS client reads it as https.
        if !matches!(url.scheme(), "http" | "https" | "webcal")
            || url.host_str().is_none_or(str::is_empty)
        {
            return Err(ValueError::BadUrl(super::lexer::shorten(s)));
        }
        Ok(Self(s.to_string()))
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Who a command is about: the acting user (nobody mentioned) or the mentioned users.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Who {
    Me,
    /// Never empty; in the order typed, without repeats.
    Users(Vec<UserRef>),
}

impl Who {
    pub fn from_mentions(users: Vec<UserRef>) -> Self {
        if users.is_empty() {
            Who::Me
        } else {
            Who::Users(users)
        }
    }
    /// The mentions as typed (`@a @b`), empty for the acting user.
    pub fn to_input(&self) -> String {
        match self {
            Who::Me => String::new(),
            Who::Users(users) => users
                .iter()
                .map(|u| format!("@{u}"))
                .collect::<Vec<_>>()
                .join(" "),
        }
    }
}

macro_rules! string_newtype_impls {
    ($($t:ident),*) => {$(
        impl fmt::Display for $t {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }
        impl AsRef<str> for $t {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }
        impl FromStr for $t {
            type Err = ValueError;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                $t::parse(s)
            }
        }
        impl TryFrom<String> for $t {
            type Error = ValueError;
            fn try_from(s: String) -> Result<Self, Self::Error> {
                $t::parse(&s)
            }
        }
        impl From<$t> for String {
            fn from(v: $t) -> String {
                v.0
            }
        }
    )*};
}

string_newtype_impls!(RotationName, UserRef, Summary, Email, IcsUrl);

impl fmt::Display for TaskRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}#{}", self.rotation, self.number)
    }
}

impl FromStr for TaskRef {
    type Err = ValueError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        TaskRef::parse(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rotation_names_allow_only_plain_characters() {
        assert_eq!(
            RotationName::parse("SET-2.web_app").unwrap().as_str(),
            "SET-2.web_app"
        );
        for bad in ["", "a b", "ice#3", "(.*)", "ä", "-x", &"x".repeat(65)] {
            assert!(RotationName::parse(bad).is_err(), "{bad:?}");
        }
        assert!(RotationName::parse(&"x".repeat(64)).is_ok());
    }

    #[test]
    fn usernames_drop_the_at_and_lowercase() {
        assert_eq!(UserRef::parse("@Alice.B").unwrap().as_str(), "alice.b");
        assert_eq!(UserRef::parse("bob").unwrap().as_str(), "bob");
        for bad in ["@", "", "@a b", "@@a", "@a,b"] {
            assert!(UserRef::parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn task_refs_split_at_the_last_hash() {
        let t = TaskRef::parse("ICE#3").unwrap();
        assert_eq!((t.rotation.as_str(), t.number), ("ICE", 3));
        assert_eq!(t.to_string(), "ICE#3");
        for bad in ["ICE", "#3", "ICE#", "ICE#-1", "ICE#3a", "a b#1", "ICE#+3"] {
            assert!(TaskRef::parse(bad).is_err(), "{bad:?}");
        }
        assert!(matches!(
            TaskRef::parse("ICE#99999999999999999999"),
            Err(ValueError::TaskNumberOutOfRange(_))
        ));
    }

    #[test]
    fn summaries_have_limits() {
        assert_eq!(
            Summary::parse("  disk full ").unwrap().as_str(),
            "disk full"
        );
        assert_eq!(Summary::parse(" "), Err(ValueError::EmptySummary));
        assert_eq!(
            Summary::parse(&"é".repeat(201)),
            Err(ValueError::SummaryTooLong(201))
        );
        assert!(Summary::parse(&"é".repeat(200)).is_ok());
    }

    #[test]
    fn emails_and_urls_are_shape_checked() {
        assert!(Email::parse("alice@example.com").is_ok());
        for bad in [
            "alice",
            "@example.com",
            "a@b",
            "a@.com",
            "a b@c.de",
            "a@b@c.de",
        ] {
            assert!(Email::parse(bad).is_err(), "{bad:?}");
        }
        assert!(IcsUrl::parse("https://cal.example.com/a.ics?x=1").is_ok());
        assert!(IcsUrl::parse("webcal://cal.example.com/a.ics").is_ok());
        for bad in [
            "ftp://x.org/a",
            "cal.example.com",
            "https://",
            "javascript:alert(1)",
        ] {
            assert!(IcsUrl::parse(bad).is_err(), "{bad:?}");
        }
        let long = format!("https://x.org/{}", "a".repeat(MAX_URL_LEN));
        assert!(matches!(
            IcsUrl::parse(&long),
            Err(ValueError::UrlTooLong(_))
        ));
    }
}
