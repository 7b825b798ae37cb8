-- migrate:up
CREATE TABLE audit_log (
    id bigint GENERATED ALWAYS AS IDENTITY,
    occurred_at timestamptz NOT NULL DEFAULT now(),
    actor_id integer,
    action text NOT NULL,
    payload jsonb
) PARTITION BY RANGE (occurred_at);
CREATE TABLE audit_log_2024 PARTITION OF audit_log FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
CREATE INDEX ON audit_log (occurred_at);

-- migrate:down
DROP TABLE audit_log;
