-- migrate:up transaction:false
CREATE INDEX CONCURRENTLY orders_coupon_code_idx ON orders (coupon_code) WHERE coupon_code IS NOT NULL;

-- migrate:down transaction:false
DROP INDEX CONCURRENTLY orders_coupon_code_idx;
