-- migrate:up
ALTER TABLE notifications ADD COLUMN payload jsonb NOT NULL DEFAULT '{}'::jsonb;

-- migrate:down
ALTER TABLE notifications DROP COLUMN payload;
