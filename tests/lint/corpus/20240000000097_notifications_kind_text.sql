-- migrate:up
ALTER TABLE notifications ALTER COLUMN kind TYPE text;

-- migrate:down
ALTER TABLE notifications ALTER COLUMN kind TYPE varchar(30);
