-- Profile presets (issue 12): a custom-status emoji switches a person's nickname and picture to a
-- preset they chose, and back.

-- One preset per person and emoji. The picture was downloaded once and normalised to a 128×128 PNG,
-- so every later write sends the same bytes (Mattermost ignores byte-identical pictures).
CREATE TABLE profile_presets (
    user_id      TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    emoji        TEXT NOT NULL,                 -- the name without colons, e.g. palm_tree
    nickname     TEXT,                          -- NULL: the preset keeps the original nickname
    image_png    BLOB,                          -- NULL: the preset keeps the original picture
    image_sha256 TEXT,
    image_url    TEXT,                          -- where the picture came from (shown, never re-fetched)
    created_at   INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL,
    PRIMARY KEY (user_id, emoji),
    CHECK (nickname IS NOT NULL OR image_png IS NOT NULL)
);

-- What the engine did to each person's profile: the original saved before its first change, what
-- is applied now, whether Mattermost refused to let it manage this profile, and whether the person
-- must be re-read (their change could not be queued, or applying it failed).
CREATE TABLE profile_state (
    user_id           TEXT PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
    original_saved    INTEGER NOT NULL DEFAULT 0,
    original_nickname TEXT,
    original_png      BLOB,
    original_sha256   TEXT,
    applied_emoji     TEXT,                     -- NULL: the original is shown
    applied_sha256    TEXT,                     -- the picture the bot last wrote
    held_emoji        TEXT,                     -- `profile restore` while this emoji was set: not re-applied until it changes
    expires_at        INTEGER,                  -- when the applied status expires (Unix seconds)
    unmanageable      TEXT,                     -- why Mattermost refuses (403/409); NULL: fine
    reconcile_at      INTEGER,                  -- marked for reconciliation since (Unix seconds)
    updated_at        INTEGER NOT NULL
);
CREATE INDEX profile_state_reconcile ON profile_state(reconcile_at) WHERE reconcile_at IS NOT NULL;
