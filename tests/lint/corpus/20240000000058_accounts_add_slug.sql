-- migrate:up
ALTER TABLE accounts ADD COLUMN slug text;
UPDATE accounts SET slug = lower(regexp_replace(name, '[^a-zA-Z0-9]+', '-', 'g'));

-- migrate:down
ALTER TABLE accounts DROP COLUMN slug;
