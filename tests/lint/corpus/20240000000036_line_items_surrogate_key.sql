-- migrate:up
ALTER TABLE line_items DROP CONSTRAINT order_items_pkey;
ALTER TABLE line_items ADD COLUMN id bigserial PRIMARY KEY;

-- migrate:down
ALTER TABLE line_items DROP COLUMN id;
ALTER TABLE line_items ADD PRIMARY KEY (order_id, product_id);
