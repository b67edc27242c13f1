-- Calendar-driven status: one calendar connection per person, with their settings and the bot's memory of
-- what it did for them, and the problems the sync job reports once instead of every run.

CREATE TABLE calendar_connections (
    user_id         TEXT PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
    source_kind     TEXT NOT NULL CHECK (source_kind IN ('graph', 'ics')),
    source          TEXT NOT NULL,            -- the Graph mailbox, or the ICS feed URL (may hold a secret: never logged)
    busy_status     TEXT NOT NULL DEFAULT 'dnd' CHECK (busy_status IN ('dnd', 'away', 'off')),
    notices         BIGINT NOT NULL DEFAULT 1,
    custom_status   BIGINT NOT NULL DEFAULT 1,
    paused_until    BIGINT,                  -- the person holds the wheel until then
    memory          TEXT NOT NULL DEFAULT '{}', -- JSON calendar::rules::Memory, stored only after its writes succeeded
    problem_kind    TEXT CHECK (problem_kind IN ('source', 'forbidden')),
    problem         TEXT,                     -- what the person was told (once) about the current problem
    problem_since   BIGINT,
    synced_at       BIGINT,                  -- the last run that read this calendar
    connected_by    TEXT NOT NULL,
    connected_at    BIGINT NOT NULL
);

-- Server-wide problems of the sync job (the bot may not change statuses, custom statuses are off), told to
-- the bot admins once; the row goes when the problem does, so a relapse is told again.
CREATE TABLE calendar_alerts (
    key         TEXT COLLATE "C" PRIMARY KEY,
    message     TEXT NOT NULL,
    notified_at BIGINT NOT NULL
);
