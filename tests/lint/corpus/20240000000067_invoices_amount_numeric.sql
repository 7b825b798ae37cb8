-- migrate:up
ALTER TABLE invoices ALTER COLUMN amount_cents TYPE numeric(14, 2);

-- migrate:down
ALTER TABLE invoices ALTER COLUMN amount_cents TYPE bigint;
