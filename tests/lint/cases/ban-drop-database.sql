-- migrate:up transaction:false
DROP DATABASE reporting; -- expect: ban-drop-database
-- Quiet: dropping other things.
DROP SCHEMA IF EXISTS tmp;
