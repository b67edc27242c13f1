//! IANA time-zone names as people type them: any case, with a suggestion for near misses.

use chrono_tz::{TZ_VARIANTS, Tz};

use super::suggest::closest;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ZoneError {
    #[error("`{name}` is not a time zone: use an IANA name such as `Europe/Berlin` or `America/New_York`.{}", super::suggest::did_you_mean(.suggestion))]
    Unknown {
        name: String,
        suggestion: Option<String>,
    },
}

/// Finds the zone whose IANA name equals `name`, ignoring case.
pub fn find_zone(name: &str) -> Result<Tz, ZoneError> {
    let name = name.trim();
    if let Ok(tz) = name.parse::<Tz>() {
        return Ok(tz);
    }
    if let Some(tz) = TZ_VARIANTS
        .iter()
        .find(|tz| tz.name().eq_ignore_ascii_case(name))
    {
        return Ok(*tz);
    }
    // Suggest on the city part too, since people often type just `Berlin`.
    let suggestion = closest(name, TZ_VARIANTS.iter().map(|tz| tz.name())).or_else(|| {
        TZ_VARIANTS.iter().map(|tz| tz.name()).find(|full| {
            full.rsplit('/')
                .next()
                .is_some_and(|city| city.eq_ignore_ascii_case(&name.replace(' ', "_")))
        })
    });
    Err(ZoneError::Unknown {
        name: super::lexer::shorten(name),
        suggestion: suggestion.map(str::to_string),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_zones_in_any_case() {
        assert_eq!(find_zone("Europe/Berlin"), Ok(chrono_tz::Europe::Berlin));
        assert_eq!(find_zone("europe/berlin"), Ok(chrono_tz::Europe::Berlin));
        assert_eq!(find_zone("UTC"), Ok(chrono_tz::UTC));
    }

    #[test]
    fn suggests_near_misses_and_bare_cities() {
        let suggestion = |n: &str| match find_zone(n) {
            Err(ZoneError::Unknown { suggestion, .. }) => suggestion,
            Ok(_) => panic!("{n} should not resolve"),
        };
        assert_eq!(suggestion("Europe/Berln").as_deref(), Some("Europe/Berlin"));
        assert_eq!(suggestion("Berlin").as_deref(), Some("Europe/Berlin"));
        assert_eq!(suggestion("New York").as_deref(), Some("America/New_York"));
        assert_eq!(suggestion("Mars/Olympus_Mons"), None);
    }
}
