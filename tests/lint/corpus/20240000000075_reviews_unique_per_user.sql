-- migrate:up
ALTER TABLE reviews ADD CONSTRAINT reviews_one_per_user UNIQUE (product_id, user_id);

-- migrate:down
ALTER TABLE reviews DROP CONSTRAINT reviews_one_per_user;
