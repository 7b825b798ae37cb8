-- migrate:up
-- Quiet: nothing here blocks reads or writes of an existing table while it waits.
CREATE TABLE tags (id bigint PRIMARY KEY, name text NOT NULL);
CREATE TABLE post_tags (tag bigint REFERENCES tags (id));
CREATE FUNCTION answer() RETURNS int LANGUAGE sql AS 'SELECT 42';
CREATE VIEW tag_names AS SELECT name FROM tags;
COMMENT ON TABLE users IS 'people';
CREATE SCHEMA reporting;
