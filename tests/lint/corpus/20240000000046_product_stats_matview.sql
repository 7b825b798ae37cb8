-- migrate:up
CREATE MATERIALIZED VIEW product_stats AS
SELECT p.id AS product_id, count(li.order_id) AS times_ordered
FROM products p LEFT JOIN line_items li ON li.product_id = p.id GROUP BY p.id;
CREATE UNIQUE INDEX product_stats_product_id_idx ON product_stats (product_id);

-- migrate:down
DROP MATERIALIZED VIEW product_stats;
