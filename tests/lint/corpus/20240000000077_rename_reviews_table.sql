-- migrate:up
ALTER TABLE reviews RENAME TO product_reviews;

-- migrate:down
ALTER TABLE product_reviews RENAME TO reviews;
