-- migrate:up
ALTER TABLE users ADD COLUMN last_seen_at timestamptz DEFAULT clock_timestamp();

-- migrate:down
ALTER TABLE users DROP COLUMN last_seen_at;
