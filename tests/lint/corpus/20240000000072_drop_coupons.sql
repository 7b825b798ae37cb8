-- migrate:up
ALTER TABLE orders DROP COLUMN coupon_code;
DROP TABLE coupons;

-- migrate:down
CREATE TABLE coupons (code varchar(40) PRIMARY KEY);
ALTER TABLE orders ADD COLUMN coupon_code varchar(40);
