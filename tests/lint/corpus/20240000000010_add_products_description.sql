-- migrate:up
ALTER TABLE products ADD COLUMN description text NOT NULL DEFAULT '';

-- migrate:down
ALTER TABLE products DROP COLUMN description;
