-- migrate:up
ALTER TABLE users RENAME TO accounts; -- expect: renaming-table
-- Quiet: a new table renamed, then used under its new name.
CREATE TABLE drafts_tmp (id int);
ALTER TABLE drafts_tmp RENAME TO drafts;
CREATE INDEX drafts_id_idx ON drafts (id);
