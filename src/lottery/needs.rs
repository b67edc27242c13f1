//! Needs and limits: how many people of each skill-level a task wants at least (requirements) or
//! accepts at most (limits).
//!
//! One type serves both, as upstream. The map is ordered by `SkillLevel` (`any` first, then skills
//! by name and level), so iteration, rendering, JSON and the fill's random draws never depend on
//! insertion order. A count of 0 is kept: as a limit it means "nobody with this skill"; as a
//! requirement it is simply already met.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;

use super::skill::{SkillLevel, Skills};

/// Skill-level → count. JSON: an object keyed by the input form, e.g. `{"any": 2, "webapp-2": 1}`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Needs(BTreeMap<SkillLevel, u32>);

impl Needs {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn get(&self, skill_level: &SkillLevel) -> Option<u32> {
        self.0.get(skill_level).copied()
    }

    /// Sets the count for one skill-level, returning the previous count.
    pub fn set(&mut self, skill_level: SkillLevel, count: u32) -> Option<u32> {
        self.0.insert(skill_level, count)
    }

    pub fn remove(&mut self, skill_level: &SkillLevel) -> Option<u32> {
        self.0.remove(skill_level)
    }

    pub fn contains(&self, skill_level: &SkillLevel) -> bool {
        self.0.contains_key(skill_level)
    }

    /// In skill-level order: `any` first, then skills by name, then level.
    pub fn iter(&self) -> impl ExactSizeIterator<Item = (&SkillLevel, u32)> + '_ {
        self.0.iter().map(|(k, v)| (k, *v))
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// How many of `people` count towards each entry, in the same order as `iter`.
    pub fn count_qualified<'a>(
        &self,
        people: impl IntoIterator<Item = &'a Skills> + Clone,
    ) -> Vec<(SkillLevel, u32)> {
        self.0
            .keys()
            .map(|sl| {
                let n = people
                    .clone()
                    .into_iter()
                    .filter(|s| sl.qualifies(s))
                    .count();
                (sl.clone(), u32::try_from(n).unwrap_or(u32::MAX))
            })
            .collect()
    }
}

impl FromIterator<(SkillLevel, u32)> for Needs {
    fn from_iter<I: IntoIterator<Item = (SkillLevel, u32)>>(iter: I) -> Self {
        Self(iter.into_iter().collect())
    }
}

impl<'a> IntoIterator for &'a Needs {
    type Item = (&'a SkillLevel, &'a u32);
    type IntoIter = std::collections::btree_map::Iter<'a, SkillLevel, u32>;
    fn into_iter(self) -> Self::IntoIter {
        self.0.iter()
    }
}

impl fmt::Display for Needs {
    /// `2 any, 1 webapp-▣`; empty when there are none.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, (sl, n)) in self.iter().enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            write!(f, "{n} {sl}")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sl(s: &str) -> SkillLevel {
        s.parse().unwrap()
    }

    #[test]
    fn iterates_and_renders_in_skill_level_order() {
        let mut n = Needs::new();
        n.set(sl("webapp-2"), 1);
        n.set(sl("server"), 3);
        n.set(SkillLevel::Any, 2);
        assert_eq!(n.to_string(), "2 any, 3 server-◉, 1 webapp-▣");
        assert_eq!(n.set(sl("server"), 4), Some(3));
        assert_eq!(n.get(&sl("server-1")), Some(4));
        assert_eq!(n.remove(&sl("server")), Some(4));
        assert_eq!(n.to_string(), "2 any, 1 webapp-▣");
        assert_eq!(Needs::new().to_string(), "");
    }

    #[test]
    fn json_is_an_object_keyed_by_input_form_and_round_trips() {
        let n: Needs = [(SkillLevel::Any, 2), (sl("webapp-2"), 1)]
            .into_iter()
            .collect();
        let json = serde_json::to_string(&n).unwrap();
        assert_eq!(json, r#"{"any":2,"webapp-2":1}"#);
        assert_eq!(serde_json::from_str::<Needs>(&json).unwrap(), n);
        assert!(serde_json::from_str::<Needs>(r#"{"a-b-c":1}"#).is_err());
    }

    #[test]
    fn counts_who_qualifies_for_each_entry() {
        let n: Needs = [(SkillLevel::Any, 2), (sl("webapp-2"), 1)]
            .into_iter()
            .collect();
        let mut web = Skills::new();
        web.insert("webapp".parse().unwrap(), crate::lottery::Level::Expert);
        let people = [web, Skills::new()];
        assert_eq!(
            n.count_qualified(people.iter()),
            vec![(SkillLevel::Any, 2), (sl("webapp-2"), 1)]
        );
    }
}
