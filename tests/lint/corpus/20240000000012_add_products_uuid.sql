-- migrate:up
ALTER TABLE products ADD COLUMN public_id uuid DEFAULT gen_random_uuid();

-- migrate:down
ALTER TABLE products DROP COLUMN public_id;
