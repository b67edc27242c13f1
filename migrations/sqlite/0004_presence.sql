-- Presence around on-call: per-rotation presence alerts and on-call custom status, what the presence job
-- last saw of each person it polls, and the absence episodes owners were told about.

-- `rotation set presence`: a row means presence alerts are on for the rotation.
CREATE TABLE rotation_presence (
    rotation_id     INTEGER PRIMARY KEY REFERENCES rotations(id) ON DELETE CASCADE,
    absent_after    INTEGER NOT NULL,         -- seconds offline before the owners hear
    channel_id      TEXT,                     -- also post there (checked when set)
    channel_name    TEXT,
    updated_by      TEXT NOT NULL,
    updated_at      INTEGER NOT NULL
);

-- `rotation set oncall-status`: a row means the people on a started task get this custom status.
CREATE TABLE rotation_oncall_status (
    rotation_id     INTEGER PRIMARY KEY REFERENCES rotations(id) ON DELETE CASCADE,
    emoji           TEXT NOT NULL,            -- name without colons, checked with Mattermost when set
    text            TEXT NOT NULL,            -- a template: {rotation} becomes the rotation's name
    updated_by      TEXT NOT NULL,
    updated_at      INTEGER NOT NULL
);

-- The last status the presence job saw per person, written on changes only (for `who`).
CREATE TABLE presence_seen (
    user_id         TEXT PRIMARY KEY,
    status          TEXT NOT NULL,            -- online | away | dnd | offline | ooo | …
    offline_since   INTEGER,                  -- first poll that saw them offline, while they are
    changed_at      INTEGER NOT NULL
);

-- One row per absence episode of a person on a started task that the owners were told about; `back_at`
-- is set when the "back" note was queued. Survives restarts, so an episode is told once.
CREATE TABLE presence_episodes (
    task_id         INTEGER NOT NULL REFERENCES tasks(id) ON DELETE CASCADE,
    user_id         TEXT NOT NULL,
    offline_since   INTEGER NOT NULL,
    alerted_at      INTEGER NOT NULL,
    back_at         INTEGER,
    PRIMARY KEY (task_id, user_id, offline_since)
);

-- Outbox rows may be channel posts (presence alerts) or custom-status changes, not only DMs.
ALTER TABLE outbox ADD COLUMN channel_id TEXT;
