-- migrate:up
CREATE INDEX users_email_idx ON users (email); -- expect: require-concurrent-index-creation
CREATE UNIQUE INDEX ON app.accounts (lower(name)); -- expect: require-concurrent-index-creation
-- Quiet: a table created earlier in the same run has no readers or writers yet.
CREATE TABLE events (id bigint PRIMARY KEY, at timestamptz);
CREATE INDEX events_at_idx ON events (at);
CREATE TABLE app.tags (id bigint);
CREATE INDEX ON tags (id);
