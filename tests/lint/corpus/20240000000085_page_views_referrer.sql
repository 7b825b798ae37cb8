-- migrate:up
ALTER TABLE analytics.page_views ADD COLUMN referrer varchar(2048);

-- migrate:down
ALTER TABLE analytics.page_views DROP COLUMN referrer;
