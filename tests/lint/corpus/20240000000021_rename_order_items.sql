-- migrate:up
ALTER TABLE order_items RENAME TO line_items;

-- migrate:down
ALTER TABLE line_items RENAME TO order_items;
