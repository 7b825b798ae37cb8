-- migrate:up
ALTER TABLE orders ALTER COLUMN status DROP DEFAULT;
ALTER TABLE orders ALTER COLUMN status TYPE order_status USING status::order_status;
ALTER TABLE orders ALTER COLUMN status SET DEFAULT 'pending';

-- migrate:down
ALTER TABLE orders ALTER COLUMN status TYPE text;
