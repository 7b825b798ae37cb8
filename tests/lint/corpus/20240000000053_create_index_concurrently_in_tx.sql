-- migrate:up
CREATE INDEX CONCURRENTLY users_role_idx ON users (role);

-- migrate:down
DROP INDEX users_role_idx;
