-- migrate:up
CREATE TABLE reviews (id bigint PRIMARY KEY, product_id bigint NOT NULL);
ALTER TABLE reviews ADD CONSTRAINT reviews_product_fk FOREIGN KEY (product_id) REFERENCES products (id); -- expect: require-timeout-settings
