-- The on-call custom status follows partial overrides (issue 14): it passes to whoever covers a
-- stretch of a started task at the stretch's start and back at its finish. `oncall_at` is the moment
-- whose serving people wear the status now (set at the start, moved by each hand-over); the
-- autopilot's tick hands over when the people serving at its own time differ. NULL: a task started
-- before this migration, whose status went to the people serving all of it.
ALTER TABLE tasks ADD COLUMN oncall_at BIGINT;
