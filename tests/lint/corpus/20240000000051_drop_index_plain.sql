-- migrate:up
DROP INDEX orders_placed_at_idx;

-- migrate:down
CREATE INDEX orders_placed_at_idx ON orders (placed_at);
