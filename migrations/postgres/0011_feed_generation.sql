-- What each calendar feed shows depends on these tables; each change to them moves counters, so a
-- replica serving a feed it rendered before needs one read (its token and counters) to know it is
-- still current. Counters by scope: a rotation's id for changes to that rotation, its tasks, the
-- people on them, their needs and overrides and its own holidays; -1 for what every rotation's feed
-- shows (everyone's holidays, renamed people); 0 for any change at all (a person's feed spans every
-- rotation). A rotation's feed is current while its own counter and -1 stand still. Row triggers,
-- so a statement that changes nothing (an autopilot tick's idle UPDATE) moves nothing; usernames
-- count only when they really change (a profile refresh rewrites the same name).

CREATE TABLE feed_generations (
    scope      BIGINT PRIMARY KEY,
    generation BIGINT NOT NULL
);
INSERT INTO feed_generations (scope, generation) VALUES (0, 0), (-1, 0);

CREATE FUNCTION bump_feed_generation() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    changed jsonb;
    target bigint;
BEGIN
    IF TG_OP = 'DELETE' THEN
        changed := to_jsonb(OLD);
    ELSE
        changed := to_jsonb(NEW);
    END IF;
    IF TG_TABLE_NAME = 'rotations' THEN
        target := (changed->>'id')::bigint;
    ELSIF TG_TABLE_NAME IN ('tasks', 'holidays') THEN
        target := COALESCE((changed->>'rotation_id')::bigint, -1);
    ELSIF TG_TABLE_NAME = 'users' THEN
        target := -1;
    ELSE
        SELECT t.rotation_id INTO target FROM tasks t WHERE t.id = (changed->>'task_id')::bigint;
        target := COALESCE(target, -1);
    END IF;
    INSERT INTO feed_generations AS g (scope, generation) VALUES (target, 1)
        ON CONFLICT (scope) DO UPDATE SET generation = g.generation + 1;
    UPDATE feed_generations SET generation = generation + 1 WHERE feed_generations.scope = 0;
    RETURN NULL;
END
$$;
CREATE TRIGGER feed_tasks AFTER INSERT OR UPDATE OR DELETE ON tasks
    FOR EACH ROW EXECUTE FUNCTION bump_feed_generation();
CREATE TRIGGER feed_rotations AFTER INSERT OR UPDATE OR DELETE ON rotations
    FOR EACH ROW EXECUTE FUNCTION bump_feed_generation();
CREATE TRIGGER feed_holidays AFTER INSERT OR UPDATE OR DELETE ON holidays
    FOR EACH ROW EXECUTE FUNCTION bump_feed_generation();
CREATE TRIGGER feed_task_users AFTER INSERT OR UPDATE OR DELETE ON task_users
    FOR EACH ROW EXECUTE FUNCTION bump_feed_generation();
CREATE TRIGGER feed_task_needs AFTER INSERT OR UPDATE OR DELETE ON task_needs
    FOR EACH ROW EXECUTE FUNCTION bump_feed_generation();
CREATE TRIGGER feed_task_overrides AFTER INSERT OR UPDATE OR DELETE ON task_overrides
    FOR EACH ROW EXECUTE FUNCTION bump_feed_generation();
CREATE TRIGGER feed_users_rename AFTER UPDATE OF username ON users
    FOR EACH ROW WHEN (OLD.username IS DISTINCT FROM NEW.username)
    EXECUTE FUNCTION bump_feed_generation();

-- A feed reads a rotation's tasks by start (30 days back to a year ahead): a range of this index,
-- in order, instead of every task of the rotation sorted.
CREATE INDEX tasks_rotation_start ON tasks(rotation_id, expected_start);
