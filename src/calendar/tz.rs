//! Time zone names as calendars write them: IANA names (`Europe/Berlin`), the Windows names Outlook
//! and Graph use (`W. Europe Standard Time`), and vendor-prefixed ids (`/mozilla.org/…/Europe/Berlin`).

use chrono::{DateTime, LocalResult, NaiveDateTime, TimeDelta, TimeZone, Utc};
use chrono_tz::Tz;

/// The Windows zone names seen most in Outlook and Exchange feeds (CLDR's primary mapping).
const WINDOWS_ZONES: &[(&str, Tz)] = &[
    ("UTC", Tz::UTC),
    ("Coordinated Universal Time", Tz::UTC),
    ("GMT Standard Time", Tz::Europe__London),
    ("Greenwich Standard Time", Tz::Atlantic__Reykjavik),
    ("W. Europe Standard Time", Tz::Europe__Berlin),
    ("Central Europe Standard Time", Tz::Europe__Budapest),
    ("Central European Standard Time", Tz::Europe__Warsaw),
    ("Romance Standard Time", Tz::Europe__Paris),
    ("E. Europe Standard Time", Tz::Europe__Chisinau),
    ("FLE Standard Time", Tz::Europe__Kyiv),
    ("GTB Standard Time", Tz::Europe__Bucharest),
    ("Russian Standard Time", Tz::Europe__Moscow),
    ("Turkey Standard Time", Tz::Europe__Istanbul),
    ("Israel Standard Time", Tz::Asia__Jerusalem),
    ("South Africa Standard Time", Tz::Africa__Johannesburg),
    ("Arabian Standard Time", Tz::Asia__Dubai),
    ("India Standard Time", Tz::Asia__Kolkata),
    ("China Standard Time", Tz::Asia__Shanghai),
    ("Singapore Standard Time", Tz::Asia__Singapore),
    ("Tokyo Standard Time", Tz::Asia__Tokyo),
    ("Korea Standard Time", Tz::Asia__Seoul),
    ("AUS Eastern Standard Time", Tz::Australia__Sydney),
    ("E. Australia Standard Time", Tz::Australia__Brisbane),
    ("W. Australia Standard Time", Tz::Australia__Perth),
    ("New Zealand Standard Time", Tz::Pacific__Auckland),
    ("Eastern Standard Time", Tz::America__New_York),
    ("Central Standard Time", Tz::America__Chicago),
    ("Mountain Standard Time", Tz::America__Denver),
    ("US Mountain Standard Time", Tz::America__Phoenix),
    ("Pacific Standard Time", Tz::America__Los_Angeles),
    ("Alaskan Standard Time", Tz::America__Anchorage),
    ("Hawaiian Standard Time", Tz::Pacific__Honolulu),
    ("Atlantic Standard Time", Tz::America__Halifax),
    ("Canada Central Standard Time", Tz::America__Regina),
    ("SA Pacific Standard Time", Tz::America__Bogota),
    ("E. South America Standard Time", Tz::America__Sao_Paulo),
    (
        "Argentina Standard Time",
        Tz::America__Argentina__Buenos_Aires,
    ),
    ("Central Standard Time (Mexico)", Tz::America__Mexico_City),
];

/// Resolves a calendar's zone name, or `None` when nobody could tell what it means.
pub fn resolve_tz(name: &str) -> Option<Tz> {
    let name = name.trim().trim_matches('"');
    if let Ok(tz) = name.parse::<Tz>() {
        return Some(tz);
    }
    if let Some((_, tz)) = WINDOWS_ZONES
        .iter()
        .find(|(w, _)| w.eq_ignore_ascii_case(name))
    {
        return Some(*tz);
    }
    // Vendor prefixes: try ever shorter `/`-separated suffixes (`…/Europe/Berlin`, then `Berlin`).
    let mut rest = name;
    while let Some((_, tail)) = rest.split_once('/') {
        if let Ok(tz) = tail.parse::<Tz>() {
            return Some(tz);
        }
        rest = tail;
    }
    None
}

/// A wall-clock time in `tz` as an instant. A time in a spring-forward gap moves past the gap (as
/// calendar apps do); an ambiguous autumn time takes the first occurrence.
pub fn local_to_utc(tz: Tz, local: NaiveDateTime) -> DateTime<Utc> {
    match tz.from_local_datetime(&local) {
        LocalResult::Single(t) => t.with_timezone(&Utc),
        LocalResult::Ambiguous(first, _) => first.with_timezone(&Utc),
        LocalResult::None => {
            let later = local
                .checked_add_signed(TimeDelta::hours(1))
                .unwrap_or(local);
            match tz.from_local_datetime(&later) {
                LocalResult::Single(t) | LocalResult::Ambiguous(t, _) => t.with_timezone(&Utc),
                // No zone has a gap this long; read the time as UTC rather than drop the event.
                LocalResult::None => local.and_utc(),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resolves_iana_windows_and_prefixed_names() {
        assert_eq!(resolve_tz("Europe/Berlin"), Some(Tz::Europe__Berlin));
        assert_eq!(
            resolve_tz("W. Europe Standard Time"),
            Some(Tz::Europe__Berlin)
        );
        assert_eq!(
            resolve_tz("\"Pacific Standard Time\""),
            Some(Tz::America__Los_Angeles)
        );
        assert_eq!(
            resolve_tz("/mozilla.org/20050126_1/Europe/Berlin"),
            Some(Tz::Europe__Berlin)
        );
        assert_eq!(resolve_tz("Mars/Olympus_Mons"), None);
    }

    #[test]
    fn gap_times_move_forward_and_ambiguous_times_take_the_first() {
        let gap = chrono::NaiveDate::from_ymd_opt(2026, 3, 29)
            .unwrap()
            .and_hms_opt(2, 30, 0)
            .unwrap();
        assert_eq!(
            local_to_utc(Tz::Europe__Berlin, gap).to_rfc3339(),
            "2026-03-29T01:30:00+00:00"
        );
        let fold = chrono::NaiveDate::from_ymd_opt(2026, 10, 25)
            .unwrap()
            .and_hms_opt(2, 30, 0)
            .unwrap();
        assert_eq!(
            local_to_utc(Tz::Europe__Berlin, fold).to_rfc3339(),
            "2026-10-25T00:30:00+00:00"
        );
    }
}
