-- migrate:up
DROP TABLE product_tags, tags;

-- migrate:down
SELECT 1;
