-- migrate:up
DROP TABLE analytics.page_views;

-- migrate:down
SELECT 1;
