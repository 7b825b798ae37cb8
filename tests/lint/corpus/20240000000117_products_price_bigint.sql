-- migrate:up
ALTER TABLE products ALTER COLUMN price_cents TYPE bigint;

-- migrate:down
ALTER TABLE products ALTER COLUMN price_cents TYPE integer;
