-- migrate:up
ALTER TABLE orders SET (autovacuum_vacuum_scale_factor = 0.02);

-- migrate:down
ALTER TABLE orders RESET (autovacuum_vacuum_scale_factor);
