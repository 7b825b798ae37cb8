-- migrate:up transaction:false
CREATE INDEX CONCURRENTLY accounts_search_idx ON accounts USING gin (search);

-- migrate:down transaction:false
DROP INDEX CONCURRENTLY accounts_search_idx;
