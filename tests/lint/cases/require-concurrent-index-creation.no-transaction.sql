-- migrate:up transaction:false
-- Quiet: the safe form.
CREATE INDEX CONCURRENTLY users_email_idx ON users (email);
CREATE INDEX CONCURRENTLY IF NOT EXISTS orders_at_idx ON orders (created_at);
