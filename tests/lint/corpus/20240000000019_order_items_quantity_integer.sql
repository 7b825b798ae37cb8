-- migrate:up
ALTER TABLE order_items ALTER COLUMN quantity TYPE integer;

-- migrate:down
ALTER TABLE order_items ALTER COLUMN quantity TYPE smallint;
