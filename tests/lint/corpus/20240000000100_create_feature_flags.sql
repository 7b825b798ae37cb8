-- migrate:up
CREATE TABLE feature_flags (
    name text PRIMARY KEY,
    enabled boolean NOT NULL DEFAULT false,
    rollout_percent integer NOT NULL DEFAULT 0
);
INSERT INTO feature_flags (name) VALUES ('new_checkout'), ('dark_mode');

-- migrate:down
DROP TABLE feature_flags;
