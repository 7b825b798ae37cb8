-- migrate:up
ALTER TABLE orders ADD COLUMN number bigserial;

-- migrate:down
ALTER TABLE orders DROP COLUMN number;
