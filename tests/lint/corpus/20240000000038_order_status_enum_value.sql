-- migrate:up transaction:false
ALTER TYPE order_status ADD VALUE 'refunded';

-- migrate:down transaction:false
SELECT 1;
