-- migrate:up
ALTER TABLE orders VALIDATE CONSTRAINT orders_user_id_fkey;

-- migrate:down
SELECT 1;
