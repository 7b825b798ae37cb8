-- migrate:up
CREATE TABLE audit_log_2025 PARTITION OF audit_log FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');

-- migrate:down
DROP TABLE audit_log_2025;
