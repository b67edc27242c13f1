//! How times, durations, people, skills and tasks read in replies and DMs: always in the reader's
//! time zone. (What `--json` shows is each reply's view: `service::views`.)

use chrono::{DateTime, TimeDelta, Utc};
use chrono_tz::Tz;

use crate::lottery::{SkillLevel, Skills, format_duration};
use crate::store::tasks::Task;

/// `Mon 2026-03-02 09:00 CET`: weekday, date, 24h time and the zone's abbreviation.
pub fn time(t: DateTime<Utc>, tz: Tz) -> String {
    t.with_timezone(&tz)
        .format("%a %Y-%m-%d %H:%M %Z")
        .to_string()
}

/// `2026-03-02 09:00`: compact, for tables.
pub fn short_time(t: DateTime<Utc>, tz: Tz) -> String {
    t.with_timezone(&tz).format("%Y-%m-%d %H:%M").to_string()
}

/// "in 3 days", "in 2 hours", "5 minutes ago", "now".
pub fn relative(t: DateTime<Utc>, now: DateTime<Utc>) -> String {
    let d = t - now;
    let (amount, future) = if d < TimeDelta::zero() {
        (-d, false)
    } else {
        (d, true)
    };
    let text = if amount < TimeDelta::minutes(1) {
        return "now".to_string();
    } else if amount < TimeDelta::hours(1) {
        plural(amount.num_minutes(), "minute")
    } else if amount < TimeDelta::hours(48) {
        plural(amount.num_hours(), "hour")
    } else if amount < TimeDelta::days(14) {
        plural(amount.num_days(), "day")
    } else if amount < TimeDelta::weeks(9) {
        plural(amount.num_weeks(), "week")
    } else if amount < TimeDelta::days(730) {
        plural(amount.num_days() / 30, "month")
    } else {
        plural(amount.num_days() / 365, "year")
    };
    if future {
        format!("in {text}")
    } else {
        format!("{text} ago")
    }
}

fn plural(n: i64, unit: &str) -> String {
    if n == 1 {
        format!("1 {unit}")
    } else {
        format!("{n} {unit}s")
    }
}

/// `ICE#3`
pub fn task_name(rotation: &str, number: i64) -> String {
    format!("{rotation}#{number}")
}

/// `ICE#3`
pub fn task_ref(rotation: &str, task: &Task) -> String {
    task_name(rotation, task.number)
}

/// One task on one line, readable on a phone: `- **ICE#3** · Mon 09:00 → … · scheduled · @a, @b`.
pub fn task_line(task: &str, when: &str, state: &str, who: &str) -> String {
    let mut line = format!("- **{task}** · {when} · {state}");
    if !who.is_empty() {
        line.push_str(" · ");
        line.push_str(who);
    }
    line
}

/// `webapp-▣, server-◈` or `no skills`.
pub fn skills(s: &Skills) -> String {
    if s.is_empty() {
        return "no skills".to_string();
    }
    s.iter()
        .map(|(k, l)| format!("{k}-{}", l.symbol()))
        .collect::<Vec<_>>()
        .join(", ")
}

/// `2 any, 1 webapp-▣` or `none`.
pub fn needs(n: &[(SkillLevel, u32)]) -> String {
    if n.is_empty() {
        return "none".to_string();
    }
    n.iter()
        .map(|(sl, c)| format!("{c} {sl}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// `Weekly` from `weekly`, `Your` from `your`: the first letter upper-case.
pub fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(first) => first.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

/// A duration as typed (`1w2d`), or "none" for zero.
pub fn duration(d: TimeDelta) -> String {
    if d.is_zero() {
        "none".to_string()
    } else {
        format_duration(d)
    }
}

/// How many names a list of people shows before it says "and N more": a task or rotation of
/// hundreds would otherwise grow a DM past what Mattermost accepts in one post.
pub const PEOPLE_LISTED: usize = 40;

/// `@alice, @bob and @carol`, or `nobody else`; past `PEOPLE_LISTED` names, `@a, @b, … and 312 more`.
pub fn people(names: &[String]) -> String {
    match names {
        [] => "nobody else".to_string(),
        [one] => one.clone(),
        many if many.len() > PEOPLE_LISTED => format!(
            "{} and {} more",
            many[..PEOPLE_LISTED].join(", "),
            many.len() - PEOPLE_LISTED
        ),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_lists_of_people_are_summarised() {
        let names: Vec<String> = (0..400).map(|i| format!("@u{i}")).collect();
        let s = people(&names);
        assert!(s.starts_with("@u0, @u1, "));
        assert!(s.ends_with("@u39 and 360 more"), "{s}");
        assert_eq!(people(&names[..3]), "@u0, @u1 and @u2");
    }

    #[test]
    fn times_show_in_the_readers_zone() {
        let t = DateTime::parse_from_rfc3339("2026-03-02T08:00:00Z")
            .unwrap()
            .to_utc();
        assert_eq!(
            time(t, chrono_tz::Europe::Berlin),
            "Mon 2026-03-02 09:00 CET"
        );
        assert_eq!(
            short_time(t, chrono_tz::America::New_York),
            "2026-03-02 03:00"
        );
    }

    #[test]
    fn relative_times_read_naturally() {
        let now = DateTime::parse_from_rfc3339("2026-03-02T08:00:00Z")
            .unwrap()
            .to_utc();
        assert_eq!(relative(now + TimeDelta::hours(24), now), "in 24 hours");
        assert_eq!(relative(now + TimeDelta::days(3), now), "in 3 days");
        assert_eq!(relative(now - TimeDelta::minutes(5), now), "5 minutes ago");
        assert_eq!(relative(now, now), "now");
        assert_eq!(relative(now + TimeDelta::weeks(3), now), "in 3 weeks");
        assert_eq!(relative(now - TimeDelta::days(100), now), "3 months ago");
        assert_eq!(relative(now + TimeDelta::weeks(171), now), "in 3 years");
        assert_eq!(
            people(&["@a".into(), "@b".into(), "@c".into()]),
            "@a, @b and @c"
        );
    }

    #[test]
    fn capitalise_changes_only_the_first_letter() {
        assert_eq!(capitalise("weekly"), "Weekly");
        assert_eq!(capitalise("@bob's"), "@bob's");
        assert_eq!(capitalise(""), "");
    }
}
