-- migrate:up
ALTER TABLE users ADD CONSTRAINT users_name_not_null CHECK (name IS NOT NULL) NOT VALID;

-- migrate:down
ALTER TABLE users DROP CONSTRAINT users_name_not_null;
