-- migrate:up
CREATE TABLE counters (id integer, n smallint, big bigint); -- expect: prefer-bigint-over-int
CREATE TABLE ids (id serial); -- expect: prefer-bigint-over-int
-- Quiet: 64-bit integers.
CREATE TABLE totals (id bigint, n int8, s bigserial);
ALTER TABLE users ALTER COLUMN age TYPE integer; -- expect: prefer-bigint-over-int
