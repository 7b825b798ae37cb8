-- migrate:up
CREATE INDEX CONCURRENTLY users_email_idx ON users (email); -- expect: ban-concurrent-index-creation-in-transaction
DROP INDEX CONCURRENTLY users_name_idx; -- expect: ban-concurrent-index-creation-in-transaction
-- Quiet: the words inside a literal or a comment are not a statement.
COMMENT ON TABLE users IS 'CREATE INDEX CONCURRENTLY later';
