-- migrate:up
UPDATE orders o SET total_cents = s.total
FROM (SELECT order_id, sum(quantity * unit_price_cents) AS total FROM line_items GROUP BY order_id) s
WHERE s.order_id = o.id;

-- migrate:down
SELECT 1;
