-- migrate:up
ALTER TABLE users RENAME COLUMN email TO email_address; -- expect: renaming-column
ALTER TABLE users RENAME name TO full_name; -- expect: renaming-column
-- Quiet: a new table; renaming other kinds of object.
CREATE TABLE drafts (body text);
ALTER TABLE drafts RENAME COLUMN body TO text;
ALTER INDEX users_email_idx RENAME TO users_email_address_idx;
