-- migrate:up
ALTER TABLE accounts ALTER COLUMN slug SET NOT NULL;

-- migrate:down
ALTER TABLE accounts ALTER COLUMN slug DROP NOT NULL;
