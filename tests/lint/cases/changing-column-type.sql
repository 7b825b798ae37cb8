-- migrate:up
ALTER TABLE users ALTER COLUMN id TYPE bigint; -- expect: changing-column-type
ALTER TABLE users ALTER email SET DATA TYPE text, ALTER COLUMN name SET DEFAULT ''; -- expect: changing-column-type
-- Quiet: a table created in the same migration.
CREATE TABLE drafts (id int);
ALTER TABLE drafts ALTER COLUMN id TYPE bigint;
