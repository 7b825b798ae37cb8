-- migrate:up
CREATE VIEW order_totals AS
SELECT o.account_id, count(*) AS orders, sum(o.total_cents) AS total_cents
FROM orders o GROUP BY o.account_id;

-- migrate:down
DROP VIEW order_totals;
