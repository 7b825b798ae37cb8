-- migrate:up transaction:false
ALTER TABLE audit_log DETACH PARTITION audit_log_2024 CONCURRENTLY;

-- migrate:down transaction:false
ALTER TABLE audit_log ATTACH PARTITION audit_log_2024 FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
