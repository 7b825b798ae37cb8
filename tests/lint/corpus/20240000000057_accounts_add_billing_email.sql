-- migrate:up
ALTER TABLE accounts ADD COLUMN billing_email text NOT NULL;

-- migrate:down
ALTER TABLE accounts DROP COLUMN billing_email;
