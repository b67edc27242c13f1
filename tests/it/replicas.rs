//! Several `serve` processes on one Postgres database, as a site runs replicas behind a load balancer:
//! a command on any process sees every committed change, concurrent commands split over the processes
//! lose no update, the autopilot runs in one process at a time with every DM delivered exactly once,
//! and when the process holding the autopilot's lease is killed (`kill -9`), another takes over.
//!
//! These always run on Postgres (whatever `LOTTO_TEST_DATABASE` says): sharing a database between
//! processes is what the Postgres backend is for.

use std::collections::{BTreeMap, BTreeSet};

use futures_util::future::join_all;
use sqlx::AnyPool;

use crate::support::db::{TestDb, fresh_postgres, pool};
use crate::support::fake_mattermost::FakeMattermost;
use crate::support::process::{Serving, bare, serve};
use crate::support::wait::eventually;

struct Site {
    mm: FakeMattermost,
    database: TestDb,
    db: AnyPool,
    dir: tempfile::TempDir,
}

impl Site {
    async fn new(users: &[&str]) -> Site {
        let mm = FakeMattermost::start().await;
        mm.add_user("admin").time_zone("UTC");
        for u in users {
            mm.add_user(u).time_zone("UTC");
        }
        let database = fresh_postgres().await;
        let db = pool(&database.url).await;
        Site {
            mm,
            database,
            db,
            dir: tempfile::tempdir().expect("temp dir"),
        }
    }

    /// One more `serve` process on the shared database, with the autopilot every `autopilot`.
    async fn replica(&self, autopilot: &str) -> Serving {
        let mut cmd = bare(&self.dir);
        cmd.env("LOTTO_MATTERMOST_URL", self.mm.base_url())
            .env("LOTTO_BOT_TOKEN", self.mm.bot_token())
            .env("LOTTO_SLASH_TOKENS", self.mm.slash_token())
            .env("LOTTO_ADMINS", "admin")
            .env("LOTTO_LISTEN", "127.0.0.1:0")
            .env("LOTTO_DATABASE_URL", &self.database.url)
            .env("LOTTO_AUTOPILOT_INTERVAL", autopilot)
            .env("LOTTO_CALENDAR_INTERVAL", "0")
            .env("LOTTO_LOG_FORMAT", "json")
            .env("LOTTO_LOG", "info");
        serve(cmd).await
    }

    async fn run(&self, on: &Serving, user: &str, text: &str) -> String {
        let url = format!("http://{}/slash", on.addr);
        self.mm.slash(&url, user, text).await.text().to_string()
    }

    async fn lease_holder(&self, job: &str) -> Option<String> {
        sqlx::query_scalar("SELECT holder FROM leases WHERE name = $1")
            .bind(job)
            .fetch_optional(&self.db)
            .await
            .expect("read the lease")
    }

    /// "You're on ICE#n" DMs: how many each task got, over everyone.
    fn scheduled_dms(&self, users: &[&str]) -> BTreeMap<String, usize> {
        let mut per_task = BTreeMap::new();
        for u in users {
            for dm in self.mm.dms_to(u) {
                if let Some(rest) = dm.strip_prefix("#### You're on ") {
                    let task = rest.lines().next().unwrap_or_default().to_string();
                    *per_task.entry(task).or_insert(0) += 1;
                }
            }
        }
        per_task
    }

    async fn scheduled_tasks(&self) -> BTreeSet<String> {
        let rows: Vec<(String, i64)> = sqlx::query_as(
            "SELECT r.name, t.number FROM tasks t JOIN rotations r ON r.id = t.rotation_id
             WHERE t.state = 'scheduled'",
        )
        .fetch_all(&self.db)
        .await
        .expect("read the tasks");
        rows.into_iter().map(|(r, n)| format!("{r}#{n}")).collect()
    }
}

/// The process id at the start of a lease holder's identity (`<pid>-<uuid>`).
fn pid_of(holder: &str) -> u32 {
    holder
        .split('-')
        .next()
        .and_then(|p| p.parse().ok())
        .unwrap_or_else(|| panic!("a holder names its process: {holder}"))
}

#[tokio::test]
async fn commands_split_over_two_processes_see_each_others_changes_and_lose_no_update() {
    let people: Vec<String> = (0..16).map(|i| format!("p{i:02}")).collect();
    let names: Vec<&str> = people.iter().map(String::as_str).collect();
    let site = Site::new(&names).await;
    let a = site.replica("0").await;
    let b = site.replica("0").await;

    let created = site.run(&a, "admin", "rotation new ICE").await;
    assert!(created.contains("Created rotation **ICE**"), "{created}");
    // The other process sees it at once.
    let shown = site.run(&b, "admin", "rotation show ICE").await;
    assert!(shown.contains("ICE"), "{shown}");

    // Everyone joins at the same moment, half through each process.
    let joins = join_all(names.iter().enumerate().map(|(i, u)| {
        let on = if i % 2 == 0 { &a } else { &b };
        site.run(on, u, "user join ICE")
    }))
    .await;
    for (u, reply) in names.iter().zip(&joins) {
        assert!(reply.starts_with(&format!("Added @{u}")), "{u}: {reply}");
    }
    let positions: Vec<i64> = sqlx::query_scalar(
        "SELECT m.position FROM rotation_members m JOIN rotations r ON r.id = m.rotation_id
         WHERE r.name = 'ICE' ORDER BY m.position",
    )
    .fetch_all(&site.db)
    .await
    .expect("read the members");
    assert_eq!(
        positions,
        (1..=16).collect::<Vec<i64>>(),
        "every join kept, each its own place in the join order"
    );
    for on in [&a, &b] {
        let members = site.run(on, "admin", "rotation show ICE --members").await;
        for u in &names {
            assert!(members.contains(&format!("@{u}")), "{u} missing: {members}");
        }
    }

    // Two people create the same rotation at once, one on each process: exactly one wins.
    let (one, two) = tokio::join!(
        site.run(&a, "p00", "rotation new OPS"),
        site.run(&b, "p01", "rotation new OPS"),
    );
    let wins = [&one, &two]
        .iter()
        .filter(|r| r.contains("Created rotation **OPS**"))
        .count();
    assert_eq!(wins, 1, "{one}\n---\n{two}");
    let ops: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM rotations WHERE name = 'OPS' AND archived_at IS NULL",
    )
    .fetch_one(&site.db)
    .await
    .expect("count rotations");
    assert_eq!(ops, 1);
}

#[tokio::test]
async fn the_autopilot_runs_in_one_process_delivers_each_dm_once_and_survives_kill_9_of_its_holder()
{
    let people = ["ann", "bob", "cid", "dee"];
    let site = Site::new(&people).await;
    let a = site.replica("1s").await;
    let b = site.replica("1s").await;
    let mut procs = vec![a, b];

    site.run(
        &procs[0],
        "admin",
        "rotation new ICE --period daily --tz UTC",
    )
    .await;
    let joined = site
        .run(&procs[1], "admin", "user join ICE @ann @bob @cid @dee")
        .await;
    assert!(joined.starts_with("Added"), "{joined}");
    let set = site
        .run(
            &procs[0],
            "admin",
            "rotation set autopilot ICE --create-prior 2d --schedule --schedule-prior 2d",
        )
        .await;
    assert!(set.contains("creates shifts 2 days ahead"), "{set}");

    // Both processes tick every second; the shifts up to two days ahead get created, filled, and
    // their people told, once each.
    eventually("the first shifts are scheduled and announced", async || {
        let tasks = site.scheduled_tasks().await;
        (tasks.len() >= 3 && site.scheduled_dms(&people).len() == tasks.len()).then_some(())
    })
    .await;
    let tasks = site.scheduled_tasks().await;
    let dms = site.scheduled_dms(&people);
    assert_eq!(dms.keys().cloned().collect::<BTreeSet<_>>(), tasks);
    assert!(dms.values().all(|n| *n == 1), "a DM was doubled: {dms:?}");

    // kill -9 the process holding the autopilot's lease; the other takes over.
    let holder = site.lease_holder("autopilot").await.expect("a holder");
    let dead = procs
        .iter()
        .position(|p| p.child.id() == Some(pid_of(&holder)))
        .expect("the holder is one of our processes");
    let mut victim = procs.remove(dead);
    victim.child.start_kill().expect("kill -9");
    victim.child.wait().await.expect("reaped");
    let survivor = &procs[0];
    let survivor_pid = survivor.child.id().expect("running");

    let set = site
        .run(
            survivor,
            "admin",
            "rotation set autopilot ICE --create-prior 4d --schedule-prior 4d",
        )
        .await;
    assert!(set.contains("creates shifts 4 days ahead"), "{set}");
    eventually(
        "the survivor holds the lease and announces the new shifts",
        async || {
            let holder = site.lease_holder("autopilot").await;
            let tasks = site.scheduled_tasks().await;
            (holder.is_some_and(|h| pid_of(&h) == survivor_pid)
                && tasks.len() >= 5
                && site.scheduled_dms(&people).len() == tasks.len())
            .then_some(())
        },
    )
    .await;
    let tasks = site.scheduled_tasks().await;
    let dms = site.scheduled_dms(&people);
    assert_eq!(dms.keys().cloned().collect::<BTreeSet<_>>(), tasks);
    assert!(dms.values().all(|n| *n == 1), "a DM was doubled: {dms:?}");
    // Many ticks of both processes later, nothing was sent twice; and the outbox agrees: every message sent once, none pending or given up.
    let (sent, open): (i64, i64) = sqlx::query_as(
        "SELECT COUNT(sent_at), COUNT(CASE WHEN sent_at IS NULL THEN 1 END) FROM outbox",
    )
    .fetch_one(&site.db)
    .await
    .expect("read the outbox");
    assert_eq!(open, 0);
    assert_eq!(
        sent as usize,
        site.mm.posts().len(),
        "one post per sent message"
    );
}
