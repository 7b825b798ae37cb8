-- migrate:up
DO $$ BEGIN PERFORM 1; END;
