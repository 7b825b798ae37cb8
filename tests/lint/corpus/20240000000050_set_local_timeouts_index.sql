-- migrate:up
SET LOCAL lock_timeout = '1s';
SET LOCAL statement_timeout = '5min';
CREATE INDEX orders_placed_at_idx ON orders (placed_at);

-- migrate:down
DROP INDEX orders_placed_at_idx;
