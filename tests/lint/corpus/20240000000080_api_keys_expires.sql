-- migrate:up
ALTER TABLE api_keys ADD COLUMN expires_at timestamptz DEFAULT now() + interval '1 year';

-- migrate:down
ALTER TABLE api_keys DROP COLUMN expires_at;
