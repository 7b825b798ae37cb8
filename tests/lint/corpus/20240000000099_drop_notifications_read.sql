-- migrate:up
ALTER TABLE notifications DROP COLUMN read CASCADE;

-- migrate:down
ALTER TABLE notifications ADD COLUMN read boolean NOT NULL DEFAULT false;
