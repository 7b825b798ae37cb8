-- migrate:up transaction:false
CREATE UNIQUE INDEX CONCURRENTLY accounts_slug_idx ON accounts (slug);

-- migrate:down transaction:false
DROP INDEX CONCURRENTLY accounts_slug_idx;
