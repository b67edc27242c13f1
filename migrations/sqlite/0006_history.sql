-- The audit log: every change to a rotation or one of its tasks, written in the transaction that
-- made it, and pruned after LOTTO_HISTORY_RETENTION.
CREATE TABLE history (
    id            INTEGER PRIMARY KEY,
    rotation_id   INTEGER REFERENCES rotations(id) ON DELETE CASCADE,  -- NULL: every rotation (holidays)
    task_id       INTEGER REFERENCES tasks(id) ON DELETE CASCADE,
    at            INTEGER NOT NULL,                -- Unix seconds
    actor_kind    TEXT NOT NULL CHECK (actor_kind IN ('person', 'autopilot')),
    actor_user_id TEXT,                            -- the person, when actor_kind = 'person'
    actor_name    TEXT,                            -- their username at the time
    event         TEXT NOT NULL,                   -- the typed event as JSON
    summary       TEXT NOT NULL                    -- its one-line description (times in UTC)
);
CREATE INDEX history_rotation_at ON history(rotation_id, at);
CREATE INDEX history_task_at ON history(task_id, at);
CREATE INDEX history_at ON history(at);
