-- migrate:up
ALTER TABLE users ADD CONSTRAINT users_email_key UNIQUE (email); -- expect: disallowed-unique-constraint
ALTER TABLE users ADD COLUMN handle text UNIQUE; -- expect: disallowed-unique-constraint
-- Quiet: the index was built CONCURRENTLY before; a new table.
ALTER TABLE users ADD CONSTRAINT users_name_key UNIQUE USING INDEX users_name_idx;
CREATE TABLE drafts (slug text);
ALTER TABLE drafts ADD CONSTRAINT drafts_slug_key UNIQUE (slug);
