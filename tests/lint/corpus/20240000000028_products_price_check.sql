-- migrate:up
ALTER TABLE products ADD CONSTRAINT products_price_max CHECK (price_cents < 100000000);

-- migrate:down
ALTER TABLE products DROP CONSTRAINT products_price_max;
