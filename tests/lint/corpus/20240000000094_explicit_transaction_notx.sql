-- migrate:up transaction:false
BEGIN;
ALTER TABLE products ADD COLUMN featured boolean NOT NULL DEFAULT false;
UPDATE products SET featured = true WHERE price_cents > 100000;
COMMIT;

-- migrate:down transaction:false
ALTER TABLE products DROP COLUMN featured;
