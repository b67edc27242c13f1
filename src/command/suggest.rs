//! "Did you mean …?" for mistyped command words, flags and zone names.
//!
//! Damerau–Levenshtein catches swapped letters (`rotaiton`), and a prefix match catches abbreviations
//! (`rot`), which are the two typos people make most at a chat prompt.

/// Longest word worth suggesting a correction for.
const MAX_TYPO_LEN: usize = 64;

/// The closest candidate to `typed`, if any is close enough to be a plausible typo.
pub fn closest<'a, I>(typed: &str, candidates: I) -> Option<&'a str>
where
    I: IntoIterator<Item = &'a str>,
{
    // Edit distance is quadratic: a pasted paragraph is no typo, so don't spend time on it.
    if typed.chars().count() > MAX_TYPO_LEN {
        return None;
    }
    let typed_lower = typed.to_lowercase();
    let mut best: Option<(usize, &'a str)> = None;
    for candidate in candidates {
        let cand_lower = candidate.to_lowercase();
        let distance = if typed_lower.chars().count() >= 3 && cand_lower.starts_with(&typed_lower) {
            1
        } else {
            strsim::damerau_levenshtein(&typed_lower, &cand_lower)
        };
        let allowed = (cand_lower.chars().count() / 3).clamp(1, 3);
        if distance <= allowed && best.is_none_or(|(d, _)| distance < d) {
            best = Some((distance, candidate));
        }
    }
    best.map(|(_, c)| c)
}

/// ` Did you mean `x`?` — with a leading space so it can follow a sentence, or nothing.
pub fn did_you_mean(suggestion: &Option<String>) -> String {
    match suggestion {
        Some(s) => format!(" Did you mean `{s}`?"),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const WORDS: [&str; 5] = ["rotation", "task", "user", "skill", "calendar"];

    #[test]
    fn finds_swaps_drops_and_prefixes() {
        assert_eq!(closest("rotaiton", WORDS), Some("rotation"));
        assert_eq!(closest("rotatin", WORDS), Some("rotation"));
        assert_eq!(closest("rot", WORDS), Some("rotation"));
        assert_eq!(closest("tsak", WORDS), Some("task"));
        assert_eq!(closest("Calender", WORDS), Some("calendar"));
    }

    #[test]
    fn stays_quiet_when_nothing_is_close() {
        assert_eq!(closest("banana", WORDS), None);
        assert_eq!(closest("x", WORDS), None);
        assert_eq!(closest("", WORDS), None);
        assert_eq!(
            closest(&format!("rotation{}", "x".repeat(100)), WORDS),
            None
        );
    }
}
