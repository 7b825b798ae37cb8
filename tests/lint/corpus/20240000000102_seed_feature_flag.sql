-- migrate:up
INSERT INTO feature_flags (name, enabled) VALUES ('search_v2', true) ON CONFLICT DO NOTHING;

-- migrate:down
DELETE FROM feature_flags WHERE name = 'search_v2';
