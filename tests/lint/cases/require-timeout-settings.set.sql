-- migrate:up
-- Quiet: the migration sets its own lock_timeout first.
SET LOCAL lock_timeout = '2s';
ALTER TABLE users ADD COLUMN bio text;
