-- migrate:up
DROP TABLE IF EXISTS audit_log_2024;

-- migrate:down
SELECT 1;
