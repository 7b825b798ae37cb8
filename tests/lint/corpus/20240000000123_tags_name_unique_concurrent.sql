-- migrate:up transaction:false
CREATE UNIQUE INDEX CONCURRENTLY tags_name_idx ON tags (lower(name));

-- migrate:down transaction:false
DROP INDEX CONCURRENTLY tags_name_idx;
