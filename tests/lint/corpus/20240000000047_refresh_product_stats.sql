-- migrate:up
REFRESH MATERIALIZED VIEW CONCURRENTLY product_stats;

-- migrate:down
SELECT 1;
