-- migrate:up
ALTER TABLE users VALIDATE CONSTRAINT users_name_not_null;

-- migrate:down
SELECT 1;
