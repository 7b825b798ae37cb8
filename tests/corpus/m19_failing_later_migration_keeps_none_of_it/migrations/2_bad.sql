-- migrate:up
ALTER TABLE nope ADD COLUMN x int;
