-- migrate:up
CREATE INDEX index_users_on_account_id ON users (account_id);

-- migrate:down
DROP INDEX index_users_on_account_id;
