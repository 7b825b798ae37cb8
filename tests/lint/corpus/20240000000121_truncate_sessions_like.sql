-- migrate:up
DELETE FROM orders WHERE status = 'cancelled' AND placed_at < now() - interval '5 years';

-- migrate:down
SELECT 1;
