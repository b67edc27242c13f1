//! How values read in `--json`: `#[serde(serialize_with = "…")]` helpers, and a person.

use std::fmt::Display;

use chrono::{DateTime, TimeDelta, Utc};
use chrono_tz::Tz;
use serde::ser::{SerializeMap, SerializeSeq, SerializeStruct};
use serde::{Serialize, Serializer};

use crate::lottery::{SkillLevel, Skills, UserId, format_duration};
use crate::store::users::User;

/// `2026-03-02T08:00:00Z`: RFC 3339, UTC, whole seconds.
pub fn rfc3339(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

pub fn time<S: Serializer>(t: &DateTime<Utc>, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&rfc3339(*t))
}

pub fn opt_time<S: Serializer>(t: &Option<DateTime<Utc>>, s: S) -> Result<S::Ok, S::Error> {
    match t {
        Some(t) => s.serialize_some(&rfc3339(*t)),
        None => s.serialize_none(),
    }
}

/// As typed: `1w2d`, `0`.
pub fn duration<S: Serializer>(d: &TimeDelta, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&format_duration(*d))
}

/// The zone's name: `Europe/Berlin`.
pub fn tz<S: Serializer>(tz: &Tz, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(tz.name())
}

pub fn opt_tz<S: Serializer>(tz: &Option<Tz>, s: S) -> Result<S::Ok, S::Error> {
    match tz {
        Some(tz) => s.serialize_some(tz.name()),
        None => s.serialize_none(),
    }
}

/// Anything by its `Display` form (task states, task types).
pub fn display<T: Display, S: Serializer>(v: &T, s: S) -> Result<S::Ok, S::Error> {
    s.collect_str(v)
}

/// `{"webapp": 2, "server": 3}`.
pub fn skills<S: Serializer>(skills: &Skills, s: S) -> Result<S::Ok, S::Error> {
    let mut map = s.serialize_map(Some(skills.len()))?;
    for (name, level) in skills {
        map.serialize_entry(name.as_str(), &level.value())?;
    }
    map.end()
}

/// `[{"skill_level": "webapp-2", "count": 1}]`.
pub fn needs<S: Serializer>(needs: &[(SkillLevel, u32)], s: S) -> Result<S::Ok, S::Error> {
    struct Need<'a>(&'a SkillLevel, u32);
    impl Serialize for Need<'_> {
        fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            let mut st = s.serialize_struct("Need", 2)?;
            st.serialize_field("skill_level", &self.0.to_input())?;
            st.serialize_field("count", &self.1)?;
            st.end()
        }
    }
    let mut seq = s.serialize_seq(Some(needs.len()))?;
    for (sl, count) in needs {
        seq.serialize_element(&Need(sl, *count))?;
    }
    seq.end()
}

/// A person: `{"id": …, "username": …}`; the Markdown names them by `mention`.
#[derive(Debug, Clone, Serialize)]
pub struct PersonRef {
    pub id: String,
    pub username: String,
    /// `@name`, or ``user `id` `` for someone the bot has no profile of.
    #[serde(skip)]
    pub mention: String,
}

impl PersonRef {
    pub fn of(user: &User) -> Self {
        PersonRef {
            id: user.id.as_str().to_string(),
            username: user.username.clone(),
            mention: format!("@{}", user.username),
        }
    }

    /// From an id and its mention as `Ctx::names` gives it.
    pub fn named(id: &UserId, mention: String) -> Self {
        PersonRef {
            id: id.as_str().to_string(),
            username: mention.trim_start_matches('@').to_string(),
            mention,
        }
    }

    /// People from their ids and mentions, in order.
    pub fn all(ids: &[UserId], mentions: Vec<String>) -> Vec<Self> {
        ids.iter()
            .zip(mentions)
            .map(|(id, m)| PersonRef::named(id, m))
            .collect()
    }
}

/// Their mentions, for `format::people`.
pub fn mentions(people: &[PersonRef]) -> Vec<String> {
    people.iter().map(|p| p.mention.clone()).collect()
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::lottery::{Level, SkillName};

    #[derive(Serialize)]
    struct Sample {
        #[serde(serialize_with = "time")]
        at: DateTime<Utc>,
        #[serde(serialize_with = "opt_time")]
        never: Option<DateTime<Utc>>,
        #[serde(serialize_with = "duration")]
        grace: TimeDelta,
        #[serde(serialize_with = "skills")]
        skills: Skills,
        #[serde(serialize_with = "needs")]
        needs: Vec<(SkillLevel, u32)>,
        people: Vec<PersonRef>,
    }

    #[test]
    fn values_read_in_json_as_replies_always_showed_them() -> Result<(), Box<dyn std::error::Error>>
    {
        let webapp = SkillName::parse("webapp")?;
        let at = DateTime::parse_from_rfc3339("2026-03-02T09:00:00.123+01:00")?.to_utc();
        let sample = Sample {
            at,
            never: None,
            grace: TimeDelta::days(8),
            skills: Skills::from([(webapp.clone(), Level::Intermediate)]),
            needs: vec![
                (SkillLevel::Any, 2),
                (SkillLevel::new(webapp, Level::Advanced), 1),
            ],
            people: vec![PersonRef::named(
                &UserId::new("u1"),
                "user `u1`".to_string(),
            )],
        };
        assert_eq!(
            serde_json::to_value(&sample)?,
            json!({
                "at": "2026-03-02T08:00:00Z",
                "never": null,
                "grace": "1w1d",
                "skills": {"webapp": 2},
                "needs": [
                    {"skill_level": "any", "count": 2},
                    {"skill_level": "webapp-3", "count": 1},
                ],
                // Someone without a profile keeps the name replies have always given them.
                "people": [{"id": "u1", "username": "user `u1`"}],
            })
        );
        Ok(())
    }
}
