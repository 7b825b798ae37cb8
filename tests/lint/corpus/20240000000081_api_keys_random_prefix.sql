-- migrate:up
ALTER TABLE api_keys ADD COLUMN prefix text NOT NULL DEFAULT substr(md5(random()::text), 1, 8);

-- migrate:down
ALTER TABLE api_keys DROP COLUMN prefix;
