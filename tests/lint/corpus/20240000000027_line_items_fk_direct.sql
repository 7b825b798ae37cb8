-- migrate:up
ALTER TABLE line_items ADD CONSTRAINT line_items_product_fk FOREIGN KEY (product_id) REFERENCES products (id);

-- migrate:down
ALTER TABLE line_items DROP CONSTRAINT line_items_product_fk;
