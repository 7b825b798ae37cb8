-- migrate:up
CREATE TABLE order_items (
    order_id bigint NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
    product_id bigint NOT NULL REFERENCES products (id),
    quantity smallint NOT NULL DEFAULT 1,
    unit_price_cents integer NOT NULL,
    PRIMARY KEY (order_id, product_id)
);

-- migrate:down
DROP TABLE order_items;
