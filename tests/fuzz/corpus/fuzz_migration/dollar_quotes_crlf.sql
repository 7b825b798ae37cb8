-- migrate:up
CREATE FUNCTION f() RETURNS int AS $body$ SELECT 1; $body$ LANGUAGE sql;
DO $$ BEGIN PERFORM 1; END $$;
/* comment -- migrate:down */ SELECT E'\\';
-- migrate:down
DROP FUNCTION f();
