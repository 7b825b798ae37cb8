-- migrate:up
ALTER TABLE users VALIDATE CONSTRAINT users_name_not_null;
ALTER TABLE users ALTER COLUMN name SET NOT NULL;
ALTER TABLE users DROP CONSTRAINT users_name_not_null;

-- migrate:down
ALTER TABLE users ALTER COLUMN name DROP NOT NULL;
