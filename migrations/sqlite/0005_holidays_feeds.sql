-- Holidays, what each rotation does with a shift that starts on one, and the secret links of the
-- iCalendar feeds.

-- skip: the shift is not held; shift: it starts on the next working day; ignore: holidays change nothing.
ALTER TABLE rotations ADD COLUMN holiday_policy TEXT NOT NULL DEFAULT 'skip'
    CHECK (holiday_policy IN ('skip', 'shift', 'ignore'));

CREATE TABLE holidays (
    id          INTEGER PRIMARY KEY,
    day         TEXT NOT NULL,                -- YYYY-MM-DD, a date on each rotation's own wall clock
    name        TEXT,
    rotation_id INTEGER REFERENCES rotations(id) ON DELETE CASCADE,  -- NULL: every rotation
    created_by  TEXT NOT NULL,
    created_at  INTEGER NOT NULL
);
-- One entry per day for every rotation, and one per day and rotation.
CREATE UNIQUE INDEX holidays_global_day ON holidays(day) WHERE rotation_id IS NULL;
CREATE UNIQUE INDEX holidays_rotation_day ON holidays(rotation_id, day) WHERE rotation_id IS NOT NULL;

-- The secret of each feed link; a reset deletes the row, so the old link answers 404. The feed's
-- fingerprint and when it last changed give calendar clients ETag and Last-Modified.
CREATE TABLE ical_tokens (
    token       TEXT PRIMARY KEY,
    rotation_id INTEGER REFERENCES rotations(id) ON DELETE CASCADE,
    user_id     TEXT REFERENCES users(id) ON DELETE CASCADE,
    fingerprint TEXT,
    changed_at  INTEGER NOT NULL,
    created_at  INTEGER NOT NULL,
    CHECK ((rotation_id IS NULL) <> (user_id IS NULL))
);
CREATE UNIQUE INDEX ical_tokens_rotation ON ical_tokens(rotation_id) WHERE rotation_id IS NOT NULL;
CREATE UNIQUE INDEX ical_tokens_user ON ical_tokens(user_id) WHERE user_id IS NOT NULL;
