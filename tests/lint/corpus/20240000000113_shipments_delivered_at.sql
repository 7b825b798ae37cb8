-- migrate:up
ALTER TABLE shipments ADD COLUMN delivered_at timestamptz, ADD COLUMN signed_by text;

-- migrate:down
ALTER TABLE shipments DROP COLUMN delivered_at, DROP COLUMN signed_by;
