-- migrate:up
BEGIN;
ALTER TABLE products ADD COLUMN archived boolean NOT NULL DEFAULT false;
COMMIT;

-- migrate:down
ALTER TABLE products DROP COLUMN archived;
