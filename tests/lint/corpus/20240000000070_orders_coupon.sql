-- migrate:up
ALTER TABLE orders ADD COLUMN coupon_code varchar(40) REFERENCES coupons (code);

-- migrate:down
ALTER TABLE orders DROP COLUMN coupon_code;
