-- migrate:up
ALTER TABLE users ALTER COLUMN email SET NOT NULL; -- expect: adding-not-nullable-field
-- Quiet: a validated CHECK (col IS NOT NULL) lets PostgreSQL skip the scan.
ALTER TABLE users ADD CONSTRAINT users_name_not_null CHECK (name IS NOT NULL) NOT VALID;
ALTER TABLE users VALIDATE CONSTRAINT users_name_not_null;
ALTER TABLE users ALTER COLUMN name SET NOT NULL;
-- Quiet: a new table.
CREATE TABLE drafts (body text);
ALTER TABLE drafts ALTER COLUMN body SET NOT NULL;
