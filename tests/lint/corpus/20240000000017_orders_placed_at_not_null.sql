-- migrate:up
ALTER TABLE orders ALTER COLUMN placed_at SET NOT NULL;

-- migrate:down
ALTER TABLE orders ALTER COLUMN placed_at DROP NOT NULL;
