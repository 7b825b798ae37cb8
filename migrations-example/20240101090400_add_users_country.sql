-- migrate:up
ALTER TABLE users ADD COLUMN country_code char(2) REFERENCES countries (code);

-- migrate:down
ALTER TABLE users DROP COLUMN country_code;
