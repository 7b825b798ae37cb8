-- migrate:up transaction:false
CREATE UNIQUE INDEX CONCURRENTLY products_sku_idx ON products (account_id, sku);

-- migrate:down transaction:false
DROP INDEX CONCURRENTLY products_sku_idx;
