//! What the bot stored, read as the tests think of it: rotations and their members by name, tasks as
//! `ICE#0`, people by username, the outbox as pending, sent and failed messages. The SQL stays here,
//! so the tests read as intents.

use sqlx::FromRow;

use super::TestApp;

/// A rotation's stored settings. Times are Unix seconds, durations seconds.
#[derive(Debug)]
pub struct StoredRotation {
    pub tz: String,
    pub period: String,
    pub task_type: String,
    pub beginning: i64,
    pub seed: i64,
    pub fuzz: i64,
    pub task_duration: i64,
    pub grace: i64,
    pub ap_create: bool,
    pub ap_schedule: bool,
    pub ap_schedule_prior: i64,
    pub ap_start_finish: bool,
    pub ap_remind_start: bool,
    pub ap_remind_finish: bool,
}

/// The row behind [`StoredRotation`]: flags are integers on both backends.
#[derive(FromRow)]
struct RotationRow {
    tz: String,
    period: String,
    task_type: String,
    beginning: i64,
    seed: i64,
    fuzz: i64,
    task_duration: i64,
    grace: i64,
    ap_create: i64,
    ap_schedule: i64,
    ap_schedule_prior: i64,
    ap_start_finish: i64,
    ap_remind_start: i64,
    ap_remind_finish: i64,
}

impl From<RotationRow> for StoredRotation {
    fn from(r: RotationRow) -> Self {
        StoredRotation {
            tz: r.tz,
            period: r.period,
            task_type: r.task_type,
            beginning: r.beginning,
            seed: r.seed,
            fuzz: r.fuzz,
            task_duration: r.task_duration,
            grace: r.grace,
            ap_create: r.ap_create != 0,
            ap_schedule: r.ap_schedule != 0,
            ap_schedule_prior: r.ap_schedule_prior,
            ap_start_finish: r.ap_start_finish != 0,
            ap_remind_start: r.ap_remind_start != 0,
            ap_remind_finish: r.ap_remind_finish != 0,
        }
    }
}

/// A task as stored. Times are Unix seconds.
#[derive(Debug, FromRow)]
pub struct StoredTask {
    pub state: String,
    pub expected_start: i64,
    pub expected_duration: i64,
    pub actual_start: Option<i64>,
    pub actual_finish: Option<i64>,
    pub summary: Option<String>,
}

/// How many messages of the outbox are waiting, were delivered, or were given up.
#[derive(Debug, Clone, Copy, PartialEq, Eq, FromRow)]
pub struct OutboxTally {
    pub pending: i64,
    pub sent: i64,
    pub failed: i64,
}

/// One queued DM, in the order it was queued.
#[derive(Debug, Clone, FromRow)]
pub struct OutboxMessage {
    pub id: i64,
    pub key: String,
    pub kind: String,
    pub message: String,
    pub attempts: i64,
    pub next_attempt_at: i64,
    pub last_error: Option<String>,
    pub failed_at: Option<i64>,
}

/// A background job's lease: which process runs the job, and until when unless it renews.
#[derive(Debug, Clone, FromRow)]
pub struct StoredLease {
    pub holder: String,
    /// Unix milliseconds.
    pub expires_at: i64,
}

/// `ROT#n`, the name people use for a task.
const TASK_NAME: &str = "r.name || '#' || k.number";

impl TestApp {
    /// Every rotation's name, archived ones included, oldest first.
    pub async fn rotation_names(&self) -> Vec<String> {
        self.strings("SELECT name FROM rotations ORDER BY id", &[])
            .await
    }

    /// The names of archived rotations, oldest first.
    pub async fn archived_rotations(&self) -> Vec<String> {
        self.strings(
            "SELECT name FROM rotations WHERE archived_at IS NOT NULL ORDER BY id",
            &[],
        )
        .await
    }

    /// The active rotation called `name` (panics if there is none).
    pub async fn rotation(&self, name: &str) -> StoredRotation {
        sqlx::query_as::<_, RotationRow>(
            "SELECT * FROM rotations WHERE name = $1 AND archived_at IS NULL",
        )
        .bind(name)
        .fetch_optional(&self.db)
        .await
        .expect("read a rotation")
        .unwrap_or_else(|| panic!("no active rotation {name}"))
        .into()
    }

    /// The usernames of a rotation's members, in the order they joined.
    pub async fn members_of(&self, rotation: &str) -> Vec<String> {
        self.strings(
            "SELECT u.username FROM rotation_members m JOIN users u ON u.id = m.user_id
             JOIN rotations r ON r.id = m.rotation_id
             WHERE r.name = $1 AND r.archived_at IS NULL ORDER BY m.position",
            &[rotation],
        )
        .await
    }

    /// When `username` joined `rotation` (Unix seconds): they wait for their first turn from then.
    pub async fn joined_at(&self, rotation: &str, username: &str) -> i64 {
        sqlx::query_scalar(
            "SELECT m.joined_at FROM rotation_members m JOIN users u ON u.id = m.user_id
             JOIN rotations r ON r.id = m.rotation_id
             WHERE r.name = $1 AND r.archived_at IS NULL AND u.username = $2",
        )
        .bind(rotation)
        .bind(username)
        .fetch_optional(&self.db)
        .await
        .expect("read a membership")
        .unwrap_or_else(|| panic!("@{username} is not in {rotation}"))
    }

    /// The usernames of a rotation's owners, alphabetically.
    pub async fn owners_of(&self, rotation: &str) -> Vec<String> {
        self.strings(
            "SELECT u.username FROM rotation_owners o JOIN users u ON u.id = o.user_id
             JOIN rotations r ON r.id = o.rotation_id
             WHERE r.name = $1 AND r.archived_at IS NULL ORDER BY u.username",
            &[rotation],
        )
        .await
    }

    /// What new tasks of a rotation need, as `kind:skill_level:count` (e.g. `require:any:1`),
    /// requirements first.
    pub async fn needs_of(&self, rotation: &str) -> Vec<String> {
        self.strings(
            "SELECT n.kind || ':' || n.skill_level || ':' || n.count FROM rotation_needs n
             JOIN rotations r ON r.id = n.rotation_id
             WHERE r.name = $1 AND r.archived_at IS NULL
             ORDER BY n.kind DESC, n.skill_level",
            &[rotation],
        )
        .await
    }

    /// Every task as `ICE#0`, by rotation and number.
    pub async fn tasks(&self) -> Vec<String> {
        self.task_states()
            .await
            .into_iter()
            .map(|(t, _)| t)
            .collect()
    }

    /// The tasks in `state` (pending, scheduled, started, finished), by rotation and number.
    pub async fn tasks_in_state(&self, state: &str) -> Vec<String> {
        self.task_states()
            .await
            .into_iter()
            .filter(|(_, s)| s == state)
            .map(|(t, _)| t)
            .collect()
    }

    /// Every task with its state, by rotation and number.
    pub async fn task_states(&self) -> Vec<(String, String)> {
        sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {TASK_NAME}, k.state FROM tasks k JOIN rotations r ON r.id = k.rotation_id
             ORDER BY r.name, k.number"
        )))
        .fetch_all(&self.db)
        .await
        .expect("read the tasks")
    }

    /// The task `ICE#0` (of the active rotation of that name).
    pub async fn task(&self, task: &str) -> StoredTask {
        let (rotation, number) = split_task(task);
        sqlx::query_as(
            "SELECT k.* FROM tasks k JOIN rotations r ON r.id = k.rotation_id
             WHERE r.name = $1 AND r.archived_at IS NULL AND k.number = $2",
        )
        .bind(rotation)
        .bind(number)
        .fetch_optional(&self.db)
        .await
        .expect("read a task")
        .unwrap_or_else(|| panic!("no task {task}"))
    }

    /// What the task `ICE#0` needs, as `kind:skill_level:count`, requirements first.
    pub async fn needs_of_task(&self, task: &str) -> Vec<String> {
        let (rotation, number) = split_task(task);
        sqlx::query_scalar(
            "SELECT n.kind || ':' || n.skill_level || ':' || n.count FROM task_needs n
             JOIN tasks k ON k.id = n.task_id JOIN rotations r ON r.id = k.rotation_id
             WHERE r.name = $1 AND r.archived_at IS NULL AND k.number = $2
             ORDER BY n.kind DESC, n.skill_level",
        )
        .bind(rotation)
        .bind(number)
        .fetch_all(&self.db)
        .await
        .expect("read a task's needs")
    }

    /// The usernames of the people on the task `ICE#0`, alphabetically.
    pub async fn users_on(&self, task: &str) -> Vec<String> {
        let (rotation, number) = split_task(task);
        sqlx::query_scalar(
            "SELECT u.username FROM task_users tu JOIN users u ON u.id = tu.user_id
             JOIN tasks k ON k.id = tu.task_id JOIN rotations r ON r.id = k.rotation_id
             WHERE r.name = $1 AND r.archived_at IS NULL AND k.number = $2
             ORDER BY u.username",
        )
        .bind(rotation)
        .bind(number)
        .fetch_all(&self.db)
        .await
        .expect("read the people on a task")
    }

    /// The known skills, alphabetically.
    pub async fn skills(&self) -> Vec<String> {
        self.strings("SELECT name FROM skills ORDER BY name", &[])
            .await
    }

    /// `username`'s skills with their levels (1–4), alphabetically.
    pub async fn skills_of(&self, username: &str) -> Vec<(String, i64)> {
        sqlx::query_as(
            "SELECT s.skill, s.level FROM user_skills s JOIN users u ON u.id = s.user_id
             WHERE u.username = $1 ORDER BY s.skill",
        )
        .bind(username)
        .fetch_all(&self.db)
        .await
        .expect("read skills")
    }

    /// `username`'s time off as `(start, finish)` in Unix seconds, in the order it was entered.
    pub async fn time_off_of(&self, username: &str) -> Vec<(i64, i64)> {
        sqlx::query_as(
            "SELECT a.start, a.finish FROM unavailability a JOIN users u ON u.id = a.user_id
             WHERE u.username = $1 ORDER BY a.id",
        )
        .bind(username)
        .fetch_all(&self.db)
        .await
        .expect("read time off")
    }

    /// How many DMs are waiting, were delivered and were given up.
    pub async fn outbox(&self) -> OutboxTally {
        sqlx::query_as(
            "SELECT
                COUNT(*) FILTER (WHERE sent_at IS NULL AND failed_at IS NULL) AS pending,
                COUNT(*) FILTER (WHERE sent_at IS NOT NULL) AS sent,
                COUNT(*) FILTER (WHERE failed_at IS NOT NULL) AS failed
             FROM outbox",
        )
        .fetch_one(&self.db)
        .await
        .expect("count the outbox")
    }

    /// How many DMs are still to be delivered (neither sent nor given up).
    pub async fn outbox_pending(&self) -> i64 {
        self.outbox().await.pending
    }

    /// Every queued DM, in the order queued.
    pub async fn outbox_messages(&self) -> Vec<OutboxMessage> {
        sqlx::query_as("SELECT * FROM outbox ORDER BY id")
            .fetch_all(&self.db)
            .await
            .expect("read the outbox")
    }

    /// The DMs queued for `username`, in the order queued.
    pub async fn outbox_to(&self, username: &str) -> Vec<OutboxMessage> {
        sqlx::query_as(
            "SELECT o.id, o.key, o.kind, o.message, o.attempts, o.next_attempt_at, o.last_error, o.failed_at
             FROM outbox o JOIN users u ON u.id = o.user_id
             WHERE u.username = $1 ORDER BY o.id",
        )
        .bind(username)
        .fetch_all(&self.db)
        .await
        .expect("read the outbox")
    }

    /// How many tasks have an open autopilot alert (their owners were told it can't be filled).
    pub async fn autopilot_alerts(&self) -> i64 {
        sqlx::query_scalar("SELECT COUNT(*) FROM autopilot_alerts")
            .fetch_one(&self.db)
            .await
            .expect("count the alerts")
    }

    /// The lease of the background job `job` (`autopilot`, `calendar`), if someone holds it.
    pub async fn lease(&self, job: &str) -> Option<StoredLease> {
        sqlx::query_as("SELECT holder, expires_at FROM leases WHERE name = $1")
            .bind(job)
            .fetch_optional(&self.db)
            .await
            .expect("read the lease")
    }

    /// The process holding the lease of the background job `job`, if any.
    pub async fn lease_holder(&self, job: &str) -> Option<String> {
        self.lease(job).await.map(|l| l.holder)
    }

    async fn strings(&self, sql: &'static str, binds: &[&str]) -> Vec<String> {
        let mut query = sqlx::query_scalar(sql);
        for b in binds {
            query = query.bind(*b);
        }
        query.fetch_all(&self.db).await.expect("read the database")
    }
}

/// `ICE#0` → (`ICE`, 0).
fn split_task(task: &str) -> (&str, i64) {
    let (rotation, number) = task
        .rsplit_once('#')
        .unwrap_or_else(|| panic!("`{task}` is not a task like ICE#0"));
    let number = number
        .parse()
        .unwrap_or_else(|_| panic!("`{task}` is not a task like ICE#0"));
    (rotation, number)
}
