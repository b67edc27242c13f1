-- Profile presets: the engine records what it is about to show BEFORE writing to Mattermost, so a
-- process that dies between a write and its record still leaves a restore for the next one to do.
-- `applying` = 1 while those writes are not confirmed: `applied_emoji` and `applied_sha256` then name
-- what the bot meant to show, which Mattermost may or may not have yet, and the engine writes again.
ALTER TABLE profile_state ADD COLUMN applying BIGINT NOT NULL DEFAULT 0;
