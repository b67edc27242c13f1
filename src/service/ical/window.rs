//! A feed's window slides with the clock (30 days back, a year ahead), so a feed can change with no
//! write at all: a task ages out, a far task comes into reach, an old holiday drops off. This says
//! until when a feed read at one instant lists the same things, so a served feed is kept only that
//! long (and as long as nothing was written, see `FeedCache::served`).

use chrono::{DateTime, Days, NaiveTime, Utc};
use chrono_tz::Tz;

use super::{AHEAD, BACK};
use crate::lottery::local_time::{resolve_local, to_local};
use crate::store::ical::FeedTask;

/// What a feed read at `now` depends on besides the database.
pub struct Reach<'a> {
    pub now: DateTime<Utc>,
    pub tasks: &'a [FeedTask],
    /// The start of the feed's first task beyond the window's far end.
    pub next_beyond: Option<DateTime<Utc>>,
    /// A rotation's feed lists holidays from the day (in this zone) 30 days back.
    pub holidays_zone: Option<Tz>,
}

/// The first instant after which the feed read at `reach.now` may list something else.
pub fn valid_until(reach: &Reach<'_>) -> DateTime<Utc> {
    // A task is listed while it ends at or after `now - BACK`.
    let aging = reach
        .tasks
        .iter()
        .map(|t| t.task.times.expected_start + t.task.times.expected_duration + BACK);
    // A task is listed once it starts before `now + AHEAD`.
    let arriving = reach.next_beyond.map(|start| start - AHEAD);
    let holidays = reach.holidays_zone.and_then(|tz| {
        let day = to_local(reach.now - BACK, tz).date();
        let next = day.checked_add_days(Days::new(1))?;
        Some(resolve_local(next.and_time(NaiveTime::MIN), tz)? + BACK)
    });
    aging
        .chain(arriving)
        .chain(holidays)
        .min()
        .unwrap_or(DateTime::<Utc>::MAX_UTC)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{TimeDelta, TimeZone};

    fn at(d: u32, h: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2030, 3, d, h, 0, 0).unwrap()
    }

    #[test]
    fn an_empty_feed_stays_until_a_far_task_comes_into_reach_or_the_holiday_day_turns() {
        let now = at(6, 10);
        let reach = Reach {
            now,
            tasks: &[],
            next_beyond: Some(now + AHEAD + TimeDelta::hours(5)),
            holidays_zone: None,
        };
        assert_eq!(valid_until(&reach), now + TimeDelta::hours(5));
        let reach = Reach {
            next_beyond: None,
            holidays_zone: Some(chrono_tz::UTC),
            ..reach
        };
        // 30 days back from 10:00 is 10:00 on a day whose next midnight is 14 hours later.
        assert_eq!(valid_until(&reach), now + TimeDelta::hours(14));
        let reach = Reach {
            holidays_zone: None,
            ..reach
        };
        assert_eq!(valid_until(&reach), DateTime::<Utc>::MAX_UTC);
    }
}
