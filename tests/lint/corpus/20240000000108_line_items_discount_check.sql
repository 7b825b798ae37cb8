-- migrate:up
ALTER TABLE line_items ADD CONSTRAINT discount_not_negative CHECK (discount_cents >= 0) NOT VALID;

-- migrate:down
ALTER TABLE line_items DROP CONSTRAINT discount_not_negative;
