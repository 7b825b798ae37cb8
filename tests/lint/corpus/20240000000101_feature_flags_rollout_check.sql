-- migrate:up
ALTER TABLE feature_flags ADD CONSTRAINT rollout_range CHECK (rollout_percent BETWEEN 0 AND 100);

-- migrate:down
ALTER TABLE feature_flags DROP CONSTRAINT rollout_range;
