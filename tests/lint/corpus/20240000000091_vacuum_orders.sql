-- migrate:up transaction:false
VACUUM (ANALYZE) orders;

-- migrate:down transaction:false
SELECT 1;
