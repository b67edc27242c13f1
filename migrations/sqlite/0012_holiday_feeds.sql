-- Holidays read from a published calendar (`holiday feed <url>`): one feed for every rotation (bot
-- admins) and one per rotation (its owners). The days a feed's all-day entries cover become
-- holidays that remember their feed, so each refresh replaces only its own and a day typed with
-- `holiday add` is never touched.

CREATE TABLE holiday_feeds (
    id          INTEGER PRIMARY KEY,
    rotation_id INTEGER REFERENCES rotations(id) ON DELETE CASCADE,  -- NULL: every rotation
    url         TEXT NOT NULL,
    created_by  TEXT NOT NULL,
    created_at  INTEGER NOT NULL,
    read_at     INTEGER,            -- the last refresh that read it
    failed_at   INTEGER,            -- since when refreshes fail (NULL: the last one worked)
    error       TEXT                -- why the last refresh failed
);
CREATE UNIQUE INDEX holiday_feeds_global ON holiday_feeds((rotation_id IS NULL)) WHERE rotation_id IS NULL;
CREATE UNIQUE INDEX holiday_feeds_rotation ON holiday_feeds(rotation_id) WHERE rotation_id IS NOT NULL;

ALTER TABLE holidays ADD COLUMN feed_id INTEGER REFERENCES holiday_feeds(id) ON DELETE CASCADE;
CREATE INDEX holidays_feed ON holidays(feed_id) WHERE feed_id IS NOT NULL;

-- Days someone removed with `holiday remove` although a feed gives them (the team works that public
-- holiday): the feed leaves them out from then on.
CREATE TABLE holiday_feed_skips (
    feed_id INTEGER NOT NULL REFERENCES holiday_feeds(id) ON DELETE CASCADE,
    day     TEXT NOT NULL,
    PRIMARY KEY (feed_id, day)
);
