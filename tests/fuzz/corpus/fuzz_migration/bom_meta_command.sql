-- migrate:up
BEGIN;
SELECT 1;
COMMIT;
\i other.sql
