-- migrate:up
ALTER TABLE users ALTER COLUMN email DROP NOT NULL; -- expect: ban-drop-not-null
-- Quiet: a new table.
CREATE TABLE drafts (body text NOT NULL);
ALTER TABLE drafts ALTER COLUMN body DROP NOT NULL;
