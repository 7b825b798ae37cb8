-- migrate:up transaction:false
DROP INDEX CONCURRENTLY users_email_idx;
DROP INDEX CONCURRENTLY IF EXISTS orders_at_idx;
