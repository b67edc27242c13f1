//! Skills, levels and `skill-level` pairs.
//!
//! Levels are 1–4 (beginner, intermediate, advanced, expert) and render as symbols (◉ ▣ ◈ ◈◈).
//! A `SkillLevel` is what a need or limit is keyed by: `any` (everyone qualifies) or a skill at a
//! minimum level. A user qualifies when their level in the skill is at least the needed level.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

/// Longest accepted skill name, in characters.
pub const MAX_SKILL_NAME_LEN: usize = 32;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SkillError {
    #[error(
        "`{0}` is not a skill level: use 1–4, beginner, intermediate, advanced or expert (or ◉ ▣ ◈ ◈◈)"
    )]
    BadLevel(String),
    #[error("a skill name can't be empty")]
    EmptyName,
    #[error("skill name `{0}` is too long: at most {MAX_SKILL_NAME_LEN} characters")]
    NameTooLong(String),
    #[error(
        "skill name `{0}` may only contain letters, digits, `_` and `.` (a `-` separates the level, as in `webapp-2`)"
    )]
    BadName(String),
    #[error("`any` is reserved: it means \"any skill\" and can't be used as a skill name")]
    Reserved,
    #[error(
        "`{0}` is not a skill-level: write `skill` or `skill-level`, e.g. `webapp-2` or `server-expert`"
    )]
    BadSkillLevel(String),
}

/// Proficiency in a skill, 1–4.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(into = "u8", try_from = "u8")]
pub enum Level {
    Beginner = 1,
    Intermediate = 2,
    Advanced = 3,
    Expert = 4,
}

impl Level {
    pub const ALL: [Level; 4] = [
        Level::Beginner,
        Level::Intermediate,
        Level::Advanced,
        Level::Expert,
    ];

    pub fn value(self) -> u8 {
        self as u8
    }

    pub fn from_value(v: u8) -> Option<Level> {
        Level::ALL.into_iter().find(|l| l.value() == v)
    }

    pub fn name(self) -> &'static str {
        match self {
            Level::Beginner => "beginner",
            Level::Intermediate => "intermediate",
            Level::Advanced => "advanced",
            Level::Expert => "expert",
        }
    }

    pub fn symbol(self) -> &'static str {
        match self {
            Level::Beginner => "◉",
            Level::Intermediate => "▣",
            Level::Advanced => "◈",
            Level::Expert => "◈◈",
        }
    }
}

impl From<Level> for u8 {
    fn from(l: Level) -> u8 {
        l.value()
    }
}

impl TryFrom<u8> for Level {
    type Error = SkillError;
    fn try_from(v: u8) -> Result<Self, Self::Error> {
        Level::from_value(v).ok_or_else(|| SkillError::BadLevel(v.to_string()))
    }
}

impl FromStr for Level {
    type Err = SkillError;
    /// Accepts the number, the name (any case) or the symbol.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let t = s.trim();
        Level::ALL
            .into_iter()
            .find(|l| {
                t == l.value().to_string() || t.eq_ignore_ascii_case(l.name()) || t == l.symbol()
            })
            .ok_or_else(|| SkillError::BadLevel(s.to_string()))
    }
}

impl fmt::Display for Level {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.symbol())
    }
}

/// A validated skill name: 1–32 of `[A-Za-z0-9_.]`, never `any`. Stored as typed (case kept).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct SkillName(String);

impl SkillName {
    pub fn parse(s: &str) -> Result<Self, SkillError> {
        let s = s.trim();
        if s.is_empty() {
            return Err(SkillError::EmptyName);
        }
        if s.chars().count() > MAX_SKILL_NAME_LEN {
            return Err(SkillError::NameTooLong(
                s.chars().take(MAX_SKILL_NAME_LEN).collect(),
            ));
        }
        if s.eq_ignore_ascii_case("any") {
            return Err(SkillError::Reserved);
        }
        if !s
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.')
        {
            return Err(SkillError::BadName(s.to_string()));
        }
        Ok(SkillName(s.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl FromStr for SkillName {
    type Err = SkillError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        SkillName::parse(s)
    }
}

impl TryFrom<String> for SkillName {
    type Error = SkillError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        SkillName::parse(&s)
    }
}

impl From<SkillName> for String {
    fn from(s: SkillName) -> String {
        s.0
    }
}

impl AsRef<str> for SkillName {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for SkillName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A user's skills: skill → level.
pub type Skills = BTreeMap<SkillName, Level>;

/// What a need or limit is about: anyone, or a skill at a minimum level.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum SkillLevel {
    Any,
    Skill { skill: SkillName, level: Level },
}

impl SkillLevel {
    pub fn new(skill: SkillName, level: Level) -> Self {
        SkillLevel::Skill { skill, level }
    }

    /// Whether someone with `skills` counts towards this need or limit.
    pub fn qualifies(&self, skills: &Skills) -> bool {
        match self {
            SkillLevel::Any => true,
            SkillLevel::Skill { skill, level } => skills.get(skill).is_some_and(|l| l >= level),
        }
    }

    pub fn is_any(&self) -> bool {
        matches!(self, SkillLevel::Any)
    }

    /// The input form, e.g. `webapp-2` or `any`, which parses back to the same value.
    pub fn to_input(&self) -> String {
        match self {
            SkillLevel::Any => "any".to_string(),
            SkillLevel::Skill { skill, level } => format!("{skill}-{}", level.value()),
        }
    }
}

impl FromStr for SkillLevel {
    type Err = SkillError;
    /// `any`, `skill` (level 1) or `skill-level` where the level is a number, name or symbol.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let t = s.trim();
        if t.eq_ignore_ascii_case("any") {
            return Ok(SkillLevel::Any);
        }
        let mut parts = t.splitn(3, '-');
        let name = parts.next().unwrap_or_default();
        let level = parts.next();
        if parts.next().is_some() {
            return Err(SkillError::BadSkillLevel(s.to_string()));
        }
        let skill = SkillName::parse(name)?;
        let level = match level {
            None => Level::Beginner,
            Some(l) => l.parse()?,
        };
        Ok(SkillLevel::Skill { skill, level })
    }
}

impl fmt::Display for SkillLevel {
    /// `any` or `skill-<symbol>`, e.g. `webapp-▣`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SkillLevel::Any => f.write_str("any"),
            SkillLevel::Skill { skill, level } => write!(f, "{skill}-{}", level.symbol()),
        }
    }
}

impl Serialize for SkillLevel {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_input())
    }
}

impl<'de> Deserialize<'de> for SkillLevel {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels_parse_from_number_name_and_symbol() {
        for l in Level::ALL {
            assert_eq!(l.value().to_string().parse::<Level>(), Ok(l));
            assert_eq!(l.name().parse::<Level>(), Ok(l));
            assert_eq!(l.name().to_uppercase().parse::<Level>(), Ok(l));
            assert_eq!(l.symbol().parse::<Level>(), Ok(l));
        }
        assert!("5".parse::<Level>().is_err());
        assert!("0".parse::<Level>().is_err());
        assert!("guru".parse::<Level>().is_err());
    }

    #[test]
    fn skill_levels_parse_and_render() {
        let sl: SkillLevel = "webapp-2".parse().unwrap();
        assert_eq!(sl.to_string(), "webapp-▣");
        assert_eq!(sl.to_input(), "webapp-2");
        let sl: SkillLevel = "server".parse().unwrap();
        assert_eq!(sl.to_string(), "server-◉");
        assert_eq!("any".parse::<SkillLevel>(), Ok(SkillLevel::Any));
        assert_eq!(
            "perf-◈◈".parse::<SkillLevel>().unwrap().to_input(),
            "perf-4"
        );
        assert!("a-b-c".parse::<SkillLevel>().is_err());
        assert!("web app".parse::<SkillLevel>().is_err());
        assert!("x-9".parse::<SkillLevel>().is_err());
        assert_eq!("any".parse::<SkillName>(), Err(SkillError::Reserved));
    }

    #[test]
    fn qualification_needs_at_least_the_level() {
        let mut skills = Skills::new();
        skills.insert(SkillName::parse("webapp").unwrap(), Level::Advanced);
        assert!("webapp-2".parse::<SkillLevel>().unwrap().qualifies(&skills));
        assert!("webapp-3".parse::<SkillLevel>().unwrap().qualifies(&skills));
        assert!(!"webapp-4".parse::<SkillLevel>().unwrap().qualifies(&skills));
        assert!(!"server".parse::<SkillLevel>().unwrap().qualifies(&skills));
        assert!(SkillLevel::Any.qualifies(&Skills::new()));
    }
}
