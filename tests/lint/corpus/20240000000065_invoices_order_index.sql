-- migrate:up
CREATE INDEX invoices_order_id_idx ON invoices (order_id);

-- migrate:down
DROP INDEX invoices_order_id_idx;
