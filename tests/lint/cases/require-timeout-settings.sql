-- migrate:up
CREATE TABLE drafts (id int);
ALTER TABLE users ADD COLUMN bio text; -- expect: require-timeout-settings
-- Quiet: one finding per migration, at its first lock on an existing table.
ALTER TABLE users ADD COLUMN motto text;
