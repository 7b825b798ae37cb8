-- migrate:up transaction:false
DROP DATABASE IF EXISTS shop_staging_copy;

-- migrate:down transaction:false
SELECT 1;
