-- migrate:up
ALTER TABLE products ADD COLUMN rating_avg numeric(3, 2);

-- migrate:down
ALTER TABLE products DROP COLUMN rating_avg;
