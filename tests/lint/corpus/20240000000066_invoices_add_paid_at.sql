-- migrate:up
ALTER TABLE invoices ADD COLUMN paid_at timestamptz;

-- migrate:down
ALTER TABLE invoices DROP COLUMN paid_at;
