-- migrate:up
VACUUM orders;

-- migrate:down
SELECT 1;
