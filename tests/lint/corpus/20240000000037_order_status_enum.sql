-- migrate:up
CREATE TYPE order_status AS ENUM ('pending', 'paid', 'shipped', 'cancelled');

-- migrate:down
DROP TYPE order_status;
