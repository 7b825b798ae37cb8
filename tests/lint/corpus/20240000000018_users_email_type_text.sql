-- migrate:up
ALTER TABLE users ALTER COLUMN email TYPE text;

-- migrate:down
ALTER TABLE users ALTER COLUMN email TYPE varchar(255);
