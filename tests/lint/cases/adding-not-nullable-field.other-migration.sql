-- migrate:up
-- Offline, a VALIDATE of a constraint added by another migration proves nothing about this
-- column (squawk assumes it does); with a database, its definition is checked.
ALTER TABLE users VALIDATE CONSTRAINT users_name_not_null;
ALTER TABLE users ALTER COLUMN name SET NOT NULL; -- expect: adding-not-nullable-field
