-- migrate:up
ALTER TABLE analytics.page_views ADD CONSTRAINT page_views_account_fk FOREIGN KEY (account_id) REFERENCES accounts (id);

-- migrate:down
ALTER TABLE analytics.page_views DROP CONSTRAINT page_views_account_fk;
