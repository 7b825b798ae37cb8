-- migrate:up
ALTER TABLE users ALTER COLUMN role DROP NOT NULL;

-- migrate:down
ALTER TABLE users ALTER COLUMN role SET NOT NULL;
