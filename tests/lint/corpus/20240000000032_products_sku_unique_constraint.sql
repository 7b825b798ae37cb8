-- migrate:up
ALTER TABLE products ADD CONSTRAINT products_sku_key UNIQUE USING INDEX products_sku_idx;

-- migrate:down
ALTER TABLE products DROP CONSTRAINT products_sku_key;
