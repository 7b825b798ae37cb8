-- migrate:up
DROP INDEX users_email_idx; -- expect: require-concurrent-index-deletion
DROP INDEX IF EXISTS app.orders_at_idx; -- expect: require-concurrent-index-deletion
-- Quiet: an index created earlier in the run.
CREATE TABLE events (id bigint);
CREATE INDEX events_id_idx ON events (id);
DROP INDEX events_id_idx;
