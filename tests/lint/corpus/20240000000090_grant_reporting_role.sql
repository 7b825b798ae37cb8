-- migrate:up
DO $$ BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'reporting') THEN
        CREATE ROLE reporting NOLOGIN;
    END IF;
END $$;
GRANT SELECT ON orders, line_items, products TO reporting;

-- migrate:down
REVOKE SELECT ON orders, line_items, products FROM reporting;
