-- migrate:up
ALTER TABLE webhooks ADD COLUMN enabled boolean NOT NULL DEFAULT true;

-- migrate:down
ALTER TABLE webhooks DROP COLUMN enabled;
