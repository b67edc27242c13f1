-- Solar Lottery schema. Times are INTEGER Unix seconds (UTC), durations INTEGER seconds: they compare and
-- index as numbers, whatever the formatting of the client.

CREATE TABLE users (
    id          TEXT PRIMARY KEY,             -- Mattermost user id
    username    TEXT NOT NULL,
    tz          TEXT,                         -- IANA zone from the Mattermost profile; NULL = unknown (UTC)
    email       TEXT,
    is_admin    INTEGER NOT NULL DEFAULT 0,   -- Mattermost system admin, as last seen
    refreshed_at INTEGER NOT NULL,            -- when the profile was last read from Mattermost
    created_at  INTEGER NOT NULL
);
CREATE INDEX users_username ON users(username);

CREATE TABLE skills (
    name        TEXT PRIMARY KEY COLLATE NOCASE,
    created_at  INTEGER NOT NULL
);

CREATE TABLE user_skills (
    user_id     TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    skill       TEXT NOT NULL COLLATE NOCASE,
    level       INTEGER NOT NULL CHECK (level BETWEEN 1 AND 4),
    PRIMARY KEY (user_id, skill)
);

CREATE TABLE rotations (
    id                  INTEGER PRIMARY KEY,
    name                TEXT NOT NULL,
    tz                  TEXT NOT NULL,
    task_type           TEXT NOT NULL CHECK (task_type IN ('shift', 'ticket')),
    period              TEXT NOT NULL,        -- daily | weekly | biweekly | monthly | a duration like 3d
    beginning           INTEGER NOT NULL,
    seed                INTEGER NOT NULL,
    fuzz                INTEGER NOT NULL DEFAULT 0,
    task_duration       INTEGER NOT NULL DEFAULT 0,   -- 0: a shift lasts its period, a ticket 30 minutes
    grace               INTEGER NOT NULL DEFAULT 0,
    ticket_seq          INTEGER NOT NULL DEFAULT 0,
    ap_create           INTEGER NOT NULL DEFAULT 0,
    ap_create_prior     INTEGER NOT NULL DEFAULT 0,
    ap_schedule         INTEGER NOT NULL DEFAULT 0,
    ap_schedule_prior   INTEGER NOT NULL DEFAULT 0,
    ap_start_finish     INTEGER NOT NULL DEFAULT 0,
    ap_remind_start     INTEGER NOT NULL DEFAULT 0,
    ap_remind_start_prior  INTEGER NOT NULL DEFAULT 0,
    ap_remind_finish    INTEGER NOT NULL DEFAULT 0,
    ap_remind_finish_prior INTEGER NOT NULL DEFAULT 0,
    archived_at         INTEGER,
    created_by          TEXT NOT NULL,
    created_at          INTEGER NOT NULL
);
-- Names are unique among active rotations only, so an archived name can be reused.
CREATE UNIQUE INDEX rotations_active_name ON rotations(lower(name)) WHERE archived_at IS NULL;

-- Requirements ("at least N") and limits ("at most N") of a rotation, copied to each task at creation.
CREATE TABLE rotation_needs (
    rotation_id INTEGER NOT NULL REFERENCES rotations(id) ON DELETE CASCADE,
    kind        TEXT NOT NULL CHECK (kind IN ('require', 'limit')),
    skill_level TEXT NOT NULL,                -- input form: any | webapp-2
    count       INTEGER NOT NULL CHECK (count >= 0),
    PRIMARY KEY (rotation_id, kind, skill_level)
);

CREATE TABLE rotation_members (
    rotation_id INTEGER NOT NULL REFERENCES rotations(id) ON DELETE CASCADE,
    user_id     TEXT NOT NULL REFERENCES users(id),
    position    INTEGER NOT NULL,             -- join order: the pool order of a fill
    joined_at   INTEGER NOT NULL,             -- counts as "last served" until the first service
    PRIMARY KEY (rotation_id, user_id)
);
CREATE INDEX rotation_members_user ON rotation_members(user_id);

CREATE TABLE rotation_owners (
    rotation_id INTEGER NOT NULL REFERENCES rotations(id) ON DELETE CASCADE,
    user_id     TEXT NOT NULL REFERENCES users(id),
    PRIMARY KEY (rotation_id, user_id)
);

CREATE TABLE tasks (
    id                INTEGER PRIMARY KEY,
    rotation_id       INTEGER NOT NULL REFERENCES rotations(id) ON DELETE CASCADE,
    number            INTEGER NOT NULL,       -- shift number, or ticket sequence
    kind              TEXT NOT NULL CHECK (kind IN ('shift', 'ticket')),
    state             TEXT NOT NULL CHECK (state IN ('pending', 'scheduled', 'started', 'finished')),
    expected_start    INTEGER NOT NULL,
    expected_duration INTEGER NOT NULL,
    actual_start      INTEGER,
    actual_finish     INTEGER,
    grace             INTEGER NOT NULL DEFAULT 0,
    summary           TEXT,
    reminded_start    INTEGER NOT NULL DEFAULT 0,
    reminded_finish   INTEGER NOT NULL DEFAULT 0,
    created_at        INTEGER NOT NULL,
    UNIQUE (rotation_id, number)
);
CREATE INDEX tasks_rotation_state ON tasks(rotation_id, state);

CREATE TABLE task_needs (
    task_id     INTEGER NOT NULL REFERENCES tasks(id) ON DELETE CASCADE,
    kind        TEXT NOT NULL CHECK (kind IN ('require', 'limit')),
    skill_level TEXT NOT NULL,
    count       INTEGER NOT NULL CHECK (count >= 0),
    PRIMARY KEY (task_id, kind, skill_level)
);

CREATE TABLE task_users (
    task_id     INTEGER NOT NULL REFERENCES tasks(id) ON DELETE CASCADE,
    user_id     TEXT NOT NULL REFERENCES users(id),
    position    INTEGER NOT NULL,             -- assignment order
    PRIMARY KEY (task_id, user_id)
);
CREATE INDEX task_users_user ON task_users(user_id);

-- Personal time off and calendar out-of-office. Time on tasks and the grace after them are derived from
-- tasks and task_users, never copied here, so they can't drift when a task moves or someone is unassigned.
CREATE TABLE unavailability (
    id          INTEGER PRIMARY KEY,
    user_id     TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    start       INTEGER NOT NULL,
    finish      INTEGER NOT NULL,
    reason      TEXT NOT NULL CHECK (reason IN ('personal', 'calendar')),
    created_at  INTEGER NOT NULL,
    CHECK (finish > start)
);
CREATE INDEX unavailability_user ON unavailability(user_id, finish);

-- Messages to deliver. Written in the same transaction as the change that causes them; the key is the
-- idempotency key (sent as the post's pending_post_id), so a retry never posts twice.
CREATE TABLE outbox (
    id              INTEGER PRIMARY KEY,
    key             TEXT NOT NULL UNIQUE,
    user_id         TEXT NOT NULL,            -- recipient (a DM from the bot)
    kind            TEXT NOT NULL,            -- welcome, scheduled, remind_start, ... (for reports)
    message         TEXT NOT NULL,
    rotation_id     INTEGER,                  -- whose owners hear about a permanent failure
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL,
    last_error      TEXT,
    sent_at         INTEGER,
    failed_at       INTEGER,                  -- permanent failure: not retried
    created_at      INTEGER NOT NULL
);
CREATE INDEX outbox_due ON outbox(next_attempt_at) WHERE sent_at IS NULL AND failed_at IS NULL;

-- Single-runner leases for background jobs.
CREATE TABLE leases (
    name        TEXT PRIMARY KEY,
    holder      TEXT NOT NULL,
    expires_at  INTEGER NOT NULL
);

-- What the rotation's owners were last told about a task the autopilot could not fill, so they hear
-- once per reason, not every tick.
CREATE TABLE autopilot_alerts (
    task_id     INTEGER PRIMARY KEY REFERENCES tasks(id) ON DELETE CASCADE,
    reason      TEXT NOT NULL,
    notified_at INTEGER NOT NULL
);
