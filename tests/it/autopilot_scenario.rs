//! Six weeks of a weekly rotation run by the autopilot alone, driven one day at a time with
//! `/lotto rotation autopilot ICE --now=<day>` as a bot admin.
//!
//! The rotation: weekly shifts from Monday 2030-03-04 09:00 Europe/Berlin (across the switch to
//! summer time on 03-31), two people per shift, six days of grace, five members in four time zones;
//! the autopilot creates shifts 3 weeks ahead, fills and schedules them 5 days ahead, reminds 24 h
//! before start and before finish, and starts and finishes them on time. Cat is away the week of
//! ICE#3.
//!
//! Every day at 09:00 UTC from 02-11 to 04-15 the test works out on its own, from the times above,
//! which step must act on which shift, and asserts the command's six report lines and exactly the DMs
//! each person received (count and content). Who the lottery picks is read from the report (the
//! lottery is random by design); the test asserts the rules it must keep: two people, nobody twice in
//! a row (grace), nobody while away. Each day is then run again, by command and by the background
//! `tick`, and must do nothing at all.

use std::collections::BTreeMap;

use crate::support::app::{TestApp, spawn_app};
use chrono::{DateTime, NaiveDate, TimeDelta, TimeZone, Utc};
use chrono_tz::Tz;

const MEMBERS: [(&str, Tz); 5] = [
    ("ann", chrono_tz::Europe::Berlin),
    ("bob", chrono_tz::America::New_York),
    ("cat", chrono_tz::Asia::Tokyo),
    ("dan", chrono_tz::UTC),
    ("eve", chrono_tz::Europe::Berlin),
];

/// Shift `n` starts on the n-th Monday from 2030-03-04, 09:00 in Berlin.
fn start(n: i64) -> DateTime<Utc> {
    let day = NaiveDate::from_ymd_opt(2030, 3, 4).unwrap() + TimeDelta::weeks(n);
    chrono_tz::Europe::Berlin
        .from_local_datetime(&day.and_hms_opt(9, 0, 0).unwrap())
        .single()
        .unwrap()
        .to_utc()
}

/// A shift lasts its whole period: until the next one starts (167 h over the DST switch).
fn finish(n: i64) -> DateTime<Utc> {
    start(n + 1)
}

/// When the grace after shift `n` ends: six days after it finishes, at the same wall-clock time in
/// Berlin (so across the DST switch it is not 144 hours).
fn grace_until(n: i64) -> DateTime<Utc> {
    let day =
        NaiveDate::from_ymd_opt(2030, 3, 4).unwrap() + TimeDelta::weeks(n + 1) + TimeDelta::days(6);
    chrono_tz::Europe::Berlin
        .from_local_datetime(&day.and_hms_opt(9, 0, 0).unwrap())
        .single()
        .unwrap()
        .to_utc()
}

/// How times and people read in the DMs, written out here rather than taken from the bot's own
/// formatting code, so a change there shows up as a failing expectation.
mod format {
    use chrono::{DateTime, TimeDelta, Utc};
    use chrono_tz::Tz;

    /// `Mon 2030-03-04 09:00 CET`
    pub fn time(t: DateTime<Utc>, tz: Tz) -> String {
        t.with_timezone(&tz)
            .format("%a %Y-%m-%d %H:%M %Z")
            .to_string()
    }

    /// `in 23 hours`, `in 4 days`: the scenario's DMs look hours or days ahead.
    pub fn relative(t: DateTime<Utc>, now: DateTime<Utc>) -> String {
        let d = t - now;
        assert!(
            d >= TimeDelta::hours(2) && d < TimeDelta::days(14),
            "no DM of this scenario says {d} ahead"
        );
        if d < TimeDelta::hours(48) {
            format!("in {} hours", d.num_hours())
        } else {
            format!("in {} days", d.num_days())
        }
    }

    /// `@ann`, `@ann and @bob`: nobody serves alone or in threes here.
    pub fn people(names: &[String]) -> String {
        match names {
            [one] => one.clone(),
            [a, b] => format!("{a} and {b}"),
            _ => panic!("a shift of two has one other and two next: {names:?}"),
        }
    }
}

fn zone(user: &str) -> Tz {
    MEMBERS.iter().find(|(u, _)| *u == user).unwrap().1
}

/// What the autopilot must do on a day, per step: the shift numbers.
#[derive(Debug, Default)]
struct Due {
    remind_finish: Vec<i64>,
    finish: Vec<i64>,
    create: Vec<i64>,
    schedule: Vec<i64>,
    remind_start: Vec<i64>,
    start: Vec<i64>,
}

/// Everything whose time falls in (previous run, this run] is due in this run.
fn due(prev: Option<DateTime<Utc>>, now: DateTime<Utc>) -> Due {
    let fires = |t: DateTime<Utc>| t <= now && prev.is_none_or(|p| t > p);
    let pick = |f: &dyn Fn(i64) -> DateTime<Utc>| (0..20).filter(|n| fires(f(*n))).collect();
    Due {
        remind_finish: pick(&|n| finish(n) - TimeDelta::hours(24)),
        finish: pick(&finish),
        create: pick(&|n| start(n) - TimeDelta::weeks(3)),
        schedule: pick(&|n| start(n) - TimeDelta::days(5)),
        remind_start: pick(&|n| start(n) - TimeDelta::hours(24)),
        start: pick(&start),
    }
}

fn tasks(ns: &[i64]) -> String {
    ns.iter()
        .map(|n| format!("ICE#{n}"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn mentions(users: &[String]) -> Vec<String> {
    users.iter().map(|u| format!("@{u}")).collect()
}

/// `@bob` for ann on a shift with ann and bob.
fn others(pair: &[String], me: &str) -> String {
    let o: Vec<String> = pair.iter().filter(|u| *u != me).cloned().collect();
    format::people(&mentions(&o))
}

/// The report's lines, step → result.
fn report(reply: &str) -> BTreeMap<String, String> {
    reply
        .lines()
        .filter_map(|l| l.strip_prefix("- "))
        .filter_map(|l| l.split_once(": "))
        .map(|(s, r)| (s.to_string(), r.to_string()))
        .collect()
}

/// `scheduled ICE#4 (@ann, @bob)` → ["ann", "bob"].
fn picked(line: &str, n: i64) -> Vec<String> {
    let prefix = format!("scheduled ICE#{n} (");
    let inner = line
        .strip_prefix(&prefix)
        .and_then(|r| r.strip_suffix(')'))
        .unwrap_or_else(|| panic!("not a schedule line for ICE#{n}: {line}"));
    inner
        .split(", ")
        .map(|u| u.trim_start_matches('@').to_string())
        .collect()
}

fn remind_start_dm(n: i64, me: &str, pair: &[String], now: DateTime<Utc>) -> String {
    let tz = zone(me);
    format!(
        "#### Reminder: ICE#{n} starts {}\n\
         **ICE#{n}** (ICE) starts **{}** and runs until {} ({}).\n\
         - **With:** {}\n\
         Can't make it? Tell an owner of ICE (@admin) now, so they can swap you in time: \
         `/lotto task unassign ICE#{n} @{me} --force`, then `/lotto task assign ICE#{n} @someone --force`.",
        format::relative(start(n), now),
        format::time(start(n), tz),
        format::time(finish(n), tz),
        tz.name(),
        others(pair, me),
    )
}

fn remind_finish_dm(
    n: i64,
    me: &str,
    pair: &[String],
    next: &[String],
    now: DateTime<Utc>,
) -> String {
    let tz = zone(me);
    format!(
        "#### Reminder: ICE#{n} ends {}\n\
         **ICE#{n}** (ICE) ends **{}** ({}).\n\
         - **With:** {}\n\
         - **Next up:** ICE#{} ({})\n\
         Hand over anything still open before then. Can't stay until the end? Tell an owner of ICE \
         (@admin) now, so they can cover the rest or finish it early (`/lotto task finish ICE#{n}`).",
        format::relative(finish(n), now),
        format::time(finish(n), tz),
        tz.name(),
        others(pair, me),
        n + 1,
        format::people(&mentions(next)),
    )
}

/// The first lines of the notices whose templates belong to the task commands.
fn scheduled_dm_head(n: i64, me: &str, pair: &[String], now: DateTime<Utc>) -> String {
    let tz = zone(me);
    format!(
        "#### You're on ICE#{n}\n@admin scheduled **ICE#{n}** (ICE).\n\
         - **When:** {} → {} ({}), starts {}\n- **With:** {}\n",
        format::time(start(n), tz),
        format::time(finish(n), tz),
        tz.name(),
        format::relative(start(n), now),
        others(pair, me),
    )
}

fn started_dm_head(n: i64, me: &str, pair: &[String]) -> String {
    let tz = zone(me);
    format!(
        "#### ICE#{n} has started\n@admin started **ICE#{n}** (ICE). You're on it until {} ({}), {}.\n\
         - **With:** {}\n",
        format::time(finish(n), tz),
        tz.name(),
        format::relative(finish(n), start(n)),
        others(pair, me),
    )
}

fn finished_dm(n: i64, me: &str) -> String {
    let tz = zone(me);
    format!(
        "#### ICE#{n} is finished\n@admin finished **ICE#{n}** (ICE) at {} ({}). Thank you!\n\
         The lottery leaves you out of ICE for 6d of grace, until {}.",
        format::time(finish(n), tz),
        tz.name(),
        format::time(grace_until(n), tz),
    )
}

/// One DM a member must receive today: either its whole text, or its opening lines.
#[derive(Debug)]
enum Dm {
    Exact(String),
    StartsWith(String),
}

async fn set_up(t: &TestApp) {
    for (user, tz) in MEMBERS {
        t.mm.add_user(user).time_zone(tz.name());
    }
    let out = t
        .run(
            "admin",
            "rotation new ICE --period weekly --beginning 2030-03-04T09:00 --tz Europe/Berlin",
        )
        .await;
    assert!(out.contains("Created rotation **ICE**"), "{out}");
    let out = t
        .run("admin", "user join ICE @ann @bob @cat @dan @eve")
        .await;
    assert!(out.contains("Added"), "{out}");
    let out = t
        .run("admin", "rotation set require ICE --skill any --count 2")
        .await;
    assert!(out.contains("at least 2 any"), "{out}");
    // Six days of grace keep whoever just served off the next shift only.
    let out = t.run("admin", "rotation set task ICE --grace 6d").await;
    assert!(out.contains("6d of grace"), "{out}");
    let out = t
        .run("admin", "rotation set fill ICE --seed 20300304")
        .await;
    assert!(!out.is_empty());
    let out = t
        .run(
            "admin",
            "user unavailable @cat --start 2030-03-25T08:00Z --finish 2030-04-01T07:00Z",
        )
        .await;
    assert!(out.contains("@cat"), "{out}");
    let out = t
        .run(
            "admin",
            "rotation set autopilot ICE --create-prior 3w --schedule-prior 5d --remind-start-prior 24h \
             --remind-finish-prior 24h --start-finish",
        )
        .await;
    assert_eq!(
        out,
        "The autopilot of **ICE** creates shifts 3 weeks ahead, fills and schedules tasks 5 days \
         before they start, reminds people 1 day before a task starts, starts and finishes tasks on \
         time, reminds people 1 day before a task finishes."
    );
    t.deliver().await;
    // Only the welcome DMs so far.
    for (user, _) in MEMBERS {
        let dms = t.mm.dms_to(user);
        assert_eq!(dms.len(), 1, "{user}: {dms:?}");
        assert!(dms[0].starts_with("#### Welcome to ICE!"), "{}", dms[0]);
    }
}

#[tokio::test]
async fn six_weeks_of_a_weekly_rotation_on_autopilot() {
    let t = spawn_app().await;
    set_up(&t).await;
    let svc = t.app.as_ref().unwrap().service.clone();

    let mut seen: BTreeMap<&str, usize> = MEMBERS.iter().map(|(u, _)| (*u, 1)).collect();
    let mut pairs: BTreeMap<i64, Vec<String>> = BTreeMap::new();
    let mut prev = None;
    let first = Utc.with_ymd_and_hms(2030, 2, 11, 9, 0, 0).unwrap();
    let last = Utc.with_ymd_and_hms(2030, 4, 15, 9, 0, 0).unwrap();
    let mut now = first;
    let mut totals = Due::default();
    while now <= last {
        let day = now.format("%Y-%m-%dT%H:%M").to_string();
        let expect = due(prev, now);
        let reply = t
            .run("admin", &format!("rotation autopilot ICE --now={day}"))
            .await;
        assert!(
            reply.starts_with(&format!(
                "Ran the autopilot on **ICE** for {}:",
                format::time(now, chrono_tz::UTC)
            )),
            "{reply}"
        );
        let lines = report(&reply);
        assert_eq!(lines.len(), 6, "{day}: {reply}");
        let line = |verb: &str, ns: &[i64]| {
            if ns.is_empty() {
                "nothing to do".to_string()
            } else {
                format!("{verb} {}", tasks(ns))
            }
        };
        let with_people = |ns: &[i64], pairs: &BTreeMap<i64, Vec<String>>| -> String {
            if ns.is_empty() {
                return "nothing to do".into();
            }
            let parts: Vec<String> = ns
                .iter()
                .map(|n| format!("ICE#{n} ({})", mentions(&pairs[n]).join(", ")))
                .collect();
            format!("reminded {}", parts.join(", "))
        };
        assert_eq!(
            lines["finish reminder"],
            with_people(&expect.remind_finish, &pairs),
            "{day}"
        );
        assert_eq!(lines["finish"], line("finished", &expect.finish), "{day}");
        assert_eq!(
            lines["create shifts"],
            line("created", &expect.create),
            "{day}"
        );
        // Who the lottery picked, and the rules the picks must keep.
        if expect.schedule.is_empty() {
            assert_eq!(lines["fill and schedule"], "nothing to do", "{day}");
        } else {
            assert_eq!(expect.schedule.len(), 1, "{day}");
            let n = expect.schedule[0];
            let pair = picked(&lines["fill and schedule"], n);
            assert_eq!(pair.len(), 2, "{day}: {pair:?}");
            assert_ne!(pair[0], pair[1]);
            if let Some(before) = pairs.get(&(n - 1)) {
                assert!(
                    pair.iter().all(|u| !before.contains(u)),
                    "ICE#{n} {pair:?} takes someone from ICE#{} {before:?} still in grace",
                    n - 1
                );
            }
            if n == 3 {
                assert!(!pair.contains(&"cat".to_string()), "cat is away: {pair:?}");
            }
            pairs.insert(n, pair);
        }
        assert_eq!(
            lines["start reminder"],
            with_people(&expect.remind_start, &pairs),
            "{day}"
        );
        assert_eq!(lines["start"], line("started", &expect.start), "{day}");

        // Exactly these DMs, per member, in this order.
        t.deliver().await;
        let mut want: BTreeMap<&str, Vec<Dm>> = BTreeMap::new();
        for n in &expect.remind_finish {
            for u in &pairs[n] {
                let dm = remind_finish_dm(*n, u, &pairs[n], &pairs[&(n + 1)], now);
                want.entry(zone_key(u)).or_default().push(Dm::Exact(dm));
            }
        }
        for n in &expect.finish {
            for u in &pairs[n] {
                want.entry(zone_key(u))
                    .or_default()
                    .push(Dm::Exact(finished_dm(*n, u)));
            }
        }
        for n in &expect.schedule {
            for u in &pairs[n] {
                let dm = scheduled_dm_head(*n, u, &pairs[n], now);
                want.entry(zone_key(u))
                    .or_default()
                    .push(Dm::StartsWith(dm));
            }
        }
        for n in &expect.remind_start {
            for u in &pairs[n] {
                let dm = remind_start_dm(*n, u, &pairs[n], now);
                want.entry(zone_key(u)).or_default().push(Dm::Exact(dm));
            }
        }
        for n in &expect.start {
            for u in &pairs[n] {
                let dm = started_dm_head(*n, u, &pairs[n]);
                want.entry(zone_key(u))
                    .or_default()
                    .push(Dm::StartsWith(dm));
            }
        }
        for (user, _) in MEMBERS {
            let all = t.mm.dms_to(user);
            let new = &all[seen[user]..];
            let expected = want.remove(user).unwrap_or_default();
            assert_eq!(
                new.len(),
                expected.len(),
                "{day}: {user} got {new:#?}, expected {expected:#?}"
            );
            for (got, exp) in new.iter().zip(&expected) {
                match exp {
                    Dm::Exact(text) => assert_eq!(got, text, "{day}: {user}"),
                    Dm::StartsWith(head) => {
                        assert!(
                            got.starts_with(head.as_str()),
                            "{day}: {user}\n{got}\n---\n{head}"
                        )
                    }
                }
            }
            seen.insert(user, all.len());
        }
        assert!(
            t.mm.dms_to("admin").is_empty(),
            "the owner hears nothing when all goes well"
        );

        // The same day again does nothing: by command, then by the background tick.
        let before = state(&t).await;
        let again = t
            .run("admin", &format!("rotation autopilot ICE --now={day}"))
            .await;
        let lines = report(&again);
        assert_eq!(lines.len(), 6, "{again}");
        assert!(
            lines.values().all(|l| l == "nothing to do"),
            "{day} again: {again}"
        );
        let tick = solar_lottery::autopilot::tick(&svc, now).await.unwrap();
        assert_eq!((tick.rotations, tick.acted), (1, 0), "{day}");
        t.deliver().await;
        assert_eq!(state(&t).await, before, "{day}: a repeat changed something");
        for (user, _) in MEMBERS {
            assert_eq!(t.mm.dms_to(user).len(), seen[user], "{day}: {user}");
        }

        for (total, today) in [
            (&mut totals.remind_finish, expect.remind_finish),
            (&mut totals.finish, expect.finish),
            (&mut totals.create, expect.create),
            (&mut totals.schedule, expect.schedule),
            (&mut totals.remind_start, expect.remind_start),
            (&mut totals.start, expect.start),
        ] {
            total.extend(today);
        }
        prev = Some(now);
        now += TimeDelta::days(1);
    }

    // Six whole weeks ran: ICE#0–#5 started and finished, #6 started, up to #9 created (#7 is
    // filled on 04-17).
    assert_eq!(totals.finish, (0..6).collect::<Vec<_>>());
    assert_eq!(totals.remind_finish, (0..6).collect::<Vec<_>>());
    assert_eq!(totals.start, (0..7).collect::<Vec<_>>());
    assert_eq!(totals.remind_start, (0..7).collect::<Vec<_>>());
    assert_eq!(totals.schedule, (0..7).collect::<Vec<_>>());
    assert_eq!(totals.create, (0..10).collect::<Vec<_>>());
    // Each person got their welcome plus five DMs for each finished shift they were on and three
    // for the ones still running or ahead.
    let mut expected_dms: BTreeMap<String, usize> =
        MEMBERS.iter().map(|(u, _)| (u.to_string(), 1)).collect();
    for (n, pair) in &pairs {
        let per = if *n <= 5 { 5 } else { 3 };
        for u in pair {
            *expected_dms.get_mut(u).unwrap() += per;
        }
    }
    for (user, _) in MEMBERS {
        assert_eq!(t.mm.dms_to(user).len(), expected_dms[user], "{user}");
    }
    let outbox = t.outbox().await;
    assert_eq!((outbox.pending, outbox.failed), (0, 0), "{outbox:?}");
}

/// Map keys must outlive the loop iteration: the member's static name.
fn zone_key(user: &str) -> &'static str {
    MEMBERS.iter().find(|(u, _)| *u == user).unwrap().0
}

/// Everything the autopilot may change: the tables (delivery bookkeeping aside, which the outbox
/// sender updates on its own) and which messages were queued.
async fn state(t: &TestApp) -> Vec<String> {
    let mut out: Vec<String> = t
        .snapshot()
        .await
        .into_iter()
        .filter(|row| !row.starts_with("outbox:"))
        .collect();
    out.extend(t.outbox_messages().await.into_iter().map(|m| m.key));
    out
}
