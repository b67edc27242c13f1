-- What every calendar feed shows depends on these tables; each change to them moves one counter, so
-- a replica serving a feed it rendered before needs one read (token and counter) to know it is still
-- current. Row triggers, so a statement that changes nothing (an autopilot tick's idle UPDATE) moves
-- nothing; usernames count only when they really change (a profile refresh rewrites the same name).

CREATE TABLE feed_generation (
    id         INTEGER PRIMARY KEY CHECK (id = 1),
    generation BIGINT NOT NULL
);
INSERT INTO feed_generation (id, generation) VALUES (1, 0);

CREATE TRIGGER feed_tasks_insert AFTER INSERT ON tasks
BEGIN UPDATE feed_generation SET generation = generation + 1 WHERE id = 1; END;
CREATE TRIGGER feed_tasks_update AFTER UPDATE ON tasks
BEGIN UPDATE feed_generation SET generation = generation + 1 WHERE id = 1; END;
CREATE TRIGGER feed_tasks_delete AFTER DELETE ON tasks
BEGIN UPDATE feed_generation SET generation = generation + 1 WHERE id = 1; END;
CREATE TRIGGER feed_task_users_insert AFTER INSERT ON task_users
BEGIN UPDATE feed_generation SET generation = generation + 1 WHERE id = 1; END;
CREATE TRIGGER feed_task_users_update AFTER UPDATE ON task_users
BEGIN UPDATE feed_generation SET generation = generation + 1 WHERE id = 1; END;
CREATE TRIGGER feed_task_users_delete AFTER DELETE ON task_users
BEGIN UPDATE feed_generation SET generation = generation + 1 WHERE id = 1; END;
CREATE TRIGGER feed_task_needs_insert AFTER INSERT ON task_needs
BEGIN UPDATE feed_generation SET generation = generation + 1 WHERE id = 1; END;
CREATE TRIGGER feed_task_needs_update AFTER UPDATE ON task_needs
BEGIN UPDATE feed_generation SET generation = generation + 1 WHERE id = 1; END;
CREATE TRIGGER feed_task_needs_delete AFTER DELETE ON task_needs
BEGIN UPDATE feed_generation SET generation = generation + 1 WHERE id = 1; END;
CREATE TRIGGER feed_task_overrides_insert AFTER INSERT ON task_overrides
BEGIN UPDATE feed_generation SET generation = generation + 1 WHERE id = 1; END;
CREATE TRIGGER feed_task_overrides_update AFTER UPDATE ON task_overrides
BEGIN UPDATE feed_generation SET generation = generation + 1 WHERE id = 1; END;
CREATE TRIGGER feed_task_overrides_delete AFTER DELETE ON task_overrides
BEGIN UPDATE feed_generation SET generation = generation + 1 WHERE id = 1; END;
CREATE TRIGGER feed_holidays_insert AFTER INSERT ON holidays
BEGIN UPDATE feed_generation SET generation = generation + 1 WHERE id = 1; END;
CREATE TRIGGER feed_holidays_update AFTER UPDATE ON holidays
BEGIN UPDATE feed_generation SET generation = generation + 1 WHERE id = 1; END;
CREATE TRIGGER feed_holidays_delete AFTER DELETE ON holidays
BEGIN UPDATE feed_generation SET generation = generation + 1 WHERE id = 1; END;
CREATE TRIGGER feed_rotations_insert AFTER INSERT ON rotations
BEGIN UPDATE feed_generation SET generation = generation + 1 WHERE id = 1; END;
CREATE TRIGGER feed_rotations_update AFTER UPDATE ON rotations
BEGIN UPDATE feed_generation SET generation = generation + 1 WHERE id = 1; END;
CREATE TRIGGER feed_rotations_delete AFTER DELETE ON rotations
BEGIN UPDATE feed_generation SET generation = generation + 1 WHERE id = 1; END;
CREATE TRIGGER feed_users_rename AFTER UPDATE OF username ON users
WHEN OLD.username IS NOT NEW.username
BEGIN UPDATE feed_generation SET generation = generation + 1 WHERE id = 1; END;
