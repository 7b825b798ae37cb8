-- migrate:up
CREATE TABLE people (name varchar(100), email text); -- expect: prefer-text-field
ALTER TABLE users ADD COLUMN nick character varying(20); -- expect: prefer-text-field
-- Quiet: text, and varchar without a length.
CREATE TABLE notes (body text, title varchar);
ALTER TABLE users ALTER COLUMN email TYPE varchar(320); -- expect: prefer-text-field
