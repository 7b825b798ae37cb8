-- migrate:up
ALTER TABLE webhooks ADD COLUMN last_error_at timestamp;

-- migrate:down
ALTER TABLE webhooks DROP COLUMN last_error_at;
