-- migrate:up
DROP TABLE old_sessions; -- expect: ban-drop-table
DROP TABLE IF EXISTS app.audit_2019, audit_2020; -- expect: ban-drop-table
-- Quiet: a table the run created.
CREATE TABLE scratch (id int);
DROP TABLE scratch;
