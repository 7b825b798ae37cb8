-- migrate:up
ALTER TABLE products DROP COLUMN sku CASCADE;

-- migrate:down
ALTER TABLE products ADD COLUMN sku char(12);
