-- migrate:up
ALTER TABLE users DROP COLUMN password_digest;

-- migrate:down
ALTER TABLE users ADD COLUMN password_digest varchar(255);
