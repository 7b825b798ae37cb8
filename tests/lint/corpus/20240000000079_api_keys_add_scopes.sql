-- migrate:up
ALTER TABLE api_keys ADD COLUMN scopes text[] NOT NULL DEFAULT ARRAY['read']::text[];

-- migrate:down
ALTER TABLE api_keys ADD COLUMN scopes text[];
