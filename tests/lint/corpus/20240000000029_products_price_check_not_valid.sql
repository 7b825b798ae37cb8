-- migrate:up
ALTER TABLE products ADD CONSTRAINT products_price_positive CHECK (price_cents > 0) NOT VALID;
ALTER TABLE products VALIDATE CONSTRAINT products_price_positive;

-- migrate:down
ALTER TABLE products DROP CONSTRAINT products_price_positive;
