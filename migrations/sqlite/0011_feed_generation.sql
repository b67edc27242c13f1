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

CREATE TRIGGER feed_tasks_insert AFTER INSERT ON tasks
BEGIN
    INSERT INTO feed_generations (scope, generation) VALUES (NEW.rotation_id, 1) ON CONFLICT (scope) DO UPDATE SET generation = generation + 1;
    INSERT INTO feed_generations (scope, generation) VALUES (0, 1) ON CONFLICT (scope) DO UPDATE SET generation = generation + 1;
END;
CREATE TRIGGER feed_tasks_update AFTER UPDATE ON tasks
BEGIN
    INSERT INTO feed_generations (scope, generation) VALUES (NEW.rotation_id, 1) ON CONFLICT (scope) DO UPDATE SET generation = generation + 1;
    INSERT INTO feed_generations (scope, generation) VALUES (0, 1) ON CONFLICT (scope) DO UPDATE SET generation = generation + 1;
END;
CREATE TRIGGER feed_tasks_delete AFTER DELETE ON tasks
BEGIN
    INSERT INTO feed_generations (scope, generation) VALUES (OLD.rotation_id, 1) ON CONFLICT (scope) DO UPDATE SET generation = generation + 1;
    INSERT INTO feed_generations (scope, generation) VALUES (0, 1) ON CONFLICT (scope) DO UPDATE SET generation = generation + 1;
END;
CREATE TRIGGER feed_rotations_insert AFTER INSERT ON rotations
BEGIN
    INSERT INTO feed_generations (scope, generation) VALUES (NEW.id, 1) ON CONFLICT (scope) DO UPDATE SET generation = generation + 1;
    INSERT INTO feed_generations (scope, generation) VALUES (0, 1) ON CONFLICT (scope) DO UPDATE SET generation = generation + 1;
END;
CREATE TRIGGER feed_rotations_update AFTER UPDATE ON rotations
BEGIN
    INSERT INTO feed_generations (scope, generation) VALUES (NEW.id, 1) ON CONFLICT (scope) DO UPDATE SET generation = generation + 1;
    INSERT INTO feed_generations (scope, generation) VALUES (0, 1) ON CONFLICT (scope) DO UPDATE SET generation = generation + 1;
END;
CREATE TRIGGER feed_rotations_delete AFTER DELETE ON rotations
BEGIN
    INSERT INTO feed_generations (scope, generation) VALUES (OLD.id, 1) ON CONFLICT (scope) DO UPDATE SET generation = generation + 1;
    INSERT INTO feed_generations (scope, generation) VALUES (0, 1) ON CONFLICT (scope) DO UPDATE SET generation = generation + 1;
END;
CREATE TRIGGER feed_holidays_insert AFTER INSERT ON holidays
BEGIN
    INSERT INTO feed_generations (scope, generation) VALUES (COALESCE(NEW.rotation_id, -1), 1) ON CONFLICT (scope) DO UPDATE SET generation = generation + 1;
    INSERT INTO feed_generations (scope, generation) VALUES (0, 1) ON CONFLICT (scope) DO UPDATE SET generation = generation + 1;
END;
CREATE TRIGGER feed_holidays_update AFTER UPDATE ON holidays
BEGIN
    INSERT INTO feed_generations (scope, generation) VALUES (COALESCE(NEW.rotation_id, -1), 1) ON CONFLICT (scope) DO UPDATE SET generation = generation + 1;
    INSERT INTO feed_generations (scope, generation) VALUES (0, 1) ON CONFLICT (scope) DO UPDATE SET generation = generation + 1;
END;
CREATE TRIGGER feed_holidays_delete AFTER DELETE ON holidays
BEGIN
    INSERT INTO feed_generations (scope, generation) VALUES (COALESCE(OLD.rotation_id, -1), 1) ON CONFLICT (scope) DO UPDATE SET generation = generation + 1;
    INSERT INTO feed_generations (scope, generation) VALUES (0, 1) ON CONFLICT (scope) DO UPDATE SET generation = generation + 1;
END;
CREATE TRIGGER feed_task_users_insert AFTER INSERT ON task_users
BEGIN
    INSERT INTO feed_generations (scope, generation) VALUES (COALESCE((SELECT rotation_id FROM tasks WHERE id = NEW.task_id), -1), 1) ON CONFLICT (scope) DO UPDATE SET generation = generation + 1;
    INSERT INTO feed_generations (scope, generation) VALUES (0, 1) ON CONFLICT (scope) DO UPDATE SET generation = generation + 1;
END;
CREATE TRIGGER feed_task_users_update AFTER UPDATE ON task_users
BEGIN
    INSERT INTO feed_generations (scope, generation) VALUES (COALESCE((SELECT rotation_id FROM tasks WHERE id = NEW.task_id), -1), 1) ON CONFLICT (scope) DO UPDATE SET generation = generation + 1;
    INSERT INTO feed_generations (scope, generation) VALUES (0, 1) ON CONFLICT (scope) DO UPDATE SET generation = generation + 1;
END;
CREATE TRIGGER feed_task_users_delete AFTER DELETE ON task_users
BEGIN
    INSERT INTO feed_generations (scope, generation) VALUES (COALESCE((SELECT rotation_id FROM tasks WHERE id = OLD.task_id), -1), 1) ON CONFLICT (scope) DO UPDATE SET generation = generation + 1;
    INSERT INTO feed_generations (scope, generation) VALUES (0, 1) ON CONFLICT (scope) DO UPDATE SET generation = generation + 1;
END;
CREATE TRIGGER feed_task_needs_insert AFTER INSERT ON task_needs
BEGIN
    INSERT INTO feed_generations (scope, generation) VALUES (COALESCE((SELECT rotation_id FROM tasks WHERE id = NEW.task_id), -1), 1) ON CONFLICT (scope) DO UPDATE SET generation = generation + 1;
    INSERT INTO feed_generations (scope, generation) VALUES (0, 1) ON CONFLICT (scope) DO UPDATE SET generation = generation + 1;
END;
CREATE TRIGGER feed_task_needs_update AFTER UPDATE ON task_needs
BEGIN
    INSERT INTO feed_generations (scope, generation) VALUES (COALESCE((SELECT rotation_id FROM tasks WHERE id = NEW.task_id), -1), 1) ON CONFLICT (scope) DO UPDATE SET generation = generation + 1;
    INSERT INTO feed_generations (scope, generation) VALUES (0, 1) ON CONFLICT (scope) DO UPDATE SET generation = generation + 1;
END;
CREATE TRIGGER feed_task_needs_delete AFTER DELETE ON task_needs
BEGIN
    INSERT INTO feed_generations (scope, generation) VALUES (COALESCE((SELECT rotation_id FROM tasks WHERE id = OLD.task_id), -1), 1) ON CONFLICT (scope) DO UPDATE SET generation = generation + 1;
    INSERT INTO feed_generations (scope, generation) VALUES (0, 1) ON CONFLICT (scope) DO UPDATE SET generation = generation + 1;
END;
CREATE TRIGGER feed_task_overrides_insert AFTER INSERT ON task_overrides
BEGIN
    INSERT INTO feed_generations (scope, generation) VALUES (COALESCE((SELECT rotation_id FROM tasks WHERE id = NEW.task_id), -1), 1) ON CONFLICT (scope) DO UPDATE SET generation = generation + 1;
    INSERT INTO feed_generations (scope, generation) VALUES (0, 1) ON CONFLICT (scope) DO UPDATE SET generation = generation + 1;
END;
CREATE TRIGGER feed_task_overrides_update AFTER UPDATE ON task_overrides
BEGIN
    INSERT INTO feed_generations (scope, generation) VALUES (COALESCE((SELECT rotation_id FROM tasks WHERE id = NEW.task_id), -1), 1) ON CONFLICT (scope) DO UPDATE SET generation = generation + 1;
    INSERT INTO feed_generations (scope, generation) VALUES (0, 1) ON CONFLICT (scope) DO UPDATE SET generation = generation + 1;
END;
CREATE TRIGGER feed_task_overrides_delete AFTER DELETE ON task_overrides
BEGIN
    INSERT INTO feed_generations (scope, generation) VALUES (COALESCE((SELECT rotation_id FROM tasks WHERE id = OLD.task_id), -1), 1) ON CONFLICT (scope) DO UPDATE SET generation = generation + 1;
    INSERT INTO feed_generations (scope, generation) VALUES (0, 1) ON CONFLICT (scope) DO UPDATE SET generation = generation + 1;
END;
CREATE TRIGGER feed_users_rename AFTER UPDATE OF username ON users
WHEN OLD.username IS NOT NEW.username
BEGIN
    INSERT INTO feed_generations (scope, generation) VALUES (-1, 1) ON CONFLICT (scope) DO UPDATE SET generation = generation + 1;
    INSERT INTO feed_generations (scope, generation) VALUES (0, 1) ON CONFLICT (scope) DO UPDATE SET generation = generation + 1;
END;

-- A feed reads a rotation's tasks by start (30 days back to a year ahead): a range of this index,
-- in order, instead of every task of the rotation sorted.
CREATE INDEX tasks_rotation_start ON tasks(rotation_id, expected_start);
