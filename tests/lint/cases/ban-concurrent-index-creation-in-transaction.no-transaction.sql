-- migrate:up transaction:false
CREATE INDEX CONCURRENTLY users_email_idx ON users (email);
DROP INDEX CONCURRENTLY users_name_idx;
