-- migrate:up
ALTER TABLE api_keys DROP COLUMN IF EXISTS last_used_at;

-- migrate:down
ALTER TABLE api_keys ADD COLUMN last_used_at timestamp;
