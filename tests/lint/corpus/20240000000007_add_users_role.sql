-- migrate:up
ALTER TABLE users ADD COLUMN role varchar(20) NOT NULL DEFAULT 'member';

-- migrate:down
ALTER TABLE users DROP COLUMN role;
