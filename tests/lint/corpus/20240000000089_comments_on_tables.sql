-- migrate:up
COMMENT ON TABLE orders IS 'One checkout of one account';
COMMENT ON COLUMN orders.total_cents IS 'Sum of the line items, in cents';

-- migrate:down
COMMENT ON TABLE orders IS NULL;
COMMENT ON COLUMN orders.total_cents IS NULL;
