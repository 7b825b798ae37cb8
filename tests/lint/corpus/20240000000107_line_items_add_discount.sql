-- migrate:up
ALTER TABLE line_items ADD COLUMN discount_cents integer NOT NULL DEFAULT 0;

-- migrate:down
ALTER TABLE line_items DROP COLUMN discount_cents;
