-- What every calendar feed shows depends on these tables; each change to them moves one counter, so
-- a replica serving a feed it rendered before needs one read (token and counter) to know it is still
-- current. Row triggers, so a statement that changes nothing (an autopilot tick's idle UPDATE) moves
-- nothing; usernames count only when they really change (a profile refresh rewrites the same name).

CREATE TABLE feed_generation (
    id         SMALLINT PRIMARY KEY CHECK (id = 1),
    generation BIGINT NOT NULL
);
INSERT INTO feed_generation (id, generation) VALUES (1, 0);

CREATE FUNCTION bump_feed_generation() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE feed_generation SET generation = generation + 1 WHERE id = 1;
    RETURN NULL;
END
$$;
CREATE TRIGGER feed_tasks AFTER INSERT OR UPDATE OR DELETE ON tasks
    FOR EACH ROW EXECUTE FUNCTION bump_feed_generation();
CREATE TRIGGER feed_task_users AFTER INSERT OR UPDATE OR DELETE ON task_users
    FOR EACH ROW EXECUTE FUNCTION bump_feed_generation();
CREATE TRIGGER feed_task_needs AFTER INSERT OR UPDATE OR DELETE ON task_needs
    FOR EACH ROW EXECUTE FUNCTION bump_feed_generation();
CREATE TRIGGER feed_task_overrides AFTER INSERT OR UPDATE OR DELETE ON task_overrides
    FOR EACH ROW EXECUTE FUNCTION bump_feed_generation();
CREATE TRIGGER feed_holidays AFTER INSERT OR UPDATE OR DELETE ON holidays
    FOR EACH ROW EXECUTE FUNCTION bump_feed_generation();
CREATE TRIGGER feed_rotations AFTER INSERT OR UPDATE OR DELETE ON rotations
    FOR EACH ROW EXECUTE FUNCTION bump_feed_generation();
CREATE TRIGGER feed_users_rename AFTER UPDATE OF username ON users
    FOR EACH ROW WHEN (OLD.username IS DISTINCT FROM NEW.username)
    EXECUTE FUNCTION bump_feed_generation();
