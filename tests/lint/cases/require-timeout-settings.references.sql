-- migrate:up
-- A new table whose foreign key references an existing one locks that one against writes.
CREATE TABLE posts (id bigint PRIMARY KEY, author bigint REFERENCES users (id)); -- expect: require-timeout-settings
