-- migrate:up
ALTER TABLE users ADD COLUMN time_zone text NOT NULL DEFAULT 'UTC';

-- migrate:down
ALTER TABLE users DROP COLUMN time_zone;
