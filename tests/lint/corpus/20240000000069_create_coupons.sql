-- migrate:up
CREATE TABLE coupons (
    code varchar(40) PRIMARY KEY,
    percent_off smallint CHECK (percent_off BETWEEN 1 AND 100),
    valid_until timestamp
);

-- migrate:down
DROP TABLE coupons;
