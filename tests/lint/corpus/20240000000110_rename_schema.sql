-- migrate:up
ALTER SCHEMA analytics RENAME TO reporting;

-- migrate:down
ALTER SCHEMA reporting RENAME TO analytics;
