-- migrate:up
ALTER TABLE users DROP COLUMN legacy_flag; -- expect: ban-drop-column
ALTER TABLE users DROP IF EXISTS old_name; -- expect: ban-drop-column
-- Quiet: a new table; an ignored drop with its reason.
CREATE TABLE drafts (a int, b int);
ALTER TABLE drafts DROP COLUMN b;
-- dbtool:lint-ignore ban-drop-column unused since release 4.2, removed from the app in #881
ALTER TABLE users DROP COLUMN fax;
