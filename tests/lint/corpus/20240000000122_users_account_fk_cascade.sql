-- migrate:up
ALTER TABLE users DROP CONSTRAINT users_account_id_fkey,
    ADD CONSTRAINT users_account_id_fkey FOREIGN KEY (account_id) REFERENCES accounts (id) ON DELETE CASCADE;

-- migrate:down
SELECT 1;
