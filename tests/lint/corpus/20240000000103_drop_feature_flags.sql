-- migrate:up
DROP TABLE IF EXISTS feature_flags CASCADE;

-- migrate:down
SELECT 1;
