-- migrate:up transaction:false
CREATE INDEX CONCURRENTLY i ON t (a);
-- migrate:down transaction:false
DROP INDEX CONCURRENTLY i;
