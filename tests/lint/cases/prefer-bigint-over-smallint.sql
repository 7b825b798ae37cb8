-- migrate:up
CREATE TABLE ratings (stars smallint, n int2); -- expect: prefer-bigint-over-smallint
ALTER TABLE users ALTER COLUMN age TYPE smallint; -- expect: prefer-bigint-over-smallint
-- Quiet: wider integers.
CREATE TABLE counts (n integer, m bigint);
