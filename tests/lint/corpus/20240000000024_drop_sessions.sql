-- migrate:up
DROP TABLE sessions;

-- migrate:down
CREATE TABLE sessions (id text PRIMARY KEY, user_id integer NOT NULL, data jsonb NOT NULL DEFAULT '{}', expires_at timestamp NOT NULL);
