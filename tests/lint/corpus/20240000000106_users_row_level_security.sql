-- migrate:up
ALTER TABLE users ENABLE ROW LEVEL SECURITY;
CREATE POLICY users_same_account ON users USING (account_id = current_setting('app.account_id')::bigint);

-- migrate:down
DROP POLICY users_same_account ON users;
ALTER TABLE users DISABLE ROW LEVEL SECURITY;
